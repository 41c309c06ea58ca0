"""The proofs' rows in PostgreSQL (the bytes are in the proof storage)."""

from __future__ import annotations

from dataclasses import astuple, fields
from datetime import datetime
from typing import Any

from tracking.service_layer.proof_ports import ProofRecord

_COLUMNS = ", ".join(f.name for f in fields(ProofRecord))
_PLACES = ", ".join(f"${i}" for i in range(1, len(fields(ProofRecord)) + 1))


def _record(row: Any) -> ProofRecord:
    return ProofRecord(**dict(row))


class PgProofRecords:
    """`proofs`: one row per upload, found by tenant and id."""

    async def add(self, conn: Any, record: ProofRecord) -> None:
        """Insert the upload's row."""
        await conn.execute(f"INSERT INTO proofs ({_COLUMNS}) VALUES ({_PLACES})", *astuple(record))

    async def find(self, conn: Any, tenant_id: str, proof_id: str) -> ProofRecord | None:
        """The tenant's proof, or None."""
        row = await conn.fetchrow(
            f"SELECT {_COLUMNS} FROM proofs WHERE tenant_id = $1 AND proof_id = $2",
            tenant_id,
            proof_id,
        )
        return _record(row) if row else None

    async def attach(self, conn: Any, proof_id: str) -> None:
        """Mark it part of a delivery."""
        await conn.execute("UPDATE proofs SET attached_at = now() WHERE proof_id = $1", proof_id)

    async def latest_attached(
        self, conn: Any, tenant_id: str, route_id: str, stop_id: str, kind: str
    ) -> ProofRecord | None:
        """The stop's newest attached proof of a kind."""
        row = await conn.fetchrow(
            f"SELECT {_COLUMNS} FROM proofs WHERE tenant_id = $1 AND route_id = $2"
            " AND stop_id = $3 AND kind = $4 AND attached_at IS NOT NULL"
            " ORDER BY attached_at DESC LIMIT 1",
            tenant_id,
            route_id,
            stop_id,
            kind,
        )
        return _record(row) if row else None

    async def expired(self, conn: Any, now: datetime, limit: int) -> list[ProofRecord]:
        """Rows past their retention, oldest first."""
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM proofs WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2",
            now,
            limit,
        )
        return [_record(r) for r in rows]

    async def remove(self, conn: Any, proof_ids: list[str]) -> None:
        """Delete these rows."""
        await conn.execute("DELETE FROM proofs WHERE proof_id = ANY($1::text[])", proof_ids)
