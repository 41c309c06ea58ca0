"""The notifier's unit of work: its repositories and the outbox on one connection."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope, continuing, service_source

from notifier.adapters.depots import PostgresDepots
from notifier.adapters.notification_log import PostgresNotificationLog
from notifier.adapters.opt_outs import PostgresOptOuts
from notifier.adapters.orders import PostgresOrders
from notifier.adapters.recovery_log import PostgresUnknownMessages
from notifier.adapters.settings import PostgresSettings
from notifier.adapters.templates import PostgresTemplates
from notifier.service_layer.ports import NotifierStore, OutgoingEvent, Transactions

SOURCE = service_source("notifier")


class PostgresStore:
    """Every repository of the notifier, bound to one connection (and its transaction)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.orders = PostgresOrders(conn)
        self.depots = PostgresDepots(conn)
        self.settings = PostgresSettings(conn)
        self.templates = PostgresTemplates(conn)
        self.opt_outs = PostgresOptOuts(conn)
        self.notifications = PostgresNotificationLog(conn)
        self.unknown = PostgresUnknownMessages(conn)

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """A transaction on the connection (a savepoint inside the caller's transaction)."""
        return self.conn.transaction()

    async def publish(self, events: Sequence[OutgoingEvent]) -> None:
        """Queue events in the outbox (one round trip)."""
        await outbox.add(self.conn, [(self._envelope(e), e.key) for e in events])

    def _envelope(self, event: OutgoingEvent) -> Envelope:
        with continuing(event.traceparent):
            return Envelope.wrap(
                event.data, source=SOURCE, tenant=event.tenant_id, subject=event.subject
            )


def transactions(pool: asyncpg.Pool) -> Transactions:
    """Transactions on pooled connections, each handing out the store bound to it."""

    @asynccontextmanager
    async def transaction() -> AsyncIterator[NotifierStore]:
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresStore(conn)

    return transaction
