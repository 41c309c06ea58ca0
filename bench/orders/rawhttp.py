"""A minimal keep-alive HTTP/1.1 client for pre-encoded requests.

The load generator shares the 2 cores with what it measures; httpx spends about as much CPU
per request as a small service does, so the benchmark sends prepared bytes and reads only the
status line, the headers it needs and the body length."""

from __future__ import annotations

import asyncio


def post_request(path: str, headers: dict[str, str], body: bytes) -> bytes:
    """The bytes of one POST with a JSON body."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines += ["Content-Type: application/json", f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


class Connection:
    """One keep-alive connection; requests go one at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        """Connect."""
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, request: bytes) -> tuple[int, str | None]:
        """Send a prepared request; return its status and Location header (body discarded)."""
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        location = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"location":
                location = value.strip().decode()
        if length:
            await self._reader.readexactly(length)
        return status, location

    async def close(self) -> None:
        """Close the connection."""
        self._writer.close()
        await self._writer.wait_closed()
