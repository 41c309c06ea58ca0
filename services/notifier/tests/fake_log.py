"""The notification log in memory: one dict per key, with the PostgreSQL store's timestamps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from notifier.service_layer.ports import Finished, NewNotification, Row

# Outcomes after which a row is over (`finished_at` set), as `finish` records them.
_OVER = ("failed", "unknown", "dropped")


class OptOuts(Protocol):
    """What the log needs of the opt-outs: the (tenant or '*', channel, address) entries."""

    entries: set[tuple[str, str, str]]


def _now() -> datetime:
    return datetime.now(UTC)


class FakeNotificationLog:
    """Notification rows as dicts, one per key; opted-out addresses are suppressed."""

    def __init__(self, opt_outs: OptOuts) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self._opt_outs = opt_outs

    def _opted_out(self, row: NewNotification) -> bool:
        return any(
            (tenant, row.channel, row.address) in self._opt_outs.entries
            for tenant in (row.tenant_id, "*")
        )

    async def insert_many(self, rows: Sequence[NewNotification]) -> list[str]:
        taken = []
        keys = {(r["tenant_id"], r["order_id"], r["kind"], r["scope"], r["version"], r["channel"])
                for r in self.rows.values()}  # fmt: skip
        for row in rows:
            key = (row.tenant_id, row.order_id, row.kind, row.scope, row.version, row.channel)
            if key in keys:
                continue
            state, reason = row.state, row.reason
            if state == "pending" and self._opted_out(row):
                state, reason = "suppressed", "opted out"
            notification_id = str(uuid.uuid4())
            self.rows[notification_id] = {
                **row.__dict__,
                "id": notification_id,
                "state": state,
                "reason": reason,
                "attempts": 0,
                "provider_message_id": None,
                "provider_status": None,
                "created_at": _now(),
                "claimed_at": None,
                "sent_at": None,
                "finished_at": None if state == "pending" else _now(),
            }
            taken.append(notification_id)
        return taken

    async def drop_pending(
        self, tenant_id: str, order_id: str, kinds: Sequence[str], reason: str
    ) -> int:
        dropped = 0
        for row in self.rows.values():
            if (row["tenant_id"], row["order_id"]) == (tenant_id, order_id) and (
                row["kind"] in kinds and row["state"] == "pending"
            ):
                row.update(state="dropped", reason=reason, finished_at=_now())
                dropped += 1
        return dropped

    async def claim_due(self, limit: int) -> list[Row]:
        now = _now()
        due = [
            r for r in self.rows.values() if r["state"] == "pending" and r["next_attempt_at"] <= now
        ]
        claimed = []
        for row in sorted(due, key=lambda r: r["next_attempt_at"])[:limit]:
            row["claimed_at"] = now
            if row["expires_at"] is not None and row["expires_at"] < now:
                row.update(state="dropped", reason="stale", finished_at=now)
                continue
            row.update(state="sending", attempts=row["attempts"] + 1)
            claimed.append(row)
        return claimed

    async def recover_sending(self, lease_s: float) -> int:
        leased = _now() - timedelta(seconds=lease_s)
        stuck = [r for r in self.rows.values() if r["state"] == "sending"]
        stuck = [r for r in stuck if r["claimed_at"] <= leased]
        for row in stuck:
            reason = "dispatcher stopped before the provider answered"
            row.update(state="unknown", reason=reason, finished_at=_now())
        return len(stuck)

    async def finish(self, outcomes: Sequence[Finished]) -> None:
        for notification_id, state, provider_id, reason, next_at, delta in outcomes:
            row = self.rows[notification_id]
            if row["state"] != "sending":
                continue
            row.update(state=state, reason=reason, attempts=row["attempts"] + delta)
            row["provider_message_id"] = provider_id or row["provider_message_id"]
            row["next_attempt_at"] = next_at or row["next_attempt_at"]
            if state == "sent":
                row["sent_at"] = _now()
            if state in _OVER:
                row["finished_at"] = _now()

    async def by_provider_id(self, provider_message_id: str) -> Row | None:
        for row in self.rows.values():
            if row["provider_message_id"] == provider_message_id:
                return row
        return None

    async def set_final(self, notification_id: str, state: str, status: str, reason: str) -> None:
        self.rows[notification_id].update(
            state=state, provider_status=status, reason=reason, finished_at=_now()
        )

    async def set_provider_status(self, notification_id: str, status: str) -> None:
        self.rows[notification_id]["provider_status"] = status

    async def history(self, tenant_id: str, order_id: str | None, limit: int) -> list[Row]:
        rows = [
            r
            for r in self.rows.values()
            if r["tenant_id"] == tenant_id and order_id in (None, r["order_id"])
        ]
        return sorted(rows, key=lambda r: r["created_at"], reverse=True)[:limit]
