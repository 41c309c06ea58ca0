"""One contract for the ProofStorage port, run against the local folder (unit) and an
S3-compatible server (integration, moto's server on a local port)."""

from __future__ import annotations

import uuid

import pytest
from tracking.service_layer.proof_ports import ProofStorage

from .media import SIGNATURE_SVG, png


class ProofStorageContract:
    """Subclasses provide a `storage` fixture."""

    async def test_put_get_delete(self, storage: ProofStorage) -> None:
        key = f"t-{uuid.uuid4().hex}/{uuid.uuid4().hex}.png"
        assert await storage.get(key) is None
        await storage.put(key, png(), "image/png")
        assert await storage.get(key) == png()
        await storage.put(key, png(8, 8), "image/png")  # replaced, not appended
        assert await storage.get(key) == png(8, 8)
        await storage.delete(key)
        assert await storage.get(key) is None
        await storage.delete(key)  # deleting what is gone is no error

    async def test_keys_do_not_collide_across_tenants(self, storage: ProofStorage) -> None:
        name = f"{uuid.uuid4().hex}.svg"
        await storage.put(f"tenant-a/{name}", SIGNATURE_SVG, "image/svg+xml")
        assert await storage.get(f"tenant-b/{name}") is None
        assert await storage.get(f"tenant-a/{name}") == SIGNATURE_SVG

    @pytest.mark.parametrize("key", ["../escape.png", "/abs.png", "a/../../b.png", ""])
    async def test_unsafe_keys_are_refused(self, storage: ProofStorage, key: str) -> None:
        with pytest.raises(ValueError, match="invalid proof key"):
            await storage.put(key, png(), "image/png")
