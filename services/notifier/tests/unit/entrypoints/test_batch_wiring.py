"""The subscription hands the batch to the runner and writes it before any other event type."""

from __future__ import annotations

from typing import Any

from lastmile_common.events.deliveries import StopArrived
from lastmile_common.events.envelope import Envelope
from notifier.adapters.store import PostgresStore
from notifier.entrypoints.consumers import subscriptions
from notifier.service_layer.deps import Deps
from notifier.service_layer.new_orders import NewOrderBatch
from notifier.service_layer.tenant_cache import TenantCache
from notifier.settings import NotifierSettings
from notifier.testing import events as ev


class _Recording(NewOrderBatch):
    def __init__(self) -> None:
        super().__init__(TenantCache(), PostgresStore)
        self.flushed: list[Any] = []

    async def flush(self, store: Any) -> None:
        self.flushed.append(store)


async def test_another_event_type_flushes_the_gathered_orders_first() -> None:
    batch = _Recording()
    deps = Deps("http://t", "http://p", "s", cache=TenantCache(), batch=batch)
    sub, keys = subscriptions(NotifierSettings(consumer_group="notifier-test"), deps)
    assert (sub.name, keys.name) == ("notifier-test", "notifier-keys")
    assert sub.hooks is batch
    arrived = StopArrived(
        route_id="r1",
        stop_id="s1",
        order_id="o1",
        vehicle_id="v1",
        arrived_at=ev.now(),
        location=ev.BERLIN,
    )
    conn = object()
    # No tracking token: the handler itself touches nothing, only the flush runs.
    await sub.handlers["stop.arrived"](conn, Envelope.wrap(arrived, source="t", tenant="t1"))
    assert [store.conn for store in batch.flushed] == [conn]
