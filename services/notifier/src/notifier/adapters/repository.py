"""SQL for the notifier's own copy of orders, depots, tenant settings, templates and opt-outs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lastmile_common.db.pool import Connection
from lastmile_common.events.orders import OrderSnapshot

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.domain.model import OrderView
from notifier.domain.triggers import EtaMemory


async def get_config(conn: Connection, tenant_id: str) -> TenantConfig | None:
    """A tenant's stored settings, if any."""
    raw = await conn.fetchval("SELECT config FROM tenant_settings WHERE tenant_id = $1", tenant_id)
    return None if raw is None else TenantConfig.model_validate(raw)


async def put_config(conn: Connection, tenant_id: str, config: TenantConfig) -> None:
    """Store a tenant's settings."""
    await conn.execute(
        "INSERT INTO tenant_settings (tenant_id, config) VALUES ($1, $2) ON CONFLICT (tenant_id)"
        " DO UPDATE SET config = EXCLUDED.config, updated_at = now()",
        tenant_id,
        config.model_dump(mode="json"),
    )


async def tenant_templates(
    conn: Connection, tenant_id: str, kind: str, channel: str
) -> dict[str, TemplateSource]:
    """A tenant's templates of one kind and channel, by locale ('' = tenant default)."""
    rows = await conn.fetch(
        "SELECT locale, subject, body_text, body_html FROM templates"
        " WHERE tenant_id = $1 AND kind = $2 AND channel = $3",
        tenant_id,
        kind,
        channel,
    )
    return {
        r["locale"]: TemplateSource(
            r["body_text"],
            r["subject"],
            r["body_html"],
            origin=f"tenant:{r['locale'] or 'default'}",
        )
        for r in rows
    }


async def put_template(
    conn: Connection, tenant_id: str, kind: str, channel: str, locale: str, source: TemplateSource
) -> None:
    """Store (or replace) a tenant template."""
    await conn.execute(
        "INSERT INTO templates (tenant_id, kind, channel, locale, subject, body_text, body_html)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, kind, channel, locale)"
        " DO UPDATE SET subject = EXCLUDED.subject, body_text = EXCLUDED.body_text,"
        " body_html = EXCLUDED.body_html, updated_at = now()",
        tenant_id,
        kind,
        channel,
        locale,
        source.subject,
        source.text,
        source.html,
    )


async def delete_template(
    conn: Connection, tenant_id: str, kind: str, channel: str, locale: str
) -> bool:
    """Remove a tenant template; False if there was none."""
    status = await conn.execute(
        "DELETE FROM templates WHERE tenant_id = $1 AND kind = $2 AND channel = $3 AND locale = $4",
        tenant_id,
        kind,
        channel,
        locale,
    )
    return bool(status.endswith(" 1"))


async def list_templates(conn: Connection, tenant_id: str) -> list[dict[str, Any]]:
    """Every template a tenant stored."""
    rows = await conn.fetch(
        "SELECT kind, channel, locale, subject, body_text, body_html, updated_at FROM templates"
        " WHERE tenant_id = $1 ORDER BY kind, channel, locale",
        tenant_id,
    )
    return [dict(r) for r in rows]


async def depot_zone(conn: Connection, tenant_id: str, depot_id: str) -> str | None:
    """A depot's time zone, if known."""
    value = await conn.fetchval(
        "SELECT time_zone FROM depots WHERE tenant_id = $1 AND depot_id = $2", tenant_id, depot_id
    )
    return None if value is None else str(value)


async def set_depot_zone(conn: Connection, tenant_id: str, depot_id: str, zone: str) -> None:
    """Remember a depot's time zone."""
    await conn.execute(
        "INSERT INTO depots (tenant_id, depot_id, time_zone) VALUES ($1, $2, $3)"
        " ON CONFLICT (tenant_id, depot_id) DO UPDATE SET time_zone = EXCLUDED.time_zone",
        tenant_id,
        depot_id,
        zone,
    )


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


async def upsert_contact(
    conn: Connection, tenant_id: str, order: OrderSnapshot, default_zone: str
) -> OrderView | None:
    """Store an order's contact and return the order; None when a newer version is stored."""
    row = await conn.fetchrow(
        f"WITH {UPSERT_CONTACT} SELECT up.*, d.time_zone FROM up LEFT JOIN depots d"
        " ON d.tenant_id = up.tenant_id AND d.depot_id = up.depot_id",
        *contact_args(tenant_id, order),
    )
    return None if row is None else view_of(row, default_zone)


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


async def load_order(
    conn: Connection, tenant_id: str, order_id: str, default_zone: str, *, lock: bool = False
) -> OrderView | None:
    """The stored order, with its depot's time zone (or the tenant default)."""
    sql = f"{_ORDER_SELECT} WHERE o.tenant_id = $1 AND o.order_id = $2"
    row = await conn.fetchrow(sql + (" FOR UPDATE OF o" if lock else ""), tenant_id, order_id)
    return None if row is None else view_of(row, default_zone)


async def orders_on_route(
    conn: Connection, tenant_id: str, route_id: str, default_zone: str
) -> list[OrderView]:
    """Orders the notifier last saw planned on a route."""
    rows = await conn.fetch(
        f"{_ORDER_SELECT} WHERE o.tenant_id = $1 AND o.route_id = $2", tenant_id, route_id
    )
    return [view_of(r, default_zone) for r in rows]


async def set_plan(
    conn: Connection,
    tenant_id: str,
    depot_id: str,
    route_id: str,
    stops: Sequence[tuple[str, datetime, datetime]],
) -> None:
    """Record each order's route and planned window (creating rows for orders not seen yet)."""
    await conn.executemany(
        "INSERT INTO orders (tenant_id, order_id, depot_id, route_id, planned_start, planned_end)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, order_id) DO UPDATE SET"
        " route_id = EXCLUDED.route_id, planned_start = EXCLUDED.planned_start,"
        " planned_end = EXCLUDED.planned_end, depot_id = COALESCE(NULLIF(orders.depot_id, ''),"
        " EXCLUDED.depot_id), updated_at = now()",
        [(tenant_id, oid, depot_id, route_id, start, end) for oid, start, end in stops],
    )


async def set_progress(
    conn: Connection,
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
    await conn.execute(
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
    conn: Connection,
    tenant_id: str,
    order_id: str,
    sequence: int,
    tracking_token: str | None,
    memory: EtaMemory,
) -> None:
    """After a newer ETA event of a stored (locked) order: its sequence and what was told."""
    await conn.execute(
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


async def is_opted_out(conn: Connection, tenant_id: str, channel: str, address: str) -> bool:
    """Whether the address opted out of a channel, for this tenant or for all ('*')."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM opt_outs WHERE channel = $1 AND address = $2"
            " AND tenant_id IN ($3, '*'))",
            channel,
            address,
            tenant_id,
        )
    )


async def add_opt_out(
    conn: Connection, tenant_id: str, channel: str, address: str, source: str
) -> None:
    """Record an opt-out."""
    await conn.execute(
        "INSERT INTO opt_outs (tenant_id, channel, address, source) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING",
        tenant_id,
        channel,
        address,
        source,
    )


async def remove_opt_out(conn: Connection, tenant_id: str, channel: str, address: str) -> None:
    """Forget an opt-out (SMS START)."""
    await conn.execute(
        "DELETE FROM opt_outs WHERE tenant_id = $1 AND channel = $2 AND address = $3",
        tenant_id,
        channel,
        address,
    )
