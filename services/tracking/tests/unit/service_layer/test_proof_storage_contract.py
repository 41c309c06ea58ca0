"""The ProofStorage contract on the local-folder adapter (the default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tracking.adapters.proof_files import LocalProofStorage

from ...proof_storage_contract import ProofStorageContract


class TestLocalProofStorage(ProofStorageContract):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> LocalProofStorage:
        return LocalProofStorage(tmp_path / "proofs")

    async def test_files_land_under_the_root(self, storage: LocalProofStorage) -> None:
        await storage.put("t1/p.svg", b"<svg/>", "image/svg+xml")
        assert (storage.root / "t1" / "p.svg").read_bytes() == b"<svg/>"
        assert not list(storage.root.rglob("*.part"))
