"""Revoked API keys as every service knows them: a `revoked_api_keys` table in its own schema,
filled from `api_key.revoked` events on tenants.v1 (the orders service, which revokes, writes
its own directly), read through a cache of a few seconds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import asyncpg
from cachetools import TTLCache

from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.tenants import ApiKeyRevoked
from lastmile_common.kafka.subscription import Handler

# How long a verdict on one key is reused: with the event's trip, a revocation is refused
# everywhere within a few seconds, and a busy key costs one indexed look-up per interval.
CACHE_SECONDS = 2.0


async def record_revocation(
    conn: Connection, tenant_id: str, key_hash: str, revoked_at: datetime
) -> None:
    """Remember a revoked key (idempotent)."""
    await conn.execute(
        "INSERT INTO revoked_api_keys (key_hash, tenant_id, revoked_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (key_hash) DO NOTHING",
        key_hash,
        tenant_id,
        revoked_at,
    )


async def on_key_revoked(conn: Connection, envelope: Envelope) -> None:
    """Consumer handler of `api_key.revoked`."""
    data = envelope.data
    assert isinstance(data, ApiKeyRevoked)
    await record_revocation(conn, envelope.tenant, data.key_hash, data.revoked_at)


# What each service's key-revocation consumer group registers.
REVOCATION_HANDLERS: Mapping[str, Handler] = {"api_key.revoked": on_key_revoked}


class RevokedKeys:
    """Answers "is this key revoked?", asking the database at most once per key per interval."""

    def __init__(self, ttl_s: float = CACHE_SECONDS, max_keys: int = 100_000) -> None:
        self._verdicts: TTLCache[str, bool] = TTLCache(maxsize=max_keys, ttl=ttl_s)

    async def is_revoked(self, pool: asyncpg.Pool, key_hash: str) -> bool:
        """True once the key's revocation reached this service's schema."""
        verdict = self._verdicts.get(key_hash)
        if verdict is None:
            verdict = bool(
                await pool.fetchval(
                    "SELECT true FROM revoked_api_keys WHERE key_hash = $1", key_hash
                )
            )
            self._verdicts[key_hash] = verdict
        return verdict
