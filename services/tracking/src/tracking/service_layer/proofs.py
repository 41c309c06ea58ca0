"""Proof of delivery media: upload for an open stop, attach to the delivery, serve, expire."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lastmile_common.events.deliveries import PROOF_REF_PREFIX

from tracking.domain.media import MediaLimits, ProofKind, check_content
from tracking.service_layer.proof_ports import ProofRecord, ProofRecords, ProofStorage


class ProofRefused(ValueError):
    """A reference that names no proof of this tenant's stop (`field` says which)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class UploadProof:
    """A photo or signature for one stop; `content_type` already accepted for the kind."""

    tenant_id: str
    route_id: str
    stop_id: str
    order_id: str
    kind: ProofKind
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Proofs:
    """The proofs' storage and rows, their limits and retention."""

    storage: ProofStorage
    records: ProofRecords
    limits: MediaLimits
    retention: timedelta

    async def upload(self, conn: Any, cmd: UploadProof, now: datetime) -> ProofRecord:
        """Check the content, store the bytes under the tenant's prefix, record them."""
        ext = check_content(cmd.kind, cmd.content_type, cmd.data)
        proof_id = uuid.uuid4().hex
        record = ProofRecord(
            proof_id=proof_id,
            tenant_id=cmd.tenant_id,
            route_id=cmd.route_id,
            stop_id=cmd.stop_id,
            order_id=cmd.order_id,
            kind=cmd.kind,
            content_type=cmd.content_type,
            size=len(cmd.data),
            sha256=hashlib.sha256(cmd.data).hexdigest(),
            storage_key=f"{cmd.tenant_id}/{proof_id}.{ext}",
            expires_at=now + self.retention,
        )
        await self.storage.put(record.storage_key, cmd.data, cmd.content_type)
        try:
            await self.records.add(conn, record)
        except BaseException:
            await self.storage.delete(record.storage_key)
            raise
        return record

    async def attach(
        self, conn: Any, tenant_id: str, route_id: str, stop_id: str, refs: dict[str, str | None]
    ) -> None:
        """Mark the referenced uploads (`{"photo": ref, ...}`) as this delivery's proof.

        References that are not ours (`proof:` prefix) are kept as given: an integrator's
        own media store. Ours must name a proof of the same kind for this very stop.
        """
        for kind, ref in refs.items():
            if ref is None or not ref.startswith(PROOF_REF_PREFIX):
                continue
            field = f"body.proof.{kind}_ref"
            found = await self.records.find(conn, tenant_id, ref.removeprefix(PROOF_REF_PREFIX))
            if found is None or (found.route_id, found.stop_id) != (route_id, stop_id):
                raise ProofRefused(field, f"{ref} is not an upload for this stop")
            if found.kind != kind:
                raise ProofRefused(field, f"{ref} is a {found.kind}, not a {kind}")
            await self.records.attach(conn, found.proof_id)

    async def content(self, record: ProofRecord) -> bytes | None:
        """A proof's bytes (None when the storage lost them)."""
        return await self.storage.get(record.storage_key)

    async def expire(self, conn: Any, now: datetime, batch: int = 500) -> int:
        """Delete proofs past their retention, objects first; return how many."""
        removed = 0
        while records := await self.records.expired(conn, now, batch):
            for record in records:
                await self.storage.delete(record.storage_key)
            await self.records.remove(conn, [r.proof_id for r in records])
            removed += len(records)
            if len(records) < batch:
                break
        return removed


def ref_of(record: ProofRecord) -> str:
    """The reference a completion (and the order.delivered event) carries."""
    return PROOF_REF_PREFIX + record.proof_id
