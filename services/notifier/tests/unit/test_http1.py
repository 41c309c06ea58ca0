"""The small HTTP/1.1 client against a local socket server: framing, reuse and failures."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from notifier.adapters.http1 import Http1Pool, NoAnswer, NotSent

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _server(serve: Serve) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/base"


async def _request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    lines = head.split("\r\n")
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
    body = await reader.readexactly(int(headers["content-length"]))
    return lines[0], headers, body


async def test_keep_alive_reuses_one_connection_and_reads_both_framings() -> None:
    seen: list[tuple[int, str, dict[str, str], bytes]] = []
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        number = connections
        try:
            while True:
                line, headers, body = await _request(reader)
                seen.append((number, line, headers, body))
                if len(seen) % 2:
                    writer.write(b'HTTP/1.1 201 Created\r\nContent-Length: 13\r\n\r\n{"sid": "S1"}')
                else:
                    writer.write(
                        b"HTTP/1.1 429 Too Many\r\nTransfer-Encoding: chunked\r\n"
                        b'Retry-After: 3\r\n\r\n4\r\n{"co\r\n6;x=y\r\nde": 1\r\n1\r\n}\r\n0\r\n\r\n'
                    )
                await writer.drain()
        except asyncio.IncompleteReadError:
            writer.close()

    server, url = await _server(serve)
    pool = Http1Pool(url, auth=("AC1", "secret"), connections=1)
    try:
        first = await pool.post_form("/Messages.json", {"To": "+49 151", "Body": "hi & bye"})
        second = await pool.post_form("/Messages.json", {"To": "x"})
    finally:
        await pool.close()
        server.close()
    assert (first.status, first.json()) == (201, {"sid": "S1"})
    assert (second.status, second.json(), second.headers["retry-after"]) == (429, {"code": 1}, "3")
    assert connections == 1
    _, line, headers, body = seen[0]
    assert line == "POST /base/Messages.json HTTP/1.1"
    assert headers["authorization"] == "Basic QUMxOnNlY3JldA=="
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert body == b"To=%2B49+151&Body=hi+%26+bye"


async def test_connection_refused_is_not_sent() -> None:
    server, url = await _server(lambda r, w: asyncio.sleep(0))
    server.close()
    await server.wait_closed()
    pool = Http1Pool(url, timeout_s=2)
    with pytest.raises(NotSent):
        await pool.post_form("/x", {})


async def test_server_closing_without_answer_or_too_slow_is_no_answer() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.close()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        await asyncio.sleep(5)
        writer.close()

    for serve in (hang_up, stall):
        server, url = await _server(serve)
        pool = Http1Pool(url, timeout_s=0.3)
        try:
            with pytest.raises(NoAnswer):
                await pool.post_form("/x", {"a": "b"})
        finally:
            await pool.close()
            server.close()


async def test_connection_close_answer_is_not_reused() -> None:
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await _request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server, url = await _server(serve)
    pool = Http1Pool(url)
    try:
        for _ in range(2):
            answer = await pool.post_form("/x", {})
            assert (answer.status, answer.json()) == (200, {})
    finally:
        await pool.close()
        server.close()
    assert connections == 2
