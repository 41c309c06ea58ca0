"""The `store.unknown` repository in memory, over the fake notification log's rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from notifier.domain.recovery import UNDECIDED, Verdict


class FakeUnknownMessages:
    """`unknown` rows of the fake log: which to ask about, and verdicts applied to them."""

    def __init__(self, log: Any) -> None:
        self._log = log

    async def undecided(self, channel: str, settle_s: float, limit: int) -> list[Any]:
        now = datetime.now(UTC)
        settled, day_ago = now - timedelta(seconds=settle_s), now - timedelta(days=1)
        rows = [
            r
            for r in self._log.rows.values()
            if r["state"] == "unknown"
            and r["channel"] == channel
            and r["finished_at"] <= settled
            and r["claimed_at"] > day_ago
            and not r["reason"].startswith(UNDECIDED)
        ]
        return sorted(rows, key=lambda r: r["claimed_at"])[:limit]

    async def open_among(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        rows = (self._log.rows.get(i) for i in ids)
        return [
            (r["id"], r["channel"], r["state"])
            for r in rows
            if r is not None and r["state"] in ("unknown", "sending")
        ]

    async def known_sids(self, sids: Sequence[str]) -> set[str]:
        held = {r["provider_message_id"] for r in self._log.rows.values()}
        return {s for s in sids if s in held}

    async def record(self, verdicts: Sequence[Verdict]) -> list[Any]:
        changed = []
        for verdict in verdicts:
            row = self._log.rows[verdict.id]
            if row["state"] not in ("unknown", "sending"):
                continue
            row.update(state=verdict.state, reason=verdict.reason)
            if verdict.state == "pending":  # due again at once, and not over
                row.update(next_attempt_at=datetime.now(UTC), finished_at=None)
            else:
                row["finished_at"] = datetime.now(UTC)
            if verdict.state == "sent":
                row["sent_at"] = datetime.now(UTC)
            row["provider_message_id"] = verdict.provider_message_id or row["provider_message_id"]
            row["provider_status"] = verdict.provider_status or row["provider_status"]
            changed.append(row)
        return changed
