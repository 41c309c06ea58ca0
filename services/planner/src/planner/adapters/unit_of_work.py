"""The PostgreSQL unit of work: one transaction's connection, the planner's repositories on it
(depots.py, pending.py, plans.py, triggers.py) and the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope, service_source

from planner.adapters.depots import PostgresDepots
from planner.adapters.pending import PostgresPendingOrders
from planner.adapters.plans import PostgresPlans
from planner.adapters.triggers import PostgresCutoffRuns, PostgresReplanRequests

SOURCE = service_source("planner")


class PostgresUnitOfWork:
    """Depots, pending orders, plans, re-plan requests, cut-off runs and the outbox on one
    connection (its transaction is the caller's: a pool's, or the consumer runner's)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.depots = PostgresDepots(conn)
        self.pending = PostgresPendingOrders(conn)
        self.plans = PostgresPlans(conn)
        self.replans = PostgresReplanRequests(conn)
        self.cutoffs = PostgresCutoffRuns(conn)

    async def publish(self, data: EventData, *, tenant_id: str, key: str, subject: str) -> None:
        envelope = Envelope.wrap(data, source=SOURCE, tenant=tenant_id, subject=subject)
        await outbox.add(self.conn, [(envelope, key)])


def units_of_work(pool: asyncpg.Pool) -> Any:
    """A `UnitsOfWork` on a pool: each call opens one transaction."""

    @asynccontextmanager
    async def start() -> AsyncIterator[PostgresUnitOfWork]:
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresUnitOfWork(conn)

    return start
