"""Proof storage adapters: a local folder (the default) and an S3-compatible bucket (obstore)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path, PurePosixPath

import obstore
from obstore.exceptions import NotFoundError
from obstore.store import S3Store


def _safe_key(key: str) -> str:
    """A relative key without `..` or absolute parts (keys are made here, this guards bugs)."""
    parts = PurePosixPath(key).parts
    if not parts or key.startswith("/") or any(p in ("..", ".") for p in parts):
        raise ValueError(f"invalid proof key {key!r}")
    return key


class LocalProofStorage:
    """Files under a folder (default: the state directory's `proofs/`), written atomically."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write the file (through a temporary name, so a reader never sees half of it)."""
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)

    async def get(self, key: str) -> bytes | None:
        """The file's bytes, or None."""
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        """Remove the file if present."""
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


class S3ProofStorage:
    """Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), through obstore."""

    name = "s3"

    def __init__(self, store: S3Store) -> None:
        self._store = store

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload the object with its content type."""
        await obstore.put_async(
            self._store, _safe_key(key), data, attributes={"Content-Type": content_type}
        )

    async def get(self, key: str) -> bytes | None:
        """The object's bytes, or None."""
        try:
            result = await obstore.get_async(self._store, _safe_key(key))
        except (NotFoundError, FileNotFoundError):
            return None
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        """Delete the object (S3 answers a missing key as deleted)."""
        try:
            await obstore.delete_async(self._store, _safe_key(key))
        except (NotFoundError, FileNotFoundError):
            return
