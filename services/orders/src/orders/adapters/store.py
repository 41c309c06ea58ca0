"""The PostgreSQL implementation of the orders store, bound to one transaction's connection."""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import asyncpg
from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope, service_source
from lastmile_common.events.orders import OrderSpec

from orders.domain.model import Order
from orders.domain.shopify import ShopifySettings
from orders.service_layer.ports import CreateRaced, KnownOrder, NewOrder

SOURCE = service_source("orders")
_COLUMNS = "id, tenant_id, spec, status, version, created_at, updated_at"
_OF_O = ", ".join(f"o.{column}" for column in _COLUMNS.split(", "))

# One statement (with the outbox row `outbox.add` appends, queued only if `created` returned
# a row), so one round trip and atomic without BEGIN/COMMIT: insert the order, its
# idempotency key, timeline entry and outbox row unless the tenant's key or external id is
# known; then return the order(s) they name instead. A concurrent twin that commits first
# makes the insert raise a unique violation (CreateRaced); a retry then sees it.
CREATE_ONCE_CTES = """
seen AS (
    SELECT request_hash, order_id FROM idempotency_keys WHERE tenant_id = $2 AND key = $9::text
), prior AS (
    SELECT id FROM orders WHERE tenant_id = $2 AND external_id = $3
), created AS (
    INSERT INTO orders (id, tenant_id, external_id, depot_id, status, version, spec,
                        created_at, updated_at)
    SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::integer, $7::jsonb,
           $8::timestamptz, $8::timestamptz
    WHERE NOT EXISTS (SELECT FROM seen) AND NOT EXISTS (SELECT FROM prior)
    RETURNING id
), keyed AS (
    INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id)
    SELECT $2, $9, $10::text, id FROM created WHERE $9::text IS NOT NULL
), timeline AS (
    INSERT INTO order_timeline (order_id, at, kind, detail)
    SELECT id, $8, $11::text, $12::jsonb FROM created
)"""
CREATE_ONCE_SELECT = f"""
SELECT true AS by_key, seen.request_hash, {_OF_O}
FROM seen JOIN orders o ON o.id = seen.order_id
UNION ALL
SELECT false, NULL, {_OF_O}
FROM prior JOIN orders o ON o.id = prior.id
"""


def order_from_row(row: Any) -> Order:
    """An Order from an `orders` row."""
    return Order(
        id=row["id"],
        tenant_id=row["tenant_id"],
        spec=OrderSpec.model_validate(row["spec"]),
        status=row["status"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class PostgresOrdersStore:
    """Orders, idempotency keys, timeline, Shopify settings and outbox on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A transaction on the connection (a savepoint inside the caller's transaction)."""
        return self.conn.transaction()

    async def tenant_exists(self, tenant_id: str) -> bool:
        return bool(await self.conn.fetchval("SELECT true FROM tenants WHERE id = $1", tenant_id))

    async def get(self, tenant_id: str, order_id: str) -> Order | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2", tenant_id, order_id
        )
        return order_from_row(row) if row else None

    async def get_for_update(self, tenant_id: str, order_id: str) -> Order | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2 FOR UPDATE",
            tenant_id,
            order_id,
        )
        return order_from_row(row) if row else None

    async def get_any(self, order_id: str) -> Order | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM orders WHERE id = $1", order_id)
        return order_from_row(row) if row else None

    async def add_unless_known(self, new: NewOrder) -> KnownOrder | None:
        order = new.order
        try:
            rows = await self._create_once(new)
        except asyncpg.UniqueViolationError as exc:
            raise CreateRaced(order.id) from exc
        if not rows:
            return None
        row = min(rows, key=lambda r: not r["by_key"])  # the key's answer comes first
        return KnownOrder(order_from_row(row), row["request_hash"] if row["by_key"] else None)

    async def _create_once(self, new: NewOrder) -> list[Any]:
        order = new.order
        envelope = Envelope.wrap(new.event, source=SOURCE, tenant=order.tenant_id, subject=order.id)
        args = (
            order.id,
            order.tenant_id,
            order.spec.external_id,
            order.spec.depot_id,
            order.status,
            order.version,
            order.spec.model_dump(mode="json"),
            order.created_at,
            new.idempotency_key,
            new.fingerprint,
            new.timeline_kind,
            new.timeline_detail,
        )
        return await outbox.add(
            self.conn,
            [(envelope, new.event_key)],
            outbox.Alongside(CREATE_ONCE_CTES, CREATE_ONCE_SELECT, args, only_if="created"),
        )

    async def save(self, order: Order) -> None:
        await self.conn.execute(
            "UPDATE orders SET status = $2, version = $3, spec = $4, updated_at = $5 WHERE id = $1",
            order.id,
            order.status,
            order.version,
            order.spec.model_dump(mode="json"),
            order.updated_at,
        )

    async def add_timeline(
        self,
        order_id: str,
        at: datetime,
        kind: str,
        detail: dict[str, Any],
        event_id: str | None = None,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO order_timeline (order_id, at, kind, detail, event_id)"
            " VALUES ($1, $2, $3, $4, $5)",
            order_id,
            at,
            kind,
            json.loads(json.dumps(detail, default=str)),
            event_id,
        )

    async def last_timeline_detail(self, order_id: str, kind: str) -> dict[str, Any] | None:
        detail = await self.conn.fetchval(
            "SELECT detail FROM order_timeline WHERE order_id = $1 AND kind = $2"
            " ORDER BY at DESC, id DESC LIMIT 1",
            order_id,
            kind,
        )
        return None if detail is None else dict(detail)

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        envelope = Envelope.wrap(data, source=SOURCE, tenant=tenant_id, subject=subject)
        await outbox.add(self.conn, [(envelope, key)])

    async def shopify_settings(self, tenant_id: str) -> ShopifySettings | None:
        row = await self.conn.fetchrow(
            "SELECT shop_domain, webhook_secret, depot_id, time_zone FROM shopify_integrations"
            " WHERE tenant_id = $1",
            tenant_id,
        )
        return None if row is None else ShopifySettings(**dict(row))

    async def save_shopify_settings(self, tenant_id: str, settings: ShopifySettings) -> None:
        await self.conn.execute(
            "INSERT INTO shopify_integrations (tenant_id, shop_domain, webhook_secret, depot_id,"
            " time_zone) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET"
            " shop_domain = $2, webhook_secret = $3, depot_id = $4, time_zone = $5,"
            " updated_at = now()",
            tenant_id,
            settings.shop_domain,
            settings.webhook_secret,
            settings.depot_id,
            settings.time_zone,
        )

    async def shopify_webhook_order(self, tenant_id: str, webhook_id: str) -> str | None:
        order_id = await self.conn.fetchval(
            "SELECT order_id FROM shopify_webhooks WHERE tenant_id = $1 AND webhook_id = $2",
            tenant_id,
            webhook_id,
        )
        return None if order_id is None else str(order_id)

    async def remember_shopify_webhook(
        self, tenant_id: str, webhook_id: str, order_id: str
    ) -> None:
        await self.conn.execute(
            "INSERT INTO shopify_webhooks (tenant_id, webhook_id, order_id) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            tenant_id,
            webhook_id,
            order_id,
        )
