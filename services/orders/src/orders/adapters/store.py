"""The PostgreSQL implementation of the orders store, bound to one transaction's connection."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from lastmile_common.db.outbox import publish_event
from lastmile_common.db.pool import Connection
from lastmile_common.events.base import EventData
from lastmile_common.events.orders import OrderSpec

from orders.domain.model import Order

SOURCE = "/lastmile/orders"
_COLUMNS = "id, tenant_id, spec, status, version, created_at, updated_at"


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
    """Orders, idempotency keys, timeline and outbox on one connection (in its transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, tenant_id: str, order_id: str) -> Order | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2", tenant_id, order_id
        )
        return order_from_row(row) if row else None

    async def get_any(self, order_id: str) -> Order | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM orders WHERE id = $1", order_id)
        return order_from_row(row) if row else None

    async def get_by_external_id(self, tenant_id: str, external_id: str) -> Order | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM orders WHERE tenant_id = $1 AND external_id = $2",
            tenant_id,
            external_id,
        )
        return order_from_row(row) if row else None

    async def add(self, order: Order) -> None:
        await self.conn.execute(
            "INSERT INTO orders (id, tenant_id, external_id, depot_id, status, version, spec,"
            " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            order.id,
            order.tenant_id,
            order.spec.external_id,
            order.spec.depot_id,
            order.status,
            order.version,
            order.spec.model_dump(mode="json"),
            order.created_at,
            order.updated_at,
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

    async def idempotency(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        row = await self.conn.fetchrow(
            "SELECT request_hash, order_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
            tenant_id,
            key,
        )
        return (row["request_hash"], row["order_id"]) if row else None

    async def remember_idempotency(
        self, tenant_id: str, key: str, fingerprint: str, order_id: str
    ) -> None:
        await self.conn.execute(
            "INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id)"
            " VALUES ($1, $2, $3, $4)",
            tenant_id,
            key,
            fingerprint,
            order_id,
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

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        await publish_event(
            self.conn, data, source=SOURCE, tenant=tenant_id, key=key, subject=subject
        )
