"""The aiohttp form client against a local socket server: framing, reuse and the two failures."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest
from notifier.adapters.form_client import FormClient, NoAnswer, NotSent
from notifier.adapters.twilio import TwilioChannel
from notifier.service_layer.channels import OutgoingMessage

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
    client = FormClient(url, auth=("AC1", "secret"), connections=1)
    try:
        first = await client.post_form("/Messages.json", {"To": "+49 151", "Body": "hi & bye"})
        second = await client.post_form("/Messages.json", {"To": "x"})
    finally:
        await client.close()
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
    client = FormClient(url, timeout_s=2)
    try:
        with pytest.raises(NotSent):
            await client.post_form("/x", {})
    finally:
        await client.close()


async def test_connect_timeout_is_not_sent() -> None:
    # A listener that never accepts, its backlog filled: further handshakes never complete.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    client = FormClient(f"http://127.0.0.1:{port}", timeout_s=0.3)
    try:
        with pytest.raises(NotSent, match="ConnectionTimeoutError"):
            await client.post_form("/x", {})
    finally:
        await client.close()
        for sock in (*fillers, listener):
            sock.close()


async def test_server_closing_without_answer_half_answering_or_too_slow_is_no_answer() -> None:
    received = 0

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        await _request(reader)
        received += 1
        writer.close()

    async def half_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        await _request(reader)
        received += 1
        writer.write(b'HTTP/1.1 201 Created\r\nContent-Length: 50\r\n\r\n{"sid"')
        await writer.drain()
        writer.close()

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        await _request(reader)
        received += 1
        await asyncio.sleep(5)
        writer.close()

    for serve in (hang_up, half_answer, stall):
        server, url = await _server(serve)
        client = FormClient(url, timeout_s=0.3)
        try:
            with pytest.raises(NoAnswer):
                await client.post_form("/x", {"a": "b"})
        finally:
            await client.close()
            server.close()
    # Each request arrived exactly once: a POST is never sent again by the client itself.
    assert received == 3


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
    client = FormClient(url)
    try:
        for _ in range(2):
            answer = await client.post_form("/x", {})
            assert (answer.status, answer.json()) == (200, {})
    finally:
        await client.close()
        server.close()
    assert connections == 2


async def test_twilio_channel_maps_the_failures_to_retry_and_unknown() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request(reader)
        writer.close()

    message = OutgoingMessage("n1", "+4915100000000", "hi")
    server, url = await _server(hang_up)
    channel = TwilioChannel(url, "AC1", "secret", "+1500", timeout_s=0.5)
    try:
        assert (await channel.send(message)).outcome == "unknown"
    finally:
        await channel.close()
        server.close()
        await server.wait_closed()
    channel = TwilioChannel(url, "AC1", "secret", "+1500", timeout_s=0.5)
    try:
        assert (await channel.send(message)).outcome == "retry"
    finally:
        await channel.close()


async def test_no_more_connections_than_the_limit() -> None:
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                await _request(reader)
                await asyncio.sleep(0.01)
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except asyncio.IncompleteReadError:
            writer.close()

    server, url = await _server(serve)
    client = FormClient(url, connections=2)
    try:
        answers = await asyncio.gather(*(client.post_form("/x", {}) for _ in range(8)))
    finally:
        await client.close()
        server.close()
    assert [a.status for a in answers] == [201] * 8
    assert connections == 2
