"""An in-memory notifier store (the unit of work and its repositories) for unit tests."""

from __future__ import annotations

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
from notifier.service_layer.ports import NewOrder, OutgoingEvent

from .fake_log import FakeNotificationLog
from .fake_unknown import FakeUnknownMessages


class FakeOrders:
    """The notifier's copy of orders, by (tenant, order)."""

    def __init__(self, depots: FakeDepots, log: FakeNotificationLog) -> None:
        self.rows: dict[tuple[str, str], tuple[int, OrderView]] = {}  # (order version, view)
        self._depots = depots
        self._log = log

    def _view(self, view: OrderView, default_zone: str) -> OrderView:
        zone = self._depots.zones.get((view.tenant_id, view.depot_id), default_zone)
        return replace(view, time_zone=zone)

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
                memory.applied_to(view, sequence),
                tracking_token=tracking_token or view.tracking_token,
            ),
        )


class FakeDepots:
    """Depots' time zones, by (tenant, depot)."""

    def __init__(self) -> None:
        self.zones: dict[tuple[str, str], str] = {}

    async def zone(self, tenant_id: str, depot_id: str) -> str | None:
        return self.zones.get((tenant_id, depot_id))

    async def set_zone(self, tenant_id: str, depot_id: str, zone: str) -> None:
        self.zones[(tenant_id, depot_id)] = zone


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
        self.updated: dict[tuple[str, str, str, str], datetime] = {}

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
        self.updated[(tenant_id, kind, channel, locale)] = datetime.now(UTC)

    async def delete(self, tenant_id: str, kind: str, channel: str, locale: str) -> bool:
        return self.stored.pop((tenant_id, kind, channel, locale), None) is not None

    async def all_of(self, tenant_id: str) -> list[dict[str, Any]]:
        return [
            {
                "kind": key[1],
                "channel": key[2],
                "locale": key[3],
                "subject": source.subject,
                "body_text": source.text,
                "body_html": source.html,
                "updated_at": self.updated[key],
            }
            for key, source in sorted(self.stored.items())
            if key[0] == tenant_id
        ]


class FakeOptOuts:
    """Opted-out (tenant or '*', channel, address) triples."""

    def __init__(self) -> None:
        self.entries: set[tuple[str, str, str]] = set()

    async def add(self, tenant_id: str, channel: str, address: str, source: str) -> None:
        self.entries.add((tenant_id, channel, address))

    async def remove(self, tenant_id: str, channel: str, address: str) -> None:
        self.entries.discard((tenant_id, channel, address))


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
