"""Connection pools bound to one service's schema."""

from __future__ import annotations

import json

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# The longest anyone waits for a pooled connection: a pool exhausted that long (or a database
# that does not answer) is an outage, answered 503 over HTTP and waited out by the consumers.
ACQUIRE_TIMEOUT_S = 10.0


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    await conn.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(
    url: str,
    schema: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    idle_in_transaction_s: float | None = None,
) -> asyncpg.Pool:
    """A pool whose connections see `schema` first on the search path and decode JSON; with
    `idle_in_transaction_s`, the server ends a transaction left idle that long."""
    server_settings = {"search_path": f"{schema},public", "application_name": f"lastmile-{schema}"}
    if idle_in_transaction_s is not None:
        server_settings["idle_in_transaction_session_timeout"] = str(
            round(idle_in_transaction_s * 1000)
        )
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        server_settings=server_settings,
    )
    assert pool is not None
    return pool


# What handlers receive: a plain connection or one borrowed from a pool.
Connection = asyncpg.Connection | PoolConnectionProxy
