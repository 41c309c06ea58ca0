"""One statement for a batch of new orders: store their contacts and take confirmation keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from notifier.service_layer.ports import NewOrder

# Each order is stored unless a newer version is; its rows take their keys only if the stored
# order agrees with what they assumed (no tracking token, the guessed zone).
SQL = (
    "WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
    " $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],"
    " $12::text[]) WITH ORDINALITY AS i(tenant_id, order_id, external_id, depot_id,"
    " order_version, name, phone, email, channels, locale, default_zone, guessed_zone, n)),"
    " up AS (INSERT INTO orders (tenant_id, order_id, external_id, depot_id, order_version,"
    " name, phone, email, channels, locale) SELECT tenant_id, order_id, external_id, depot_id,"
    " order_version, name, phone, email, string_to_array(channels, ','), locale FROM input"
    " ON CONFLICT (tenant_id, order_id) DO UPDATE SET external_id = EXCLUDED.external_id,"
    " depot_id = EXCLUDED.depot_id, order_version = EXCLUDED.order_version,"
    " name = EXCLUDED.name, phone = EXCLUDED.phone, email = EXCLUDED.email,"
    " channels = EXCLUDED.channels, locale = EXCLUDED.locale, updated_at = now()"
    " WHERE orders.order_version < EXCLUDED.order_version RETURNING *),"
    " stored AS (SELECT up.*, d.time_zone, i.n, up.tracking_token IS NULL"
    " AND COALESCE(d.time_zone, i.default_zone) = i.guessed_zone AS agreed"
    " FROM up JOIN input i ON i.tenant_id = up.tenant_id AND i.order_id = up.order_id"
    " LEFT JOIN depots d ON d.tenant_id = up.tenant_id AND d.depot_id = up.depot_id),"
    " rows AS (SELECT s.tenant_id, s.order_id, r.*, CASE WHEN r.state = 'pending' AND EXISTS"
    " (SELECT 1 FROM opt_outs o WHERE o.channel = r.channel AND o.address = r.address"
    " AND o.tenant_id IN (s.tenant_id, '*')) THEN 'suppressed' ELSE r.state END AS fate"
    " FROM unnest($13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],"
    " $19::int[], $20::text[], $21::text[], $22::timestamptz[], $23::text[], $24::text[],"
    " $25::int[], $26::timestamptz[], $27::timestamptz[], $28::text[]) AS r(n, channel, address,"
    " subject, body_text, body_html, segments, state, reason, next_attempt_at, kind, scope,"
    " version, expires_at, event_time, traceparent) JOIN stored s ON s.n = r.n WHERE s.agreed),"
    " taken AS (INSERT INTO notifications (tenant_id, order_id, kind, scope, version, channel,"
    " address, subject, body_text, body_html, segments, state, reason, next_attempt_at,"
    " expires_at, event_time, finished_at, traceparent) SELECT tenant_id, order_id, kind, scope,"
    " version, channel, address, subject, body_text, body_html, segments, fate,"
    " CASE WHEN fate = 'suppressed' THEN 'opted out' ELSE reason END, next_attempt_at,"
    " expires_at, event_time, CASE WHEN fate <> 'pending' THEN now() END, traceparent FROM rows"
    " ON CONFLICT (tenant_id, order_id, kind, scope, version, channel) DO NOTHING RETURNING id)"
    " SELECT stored.*, (SELECT count(*) FROM taken) AS taken FROM stored"
)


def args(items: Sequence[NewOrder]) -> list[Any]:
    """The parameters of SQL: twelve order columns, then sixteen notification columns."""
    orders: list[list[Any]] = [[] for _ in range(12)]
    rows: list[list[Any]] = [[] for _ in range(16)]
    for n, item in enumerate(items, start=1):
        o, r = item.order, item.order.recipient
        contact: tuple[Any, ...] = (
            item.tenant_id,
            o.order_id,
            o.external_id,
            o.depot_id,
            o.version,
            r.name,
            r.phone,
            r.email,
            ",".join(r.channels),
            r.locale,
            item.default_zone,
            item.guessed_zone,
        )
        for column, value in zip(orders, contact, strict=True):
            column.append(value)
        for x in item.rows:
            values: tuple[Any, ...] = (
                n,
                x.channel,
                x.address,
                x.subject,
                x.body_text,
                x.body_html,
                x.segments,
                x.state,
                x.reason,
                x.next_attempt_at,
                x.kind,
                x.scope,
                x.version,
                x.expires_at,
                x.event_time,
                x.traceparent,
            )
            for column, value in zip(rows, values, strict=True):
                column.append(value)
    return [*orders, *rows]
