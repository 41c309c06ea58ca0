"""Tenants and their API keys (only hashes are stored)."""

from __future__ import annotations

import uuid

from lastmile_common import api_keys
from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.tenants import ApiKeyRevoked
from lastmile_common.revocations import record_revocation

from orders.adapters.store import SOURCE


async def create_tenant(conn: Connection, name: str, signing_secret: str) -> tuple[str, str]:
    """Create a tenant with one API key; return (tenant_id, api_key). The key is shown once."""
    tenant_id = uuid.uuid4().hex
    key = api_keys.issue(signing_secret, tenant_id)
    async with conn.transaction():
        await conn.execute("INSERT INTO tenants (id, name) VALUES ($1, $2)", tenant_id, name)
        await conn.execute(
            "INSERT INTO api_keys (hash, tenant_id) VALUES ($1, $2)", key.hash, tenant_id
        )
    return tenant_id, key.raw


async def key_is_active(conn: Connection, key_hash: str, tenant_id: str) -> bool:
    """True if the key exists for the tenant and was not revoked."""
    return bool(
        await conn.fetchval(
            "SELECT true FROM api_keys WHERE hash = $1 AND tenant_id = $2 AND revoked_at IS NULL",
            key_hash,
            tenant_id,
        )
    )


async def revoke_key(conn: Connection, key_hash: str) -> str | None:
    """Revoke a key by its hash; every service learns of it from `api_key.revoked`. Returns the
    key's tenant, or None if no such key is active."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "UPDATE api_keys SET revoked_at = now() WHERE hash = $1 AND revoked_at IS NULL"
            " RETURNING tenant_id, revoked_at",
            key_hash,
        )
        if row is None:
            return None
        tenant_id: str = row["tenant_id"]
        await record_revocation(conn, tenant_id, key_hash, row["revoked_at"])
        event = ApiKeyRevoked(key_hash=key_hash, revoked_at=row["revoked_at"])
        await outbox.add(conn, [(Envelope.wrap(event, source=SOURCE, tenant=tenant_id), tenant_id)])
    return tenant_id
