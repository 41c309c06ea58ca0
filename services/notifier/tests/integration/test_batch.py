"""New orders gathered by the batch hooks: written before COMMIT, in event order, or not at all."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
from lastmile_common.events.orders import OrderCreated
from notifier.adapters.store import PostgresStore
from notifier.service_layer import handlers
from notifier.service_layer.deps import Deps
from notifier.service_layer.new_orders import NewOrderBatch
from notifier.service_layer.tenant_cache import TenantCache
from notifier.testing import events as ev

from .conftest import Env, _phone

pytestmark = pytest.mark.integration


def _deps() -> tuple[Deps, NewOrderBatch, TenantCache]:
    cache = TenantCache()
    batch = NewOrderBatch(cache, PostgresStore)
    deps = Deps("http://track.test", "http://notifier.test", "secret", cache=cache, batch=batch)
    return deps, batch, cache


def _created(order_id: str, version: int = 1) -> OrderCreated:
    data = ev.order_created(order_id, phone=_phone(), email=None, channels=("sms",))
    return data.model_copy(update={"version": version})


@asynccontextmanager
async def _connection(env: Env) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(
        env.settings.require_database_url(), server_settings={"search_path": "notifier,public"}
    )
    try:
        yield conn
    finally:
        await conn.close()


async def _stored(conn: Any, tenant: str) -> dict[str, tuple[int, int]]:
    rows = await conn.fetch(
        "SELECT o.order_id, o.order_version, count(n.id) AS keys FROM orders o"
        " LEFT JOIN notifications n ON n.tenant_id = o.tenant_id AND n.order_id = o.order_id"
        " AND n.kind = 'confirmed' WHERE o.tenant_id = $1 GROUP BY 1, 2",
        tenant,
    )
    return {r["order_id"]: (r["order_version"], r["keys"]) for r in rows}


async def test_batch_writes_new_orders_before_commit_in_event_order(env: Env) -> None:
    deps, batch, _ = _deps()
    tenant = uuid.uuid4().hex
    async with _connection(env) as conn:
        async with conn.transaction():
            batch.begin()
            for event in (_created("a"), _created("b"), _created("a", 2)):
                await handlers.order_created(PostgresStore(conn), deps, tenant, event)
            # The second "a" made the batch write "a" and "b" first (one upsert per order each).
            assert await _stored(conn, tenant) == {"a": (1, 1), "b": (1, 1)}
            await handlers.order_created(PostgresStore(conn), deps, tenant, _created("c"))
            assert "c" not in await _stored(conn, tenant)
            await batch.before_commit(conn)
        assert await _stored(conn, tenant) == {"a": (2, 1), "b": (1, 1), "c": (1, 1)}


async def test_a_rolled_back_batch_leaves_no_key_and_no_cached_read(env: Env) -> None:
    deps, batch, cache = _deps()
    tenant = uuid.uuid4().hex
    async with _connection(env) as conn:
        transaction = conn.transaction()
        await transaction.start()
        batch.begin()
        await handlers.order_created(PostgresStore(conn), deps, tenant, _created("d"))
        await batch.before_commit(conn)
        assert cache.size() > 0
        await transaction.rollback()  # the COMMIT did not happen
        batch.rolled_back()
        assert cache.size() == 0
        assert await _stored(conn, tenant) == {}
        # Outside a batch (no `begin`) an order is written at once.
        await handlers.order_created(PostgresStore(conn), deps, tenant, _created("e"))
        assert await _stored(conn, tenant) == {"e": (1, 1)}
