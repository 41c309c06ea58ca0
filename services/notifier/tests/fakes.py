# size: one in-memory stand-in per repository of the NotifierStore port, kept together
"""An in-memory notifier store (the unit of work and its repositories) for unit tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lastmile_common.events.orders import OrderSnapshot
from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.domain.model import OrderView
from notifier.domain.triggers import EtaMemory
from notifier.service_layer.ports import Finished, NewNotification, NewOrder, OutgoingEvent, Row

from .fake_unknown import FakeUnknownMessages


class FakeOrders:
    """The notifier's copy of orders, by (tenant, order)."""

    def __init__(self, depots: FakeDepots, log: FakeNotificationLog) -> None:
        self.rows: dict[tuple[str, str], tuple[int, OrderView]] = {}  # (order version, view)
        self._depots = depots
        self._log = log

    def _view(self, view: OrderView, default_zone: str) -> OrderView:
        return replace(view, time_zone=self._depots.zones.get(view.depot_id, default_zone))

    async def load(
        self, tenant_id: str, order_id: str, default_zone: str, *, lock: bool = False
    ) -> OrderView | None:
        found = self.rows.get((tenant_id, order_id))
        return None if found is None else self._view(found[1], default_zone)

    async def on_route(self, tenant_id: str, route_id: str, default_zone: str) -> list[OrderView]:
        return [
            self._view(view, default_zone)
            for (tenant, _), (_, view) in self.rows.items()
            if tenant == tenant_id and view.route_id == route_id
        ]

    async def upsert_contact(
        self, tenant_id: str, order: OrderSnapshot, default_zone: str
    ) -> OrderView | None:
        version, view = self.rows.get((tenant_id, order.order_id), (0, None))
        if view is not None and version >= order.version:
            return None
        r = order.recipient
        contact: dict[str, Any] = {
            "external_id": order.external_id,
            "depot_id": order.depot_id,
            "name": r.name,
            "phone": r.phone,
            "email": r.email,
            "channels": tuple(r.channels),
            "locale": r.locale,
        }
        view = OrderView(tenant_id, order.order_id, **contact) if view is None else view
        self.rows[(tenant_id, order.order_id)] = (order.version, replace(view, **contact))
        return self._view(self.rows[(tenant_id, order.order_id)][1], default_zone)

    async def store_and_confirm(
        self, items: Sequence[NewOrder]
    ) -> list[tuple[OrderView | None, bool]]:
        out: list[tuple[OrderView | None, bool]] = []
        for item in items:
            view = await self.upsert_contact(item.tenant_id, item.order, item.default_zone)
            agreed = view is not None and (
                view.tracking_token is None and view.time_zone == item.guessed_zone
            )
            if agreed:
                await self._log.insert_many(item.rows)
            out.append((view, view is None or agreed))
        return out

    async def set_plan(
        self,
        tenant_id: str,
        depot_id: str,
        route_id: str,
        stops: Sequence[tuple[str, datetime, datetime]],
    ) -> None:
        for order_id, start, end in stops:
            version, view = self.rows.get(
                (tenant_id, order_id), (0, OrderView(tenant_id, order_id, depot_id=depot_id))
            )
            planned = replace(view, route_id=route_id, planned_start=start, planned_end=end)
            self.rows[(tenant_id, order_id)] = (version, planned)

    async def set_progress(self, tenant_id: str, order_id: str, **fields: Any) -> None:
        version, view = self.rows.get((tenant_id, order_id), (0, OrderView(tenant_id, order_id)))
        given = {name: value for name, value in fields.items() if value is not None}
        if view.eta_closed == "*":
            given.pop("eta_closed", None)
        if "eta_sequence" in given:
            given["eta_sequence"] = max(view.eta_sequence, given["eta_sequence"])
        self.rows[(tenant_id, order_id)] = (version, replace(view, **given))

    async def set_eta_memory(
        self,
        tenant_id: str,
        order_id: str,
        sequence: int,
        tracking_token: str | None,
        memory: EtaMemory,
    ) -> None:
        version, view = self.rows[(tenant_id, order_id)]
        self.rows[(tenant_id, order_id)] = (
            version,
            replace(
                view,
                eta_sequence=max(view.eta_sequence, sequence),
                tracking_token=tracking_token or view.tracking_token,
                notified_eta=memory.notified_eta,
                eta_changed_at=memory.eta_changed_at,
                prior_eta=memory.prior_eta,
                prior_changed_at=memory.prior_changed_at,
                eta_closed=memory.eta_closed,
            ),
        )


class FakeDepots:
    """Depots' time zones (one tenant's worth is enough for unit tests)."""

    def __init__(self) -> None:
        self.zones: dict[str, str] = {}

    async def zone(self, tenant_id: str, depot_id: str) -> str | None:
        return self.zones.get(depot_id)

    async def set_zone(self, tenant_id: str, depot_id: str, zone: str) -> None:
        self.zones[depot_id] = zone


class FakeSettings:
    """Tenants' settings."""

    def __init__(self) -> None:
        self.configs: dict[str, TenantConfig] = {}

    async def get(self, tenant_id: str) -> TenantConfig | None:
        return self.configs.get(tenant_id)

    async def put(self, tenant_id: str, config: TenantConfig) -> None:
        self.configs[tenant_id] = config


class FakeTemplates:
    """Tenants' templates by (tenant, kind, channel, locale)."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str, str, str], TemplateSource] = {}

    async def of_kind(self, tenant_id: str, kind: str, channel: str) -> dict[str, TemplateSource]:
        return {
            locale: replace(source, origin=f"tenant:{locale or 'default'}")
            for (tenant, k, c, locale), source in self.stored.items()
            if (tenant, k, c) == (tenant_id, kind, channel)
        }

    async def put(
        self, tenant_id: str, kind: str, channel: str, locale: str, source: TemplateSource
    ) -> None:
        self.stored[(tenant_id, kind, channel, locale)] = source

    async def delete(self, tenant_id: str, kind: str, channel: str, locale: str) -> bool:
        return self.stored.pop((tenant_id, kind, channel, locale), None) is not None

    async def all_of(self, tenant_id: str) -> list[dict[str, Any]]:
        return [
            {"kind": k, "channel": c, "locale": locale, "body_text": source.text}
            for (tenant, k, c, locale), source in sorted(self.stored.items())
            if tenant == tenant_id
        ]


class FakeOptOuts:
    """Opted-out (tenant or '*', channel, address) triples."""

    def __init__(self) -> None:
        self.entries: set[tuple[str, str, str]] = set()

    async def add(self, tenant_id: str, channel: str, address: str, source: str) -> None:
        self.entries.add((tenant_id, channel, address))

    async def remove(self, tenant_id: str, channel: str, address: str) -> None:
        self.entries.discard((tenant_id, channel, address))


class FakeNotificationLog:
    """Notification rows as dicts, one per key; opted-out addresses are suppressed."""

    def __init__(self, opt_outs: FakeOptOuts) -> None:
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
            state = row.state
            reason = row.reason
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
                "created_at": datetime.now(UTC),
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
                row.update(state="dropped", reason=reason)
                dropped += 1
        return dropped

    async def claim_due(self, limit: int) -> list[Row]:
        due = [r for r in self.rows.values() if r["state"] == "pending"][:limit]
        for row in due:
            row.update(state="sending", attempts=row["attempts"] + 1)
        return due

    async def recover_sending(self, lease_s: float) -> int:
        stuck = [r for r in self.rows.values() if r["state"] == "sending"]
        for row in stuck:
            row["state"] = "unknown"
        return len(stuck)

    async def finish(self, outcomes: Sequence[Finished]) -> None:
        for notification_id, state, provider_id, reason, _, delta in outcomes:
            row = self.rows[notification_id]
            if row["state"] == "sending":
                row.update(state=state, reason=reason, attempts=row["attempts"] + delta)
                row["provider_message_id"] = provider_id or row["provider_message_id"]

    async def by_provider_id(self, provider_message_id: str) -> Row | None:
        for row in self.rows.values():
            if row["provider_message_id"] == provider_message_id:
                return row
        return None

    async def set_final(self, notification_id: str, state: str, status: str, reason: str) -> None:
        self.rows[notification_id].update(state=state, provider_status=status, reason=reason)

    async def set_provider_status(self, notification_id: str, status: str) -> None:
        self.rows[notification_id]["provider_status"] = status

    async def history(self, tenant_id: str, order_id: str | None, limit: int) -> list[Row]:
        rows = [
            r
            for r in self.rows.values()
            if r["tenant_id"] == tenant_id and order_id in (None, r["order_id"])
        ]
        return sorted(rows, key=lambda r: r["created_at"], reverse=True)[:limit]


class FakeStore:
    """Every repository in memory, the outbox as a list; transactions are counted."""

    def __init__(self) -> None:
        self.depots = FakeDepots()
        self.settings = FakeSettings()
        self.templates = FakeTemplates()
        self.opt_outs = FakeOptOuts()
        self.notifications = FakeNotificationLog(self.opt_outs)
        self.orders = FakeOrders(self.depots, self.notifications)
        self.unknown = FakeUnknownMessages(self.notifications)
        self.published: list[OutgoingEvent] = []
        self.transactions = 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self.transactions += 1
        yield

    async def publish(self, events: Sequence[OutgoingEvent]) -> None:
        self.published.extend(events)
