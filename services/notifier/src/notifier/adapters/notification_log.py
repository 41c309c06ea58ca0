"""SQL for the notification log: one row per key, claimed and finished by the dispatcher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lastmile_common.db.pool import Connection

from notifier.service_layer.ports import Finished, NewNotification, Row


def keys_sql(first: int, only_if: str = "TRUE") -> str:
    """CTEs `rows` and `taken`: one intent's rows (one per channel), with `only_if` holding.

    Parameters: $1 tenant, $2 order, then from $`first` the 15 values of `key_args` in order.
    An address that opted out gets the row `suppressed`; a key already taken is left alone.
    """
    p = [f"${first + i}" for i in range(15)]
    return (
        "rows AS (SELECT r.*, CASE WHEN r.state = 'pending' AND EXISTS (SELECT 1 FROM opt_outs o"
        " WHERE o.channel = r.channel AND o.address = r.address AND o.tenant_id IN ($1, '*'))"
        " THEN 'suppressed' ELSE r.state END AS fate"
        f" FROM unnest({p[0]}::text[], {p[1]}::text[], {p[2]}::text[], {p[3]}::text[],"
        f" {p[4]}::text[], {p[5]}::int[], {p[6]}::text[], {p[7]}::text[],"
        f" {p[8]}::timestamptz[]) AS r(channel, address, subject, body_text, body_html,"
        f" segments, state, reason, next_attempt_at) WHERE {only_if}),"
        " taken AS (INSERT INTO notifications (tenant_id, order_id, kind, scope, version,"
        " channel, address, subject, body_text, body_html, segments, state, reason,"
        " next_attempt_at, expires_at, event_time, finished_at, traceparent)"
        f" SELECT $1, $2, {p[9]}, {p[10]}, {p[11]}, r.channel, r.address, r.subject, r.body_text,"
        " r.body_html, r.segments, r.fate,"
        " CASE WHEN r.fate = 'suppressed' THEN 'opted out' ELSE r.reason END,"
        f" r.next_attempt_at, {p[12]}, {p[13]}, CASE WHEN r.fate <> 'pending' THEN now() END,"
        f" {p[14]}::text"
        " FROM rows r ON CONFLICT (tenant_id, order_id, kind, scope, version, channel)"
        " DO NOTHING RETURNING id)"
    )


def key_args(rows: Sequence[NewNotification]) -> list[Any]:
    """The 15 values `keys_sql` expects after tenant and order, for rows of one intent."""
    first = rows[0]
    return [
        [r.channel for r in rows],
        [r.address for r in rows],
        [r.subject for r in rows],
        [r.body_text for r in rows],
        [r.body_html for r in rows],
        [r.segments for r in rows],
        [r.state for r in rows],
        [r.reason for r in rows],
        [r.next_attempt_at for r in rows],
        first.kind,
        first.scope,
        first.version,
        first.expires_at,
        first.event_time,
        first.traceparent,
    ]


_INSERT_MANY = f"WITH {keys_sql(3)} SELECT id FROM taken"


class PostgresNotificationLog:
    """The `notifications` table on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert_many(self, rows: Sequence[NewNotification]) -> list[str]:
        """Take the keys of one intent's rows (one per channel); return the ids newly taken."""
        if not rows:
            return []
        args = [rows[0].tenant_id, rows[0].order_id, *key_args(rows)]
        return [str(r["id"]) for r in await self.conn.fetch(_INSERT_MANY, *args)]

    async def drop_pending(
        self, tenant_id: str, order_id: str, kinds: Sequence[str], reason: str
    ) -> int:
        """Drop not-yet-sent messages of some kinds for an order (superseded or obsolete)."""
        status = await self.conn.execute(
            "UPDATE notifications SET state = 'dropped', reason = $4, finished_at = now()"
            " WHERE tenant_id = $1 AND order_id = $2 AND kind = ANY($3::text[]) AND state = 'pending'",
            tenant_id,
            order_id,
            list(kinds),
            reason,
        )
        return int(status.split()[-1])

    async def claim_due(self, limit: int) -> list[Row]:
        """Claim due rows and mark them `sending`; the caller commits BEFORE calling providers.

        Rows past their expiry (an ETA window already over) are dropped instead of claimed.
        """
        return list(
            await self.conn.fetch(
                "WITH due AS (SELECT id FROM notifications WHERE state = 'pending'"
                " AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1"
                " FOR UPDATE SKIP LOCKED),"
                " claimed AS (UPDATE notifications n SET"
                " state = CASE WHEN n.expires_at < now() THEN 'dropped' ELSE 'sending' END,"
                " reason = CASE WHEN n.expires_at < now() THEN 'stale' ELSE n.reason END,"
                " finished_at = CASE WHEN n.expires_at < now() THEN now() END,"
                " attempts = n.attempts + CASE WHEN n.expires_at < now() THEN 0 ELSE 1 END,"
                " claimed_at = now() FROM due WHERE n.id = due.id RETURNING n.*)"
                " SELECT * FROM claimed WHERE state = 'sending'",
                limit,
            )
        )

    async def recover_sending(self, lease_s: float) -> int:
        """Rows a crashed dispatcher left in `sending`: the provider may have them, so `unknown`."""
        status = await self.conn.execute(
            "UPDATE notifications SET state = 'unknown', finished_at = now(),"
            " reason = 'dispatcher stopped before the provider answered'"
            " WHERE state = 'sending' AND claimed_at <= now() - make_interval(secs => $1)",
            lease_s,
        )
        return int(status.split()[-1])

    async def finish(self, outcomes: Sequence[Finished]) -> None:
        """Record send outcomes (see `Finished`), many in one statement."""
        ids, states, provider_ids, reasons, next_at, deltas = (
            list(c) for c in zip(*outcomes, strict=True)
        )
        # One statement for the whole batch; only rows still `sending` are ours to finish.
        await self.conn.execute(
            "UPDATE notifications n SET state = u.state,"
            " provider_message_id = COALESCE(u.provider_id, n.provider_message_id),"
            " reason = u.reason, attempts = n.attempts + u.delta,"
            " next_attempt_at = COALESCE(u.next_at, n.next_attempt_at),"
            " sent_at = CASE WHEN u.state = 'sent' THEN now() ELSE n.sent_at END,"
            " finished_at = CASE WHEN u.state IN ('failed', 'unknown', 'dropped') THEN now()"
            " ELSE n.finished_at END"
            " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],"
            " $6::int[]) AS u(id, state, provider_id, reason, next_at, delta)"
            " WHERE n.id = u.id AND n.state = 'sending'",
            ids,
            states,
            provider_ids,
            reasons,
            next_at,
            deltas,
        )

    async def by_provider_id(self, provider_message_id: str) -> Row | None:
        """The row a provider status callback is about, locked."""
        return await self.conn.fetchrow(
            "SELECT * FROM notifications WHERE provider_message_id = $1 FOR UPDATE",
            provider_message_id,
        )

    async def set_final(self, notification_id: str, state: str, status: str, reason: str) -> None:
        """Record a provider's final status (delivered, failed)."""
        await self.conn.execute(
            "UPDATE notifications SET state = $2, provider_status = $3, reason = $4,"
            " finished_at = now() WHERE id = $1::uuid",
            notification_id,
            state,
            status,
            reason,
        )

    async def set_provider_status(self, notification_id: str, status: str) -> None:
        """Record an intermediate provider status (queued, sent)."""
        await self.conn.execute(
            "UPDATE notifications SET provider_status = $2 WHERE id = $1::uuid",
            notification_id,
            status,
        )

    async def history(self, tenant_id: str, order_id: str | None, limit: int) -> list[Row]:
        """A tenant's notifications, newest first, optionally for one order."""
        return list(
            await self.conn.fetch(
                "SELECT * FROM notifications WHERE tenant_id = $1"
                " AND ($2::text IS NULL OR order_id = $2) ORDER BY created_at DESC LIMIT $3",
                tenant_id,
                order_id,
                limit,
            )
        )
