"""The notifier's own copy of orders: contact, plan, progress and what customers were told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lastmile_common.db.pool import Connection
from lastmile_common.events.orders import OrderSnapshot

from notifier.adapters import confirmations
from notifier.domain.model import OrderView
from notifier.domain.triggers import EtaMemory
from notifier.service_layer.ports import NewOrder

# CTE `up`: the stored order, unless a newer version is stored. $1..$10 = `contact_args`.
UPSERT_CONTACT = (
    "up AS (INSERT INTO orders (tenant_id, order_id, external_id, depot_id,"
    " order_version, name, phone, email, channels, locale)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT (tenant_id, order_id) DO UPDATE SET external_id = EXCLUDED.external_id,"
    " depot_id = EXCLUDED.depot_id, order_version = EXCLUDED.order_version,"
    " name = EXCLUDED.name, phone = EXCLUDED.phone, email = EXCLUDED.email,"
    " channels = EXCLUDED.channels, locale = EXCLUDED.locale, updated_at = now()"
    " WHERE orders.order_version < EXCLUDED.order_version RETURNING *)"
)


def contact_args(tenant_id: str, order: OrderSnapshot) -> list[Any]:
    """The parameters of UPSERT_CONTACT."""
    r = order.recipient
    return [
        tenant_id,
        order.order_id,
        order.external_id,
        order.depot_id,
        order.version,
        r.name,
        r.phone,
        r.email,
        list(r.channels),
        r.locale,
    ]


_ORDER_SELECT = (
    "SELECT o.*, d.time_zone FROM orders o LEFT JOIN depots d"
    " ON d.tenant_id = o.tenant_id AND d.depot_id = o.depot_id"
)


def view_of(row: Any, default_zone: str) -> OrderView:
    """An order row (with the depot's `time_zone`) as the domain sees it."""
    return OrderView(
        tenant_id=row["tenant_id"],
        order_id=row["order_id"],
        external_id=row["external_id"],
        depot_id=row["depot_id"],
        name=row["name"],
        phone=row["phone"],
        email=row["email"],
        channels=tuple(row["channels"]),
        locale=row["locale"],
        time_zone=row["time_zone"] or default_zone,
        tracking_token=row["tracking_token"],
        route_id=row["route_id"],
        planned_start=row["planned_start"],
        planned_end=row["planned_end"],
        notified_eta=row["notified_eta"],
        eta_sequence=row["eta_sequence"],
        eta_changed_at=row["eta_changed_at"],
        prior_eta=row["prior_eta"],
        prior_changed_at=row["prior_changed_at"],
        eta_closed=row["eta_closed"],
    )


class PostgresOrders:
    """The notifier's `orders` table (joined with `depots` for the zone) on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def upsert_contact(
        self, tenant_id: str, order: OrderSnapshot, default_zone: str
    ) -> OrderView | None:
        """Store an order's contact and return the order; None when a newer version is stored."""
        row = await self.conn.fetchrow(
            f"WITH {UPSERT_CONTACT} SELECT up.*, d.time_zone FROM up LEFT JOIN depots d"
            " ON d.tenant_id = up.tenant_id AND d.depot_id = up.depot_id",
            *contact_args(tenant_id, order),
        )
        return None if row is None else view_of(row, default_zone)

    async def load(
        self, tenant_id: str, order_id: str, default_zone: str, *, lock: bool = False
    ) -> OrderView | None:
        """The stored order, with its depot's time zone (or the tenant default)."""
        sql = f"{_ORDER_SELECT} WHERE o.tenant_id = $1 AND o.order_id = $2"
        row = await self.conn.fetchrow(
            sql + (" FOR UPDATE OF o" if lock else ""), tenant_id, order_id
        )
        return None if row is None else view_of(row, default_zone)

    async def on_route(self, tenant_id: str, route_id: str, default_zone: str) -> list[OrderView]:
        """Orders the notifier last saw planned on a route."""
        rows = await self.conn.fetch(
            f"{_ORDER_SELECT} WHERE o.tenant_id = $1 AND o.route_id = $2", tenant_id, route_id
        )
        return [view_of(r, default_zone) for r in rows]

    async def set_plan(
        self,
        tenant_id: str,
        depot_id: str,
        route_id: str,
        stops: Sequence[tuple[str, datetime, datetime]],
    ) -> None:
        """Record each order's route and planned window (creating rows for orders not seen yet)."""
        await self.conn.executemany(
            "INSERT INTO orders (tenant_id, order_id, depot_id, route_id, planned_start, planned_end)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, order_id) DO UPDATE SET"
            " route_id = EXCLUDED.route_id, planned_start = EXCLUDED.planned_start,"
            " planned_end = EXCLUDED.planned_end, depot_id = COALESCE(NULLIF(orders.depot_id, ''),"
            " EXCLUDED.depot_id), updated_at = now()",
            [(tenant_id, oid, depot_id, route_id, start, end) for oid, start, end in stops],
        )

    async def set_progress(
        self,
        tenant_id: str,
        order_id: str,
        *,
        tracking_token: str | None = None,
        notified_eta: datetime | None = None,
        eta_sequence: int | None = None,
        route_id: str | None = None,
        eta_closed: str | None = None,
    ) -> None:
        """Update what the notifier knows of an order's progress (only the fields given)."""
        await self.conn.execute(
            "INSERT INTO orders (tenant_id, order_id, tracking_token, notified_eta, eta_sequence,"
            " route_id, eta_closed) VALUES ($1, $2, $3, $4, COALESCE($5, 0), $6, COALESCE($7, ''))"
            " ON CONFLICT (tenant_id, order_id) DO UPDATE SET"
            " tracking_token = COALESCE($3, orders.tracking_token),"
            " notified_eta = COALESCE($4, orders.notified_eta),"
            " eta_sequence = GREATEST(orders.eta_sequence, COALESCE($5, 0)),"
            " route_id = COALESCE($6, orders.route_id),"
            " eta_closed = CASE WHEN orders.eta_closed = '*' THEN '*'"
            " ELSE COALESCE($7, orders.eta_closed) END, updated_at = now()",
            tenant_id,
            order_id,
            tracking_token,
            notified_eta,
            eta_sequence,
            route_id,
            eta_closed,
        )

    async def set_eta_memory(
        self,
        tenant_id: str,
        order_id: str,
        sequence: int,
        tracking_token: str | None,
        memory: EtaMemory,
    ) -> None:
        """After a newer ETA event of a stored (locked) order: its sequence and what was told."""
        await self.conn.execute(
            "UPDATE orders SET eta_sequence = GREATEST(eta_sequence, $3),"
            " tracking_token = COALESCE($4, tracking_token), notified_eta = $5, eta_changed_at = $6,"
            " prior_eta = $7, prior_changed_at = $8, eta_closed = $9, updated_at = now()"
            " WHERE tenant_id = $1 AND order_id = $2",
            tenant_id,
            order_id,
            sequence,
            tracking_token,
            memory.notified_eta,
            memory.eta_changed_at,
            memory.prior_eta,
            memory.prior_changed_at,
            memory.eta_closed,
        )

    async def store_and_confirm(
        self, items: Sequence[NewOrder]
    ) -> list[tuple[OrderView | None, bool]]:
        """Store each order's contact and take its rows' keys if the stored order matches.

        Per item (no two for the same order): the stored order (None when a newer version is
        stored) and whether its rows' keys were dealt with here; if not, the caller renders
        again from the stored order.
        """
        if not items:
            return []
        rows = await self.conn.fetch(confirmations.SQL, *confirmations.args(items))
        stored = {row["n"]: row for row in rows}
        out: list[tuple[OrderView | None, bool]] = []
        for n, item in enumerate(items, start=1):
            row = stored.get(n)
            if row is None:
                out.append((None, True))
            else:
                out.append((view_of(row, item.default_zone), bool(row["agreed"])))
        return out
