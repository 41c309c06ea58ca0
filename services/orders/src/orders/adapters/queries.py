"""Read side: order lookups, filtered listing with cursor pagination, and the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lastmile_common.db.pool import Connection

from orders.adapters.store import order_from_row
from orders.domain.model import Order


async def order_with_timeline(
    conn: Connection, tenant_id: str, order_id: str
) -> tuple[Order, list[dict[str, Any]]] | None:
    """An order of the tenant and its timeline, oldest first."""
    row = await conn.fetchrow(
        "SELECT id, tenant_id, spec, status, version, created_at, updated_at FROM orders"
        " WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        order_id,
    )
    if row is None:
        return None
    events = await conn.fetch(
        "SELECT at, kind, detail FROM order_timeline WHERE order_id = $1 ORDER BY at, id", order_id
    )
    return order_from_row(row), [dict(event) for event in events]


async def list_orders(
    conn: Connection,
    tenant_id: str,
    *,
    status: str | None,
    depot_id: str | None,
    created_after: datetime | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Order], int | None]:
    """A page of the tenant's orders in creation order, and the cursor of the next page."""
    rows = await conn.fetch(
        "SELECT seq, id, tenant_id, spec, status, version, created_at, updated_at FROM orders"
        " WHERE tenant_id = $1 AND seq > $2"
        " AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR depot_id = $4)"
        " AND ($5::timestamptz IS NULL OR created_at > $5)"
        " ORDER BY seq LIMIT $6",
        tenant_id,
        after_seq,
        status,
        depot_id,
        created_after,
        limit + 1,
    )
    page = rows[:limit]
    next_seq = page[-1]["seq"] if len(rows) > limit else None
    return [order_from_row(row) for row in page], next_seq
