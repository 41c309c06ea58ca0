"""An S3-compatible server that runs here: moto's server in a thread on a free local port."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from moto.server import ThreadedMotoServer

KEY_ID, SECRET = "test-key", "test-secret"


@dataclass(frozen=True)
class S3Server:
    """Where the server listens and the bucket made for the test."""

    endpoint: str
    bucket: str


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """Start the server, create a bucket, stop the server on exit."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint, bucket = f"http://{host}:{port}", f"proofs-{uuid.uuid4().hex[:8]}"
        httpx.put(f"{endpoint}/{bucket}").raise_for_status()
        yield S3Server(endpoint, bucket)
    finally:
        server.stop()
