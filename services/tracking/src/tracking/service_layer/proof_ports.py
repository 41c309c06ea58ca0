"""Ports for proof-of-delivery media: the object store and the proofs' rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class ProofStorage(Protocol):
    """Where photos and signatures are kept (a local folder, an S3-compatible bucket)."""

    name: str

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (replacing what was there)."""

    async def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None."""

    async def delete(self, key: str) -> None:
        """Remove `key` (no error when it is absent)."""


@dataclass(frozen=True)
class ProofRecord:
    """One stored photo or signature: whose, for which stop, where its bytes are."""

    proof_id: str
    tenant_id: str
    route_id: str
    stop_id: str
    order_id: str
    kind: str
    content_type: str
    size: int
    sha256: str
    storage_key: str
    expires_at: datetime


class ProofRecords(Protocol):
    """The proofs' rows (PostgreSQL), on the caller's connection."""

    async def add(self, conn: Any, record: ProofRecord) -> None:
        """Record an uploaded proof."""

    async def find(self, conn: Any, tenant_id: str, proof_id: str) -> ProofRecord | None:
        """The tenant's proof, or None (another tenant's is None too)."""

    async def attach(self, conn: Any, proof_id: str) -> None:
        """Mark the proof as part of a completed delivery."""

    async def latest_attached(
        self, conn: Any, tenant_id: str, route_id: str, stop_id: str, kind: str
    ) -> ProofRecord | None:
        """The stop's newest proof of a kind that a delivery referenced."""

    async def expired(self, conn: Any, now: datetime, limit: int) -> list[ProofRecord]:
        """Proofs past their retention, oldest first."""

    async def remove(self, conn: Any, proof_ids: list[str]) -> None:
        """Forget these proofs' rows."""
