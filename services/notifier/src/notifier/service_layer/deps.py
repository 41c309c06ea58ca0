"""What the event handlers are given: settings values, the tenant cache and the consumer's batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from lastmile_common.kafka.consumer import BatchHooks
from lastmile_common.tracking_links import DEV_SECRET, link_token

from notifier.domain.config import TenantConfig
from notifier.domain.model import Intent
from notifier.service_layer.ports import NewOrder, NotifierStore
from notifier.service_layer.tenant_cache import TenantCache


class OrderBatch(BatchHooks, Protocol):
    """The runner's batch hooks gathering new orders (`service_layer/new_orders.py`)."""

    async def defer(self, store: NotifierStore, item: PendingOrder) -> bool:
        """Keep `item` for the batch's end; False when no batch is open (write it now)."""
        ...

    async def flush(self, store: NotifierStore) -> None:
        """Write what was gathered."""
        ...


@dataclass(frozen=True)
class Deps:
    """What handlers need from the settings, and the caches and batch they share."""

    tracking_base_url: str
    public_base_url: str
    unsubscribe_secret: str
    require_tenant_settings: bool = False
    cache: TenantCache = field(default_factory=TenantCache)
    batch: OrderBatch | None = None  # the consumer's batch hooks; None: write at once
    tracking_link_secret: str = DEV_SECRET

    def tracking_url(self, order_id: str) -> str:
        """The order's tracking page, its token derived as tracking derives it: always works."""
        return self.tracking_base_url + link_token(self.tracking_link_secret, order_id)


@dataclass(frozen=True)
class PendingOrder:
    """A new order to store, with the confirmation it calls for (if any)."""

    new: NewOrder
    config: TenantConfig
    intent: Intent | None
    deps: Deps
