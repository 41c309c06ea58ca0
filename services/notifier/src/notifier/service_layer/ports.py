"""What the use cases need from storage: one store per connection holding the repositories.

PostgreSQL implements these in `adapters/`; providers implement `Channel`
(`service_layer/channels.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import trace_context
from lastmile_common.events.orders import OrderSnapshot

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.domain.model import OrderView
from notifier.domain.recovery import Verdict
from notifier.domain.triggers import EtaMemory

Row = Any  # a `notifications` row (a database record), read by column name
# A send's outcome: (id, state, provider id, reason, next attempt for `pending`, attempts delta).
Finished = tuple[str, str, str | None, str, datetime | None, int]


@dataclass(frozen=True)
class NewNotification:
    """A row to insert: the key, the rendered message, when it may go and when it is stale."""

    tenant_id: str
    order_id: str
    kind: str
    scope: str
    version: int
    channel: str
    address: str
    subject: str
    body_text: str
    body_html: str
    segments: int | None
    state: str
    reason: str
    next_attempt_at: datetime
    expires_at: datetime | None
    event_time: datetime | None
    # The trace of the event being handled, which the notification's events continue.
    traceparent: str = field(default_factory=trace_context)


@dataclass(frozen=True)
class NewOrder:
    """A new order's contact and its confirmation rows, rendered for `guessed_zone` and no
    tracking token; `default_zone` is the tenant's."""

    tenant_id: str
    order: OrderSnapshot
    default_zone: str
    guessed_zone: str
    rows: Sequence[NewNotification]


@dataclass(frozen=True)
class OutgoingEvent:
    """An event for the outbox: its data, tenant, partition key and subject, and the trace it
    continues (a notification's, stored with it; else the current one)."""

    data: EventData
    tenant_id: str
    key: str
    subject: str
    traceparent: str | None = None


class OrdersRepository(Protocol):
    """The notifier's own copy of orders: contact, plan and what customers were told."""

    async def load(
        self, tenant_id: str, order_id: str, default_zone: str, *, lock: bool = False
    ) -> OrderView | None: ...

    async def on_route(self, tenant_id: str, route_id: str, default_zone: str) -> list[OrderView]:
        """Orders last seen planned on a route."""
        ...

    async def upsert_contact(
        self, tenant_id: str, order: OrderSnapshot, default_zone: str
    ) -> OrderView | None:
        """Store the contact; None when a newer version is stored."""
        ...

    async def store_and_confirm(
        self, items: Sequence[NewOrder]
    ) -> list[tuple[OrderView | None, bool]]:
        """Store each order and take its rows' keys if the stored order matches their guess."""
        ...

    async def set_plan(
        self,
        tenant_id: str,
        depot_id: str,
        route_id: str,
        stops: Sequence[tuple[str, datetime, datetime]],
    ) -> None: ...

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
        """Update only the fields given."""
        ...

    async def set_eta_memory(
        self,
        tenant_id: str,
        order_id: str,
        sequence: int,
        tracking_token: str | None,
        memory: EtaMemory,
    ) -> None: ...


class DepotsRepository(Protocol):
    """Depots' time zones, learnt from routes."""

    async def zone(self, tenant_id: str, depot_id: str) -> str | None: ...

    async def set_zone(self, tenant_id: str, depot_id: str, zone: str) -> None: ...


class SettingsRepository(Protocol):
    """Tenants' notifier settings."""

    async def get(self, tenant_id: str) -> TenantConfig | None: ...

    async def put(self, tenant_id: str, config: TenantConfig) -> None: ...


class TemplatesRepository(Protocol):
    """Tenants' own templates, by kind, channel and locale ('' = the tenant's default)."""

    async def of_kind(self, tenant_id: str, kind: str, channel: str) -> dict[str, TemplateSource]:
        """A kind and channel's templates, by locale."""
        ...

    async def put(
        self, tenant_id: str, kind: str, channel: str, locale: str, source: TemplateSource
    ) -> None: ...

    async def delete(self, tenant_id: str, kind: str, channel: str, locale: str) -> bool: ...

    async def all_of(self, tenant_id: str) -> list[dict[str, Any]]: ...


class OptOutsRepository(Protocol):
    """Addresses that opted out of a channel, for one tenant or for all ('*')."""

    async def add(self, tenant_id: str, channel: str, address: str, source: str) -> None: ...

    async def remove(self, tenant_id: str, channel: str, address: str) -> None: ...


class NotificationLog(Protocol):
    """One row per notification key, claimed and finished by the dispatcher."""

    async def insert_many(self, rows: Sequence[NewNotification]) -> list[str]:
        """Take the keys of one intent's rows; return the ids newly taken."""
        ...

    async def drop_pending(
        self, tenant_id: str, order_id: str, kinds: Sequence[str], reason: str
    ) -> int: ...

    async def claim_due(self, limit: int) -> list[Row]:
        """Mark due rows `sending` and return them; commit BEFORE calling providers."""
        ...

    async def recover_sending(self, lease_s: float) -> int:
        """Rows left in `sending` longer than the lease become `unknown`."""
        ...

    async def finish(self, outcomes: Sequence[Finished]) -> None: ...

    async def by_provider_id(self, provider_message_id: str) -> Row | None:
        """The row a provider status callback is about, locked."""
        ...

    async def set_final(
        self, notification_id: str, state: str, status: str, reason: str
    ) -> None: ...

    async def set_provider_status(self, notification_id: str, status: str) -> None: ...

    async def history(self, tenant_id: str, order_id: str | None, limit: int) -> list[Row]: ...


class UnknownMessages(Protocol):
    """`unknown` notifications waiting to be decided later (see service_layer/recovery.py)."""

    async def undecided(self, channel: str, settle_s: float, limit: int) -> list[Row]:
        """Rows of a channel unknown for `settle_s` and not judged undecidable."""
        ...

    async def open_among(self, ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(id, channel, state) of these notifications that are `unknown` or still `sending`."""
        ...

    async def known_sids(self, sids: Sequence[str]) -> set[str]:
        """Which of these provider ids are already recorded on a notification."""
        ...

    async def record(self, verdicts: Sequence[Verdict]) -> list[Row]:
        """Apply verdicts to rows still `unknown` or `sending`; the rows changed."""
        ...


class NotifierStore(Protocol):
    """The repositories and the outbox on one connection: the unit of work."""

    @property
    def orders(self) -> OrdersRepository: ...

    @property
    def depots(self) -> DepotsRepository: ...

    @property
    def settings(self) -> SettingsRepository: ...

    @property
    def templates(self) -> TemplatesRepository: ...

    @property
    def opt_outs(self) -> OptOutsRepository: ...

    @property
    def notifications(self) -> NotificationLog: ...

    @property
    def unknown(self) -> UnknownMessages: ...

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Everything until the block ends commits together (a savepoint inside another)."""
        ...

    async def publish(self, events: Sequence[OutgoingEvent]) -> None:
        """Queue events in the outbox, in the current transaction."""
        ...


class Transactions(Protocol):
    """Opens a transaction and hands out the store bound to it (for work outside consumers)."""

    def __call__(self) -> AbstractAsyncContextManager[NotifierStore]: ...
