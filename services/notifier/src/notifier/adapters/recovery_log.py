"""SQL for deciding `unknown` notifications later: which to ask about, and recording verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lastmile_common.db.pool import Connection

from notifier.domain.recovery import UNDECIDED, Verdict


class PostgresUnknownMessages:
    """`unknown` rows of the `notifications` table on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def undecided(self, channel: str, settle_s: float, limit: int) -> list[Any]:
        """`unknown` rows of a channel that settled for `settle_s`, not judged undecidable.

        Settled: a request written just before a crash has reached the provider by then, or
        never will. Rows claimed over a day ago are left alone (the list is not searched that far).
        """
        return list(
            await self.conn.fetch(
                "SELECT * FROM notifications WHERE state = 'unknown' AND channel = $1"
                " AND finished_at <= now() - make_interval(secs => $2)"
                " AND claimed_at > now() - interval '1 day'"
                " AND reason NOT LIKE $3 ORDER BY claimed_at LIMIT $4",
                channel,
                settle_s,
                f"{UNDECIDED}%",
                limit,
            )
        )

    async def open_among(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(id, channel, state) of these notifications that are `unknown` or still `sending`."""
        rows = await self.conn.fetch(
            "SELECT id, channel, state FROM notifications WHERE id = ANY($1::uuid[])"
            " AND state IN ('unknown', 'sending')",
            list(ids),
        )
        return [(str(r["id"]), r["channel"], r["state"]) for r in rows]

    async def known_sids(self, sids: Sequence[str]) -> set[str]:
        """Which of these provider ids are already recorded on a notification."""
        rows = await self.conn.fetch(
            "SELECT provider_message_id FROM notifications"
            " WHERE provider_message_id = ANY($1::text[])",
            list(sids),
        )
        return {r["provider_message_id"] for r in rows}

    async def record(self, verdicts: Sequence[Verdict]) -> list[Any]:
        """Apply verdicts to rows still `unknown` (or `sending`, left by a process that is gone:
        only the journal's owner passes those); return the rows changed (as they are now)."""
        if not verdicts:
            return []
        return list(
            await self.conn.fetch(
                "UPDATE notifications n SET state = v.state, reason = v.reason,"
                " provider_message_id = COALESCE(v.sid, n.provider_message_id),"
                " provider_status = COALESCE(v.status, n.provider_status),"
                " sent_at = CASE WHEN v.state = 'sent' THEN now() ELSE n.sent_at END,"
                " next_attempt_at = CASE WHEN v.state = 'pending' THEN now()"
                " ELSE n.next_attempt_at END,"
                " finished_at = CASE WHEN v.state = 'pending' THEN NULL ELSE now() END"
                " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])"
                " AS v(id, state, reason, sid, status)"
                " WHERE n.id = v.id AND n.state IN ('unknown', 'sending') RETURNING n.*",
                [v.id for v in verdicts],
                [v.state for v in verdicts],
                [v.reason for v in verdicts],
                [v.provider_message_id for v in verdicts],
                [v.provider_status for v in verdicts],
            )
        )
