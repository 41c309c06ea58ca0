"""Small real images for proof tests (made here, not shipped)."""

from __future__ import annotations

import struct
import zlib

SIGNATURE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120">'
    b'<path d="M10 60 C 60 10, 120 110, 290 40" stroke="#000" fill="none"/></svg>'
)
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def png(width: int = 4, height: int = 3) -> bytes:
    """A valid grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([128] * width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
