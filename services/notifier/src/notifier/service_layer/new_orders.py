"""New orders gathered over a consumer batch and written in one statement before its COMMIT."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lastmile_common.db.pool import Connection

from notifier.service_layer.deps import PendingOrder
from notifier.service_layer.enqueue import enqueue
from notifier.service_layer.ports import NotifierStore
from notifier.service_layer.tenant_cache import TenantCache


async def store_orders(store: NotifierStore, items: Sequence[PendingOrder]) -> None:
    """Store the orders and take their confirmation keys; re-render where the guess was wrong."""
    results = await store.orders.store_and_confirm([i.new for i in items])
    for item, (order, done) in zip(items, results, strict=True):
        if item.intent is not None and item.new.rows and order is not None and not done:
            await enqueue(store, item.deps, item.config, order, item.intent)


class NewOrderBatch:
    """The runner's batch hooks: new orders wait here until the batch commits.

    Their keys are still taken inside the consumer transaction, so none is committed (and
    none can reach a provider) before the event that caused it is recorded in the inbox.
    """

    def __init__(self, cache: TenantCache, bind: Callable[[Connection], NotifierStore]) -> None:
        self._cache = cache
        self._bind = bind  # the store on the runner's connection
        self._open = False
        self._items: dict[tuple[str, str], PendingOrder] = {}

    def begin(self) -> None:
        """A consumer transaction starts."""
        self._items.clear()
        self._open = True

    async def defer(self, store: NotifierStore, item: PendingOrder) -> bool:
        """Keep `item` for the batch's end; False when no batch is open (write it now)."""
        if not self._open:
            return False
        key = (item.new.tenant_id, item.new.order.order_id)
        if key in self._items:
            await self.flush(store)  # one statement cannot upsert the same order twice
        self._items[key] = item
        return True

    async def flush(self, store: NotifierStore) -> None:
        """Write what was gathered (before a handler that may read those orders runs)."""
        if self._items:
            items = list(self._items.values())
            self._items.clear()
            await store_orders(store, items)

    async def before_commit(self, conn: Connection) -> None:
        """The last statement of the batch's transaction."""
        await self.flush(self._bind(conn))
        self._open = False

    def rolled_back(self) -> None:
        """Forget the batch, and cached reads that may have seen its uncommitted writes."""
        self._items.clear()
        self._open = False
        self._cache.clear()
