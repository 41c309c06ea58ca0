"""Request dependencies: the planner's context and the caller's tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from lastmile_common.db.advisory import advisory_lock
from lastmile_common.http.auth import CallerKey
from lastmile_common.routing import Router

from planner.service_layer.ports import SolverRunner, UnitsOfWork
from planner.settings import PlannerSettings


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


@dataclass
class PlannerContext:
    """What routes, consumers and background loops share: units of work, solver, roads, clock,
    locks."""

    settings: PlannerSettings
    tx: UnitsOfWork
    solver: SolverRunner
    router: Router
    clock: Callable[[], datetime] = utc_now
    pool: asyncpg.Pool | None = None  # None: one process only (unit tests)
    _locks: dict[tuple[str, str], asyncio.Lock] = field(default_factory=dict)

    @asynccontextmanager
    async def depot_lock(self, tenant_id: str, depot_id: str) -> AsyncIterator[None]:
        """Plans and re-plans of one depot run one at a time: in this process, and across the
        planner's replicas through a PostgreSQL advisory lock held while the plan runs."""
        async with self._locks.setdefault((tenant_id, depot_id), asyncio.Lock()):
            if self.pool is None:
                yield
                return
            async with advisory_lock(self.pool, f"planner/depot/{tenant_id}/{depot_id}"):
                yield


def get_context(request: Request) -> PlannerContext:
    """The planner context built at start-up."""
    return request.app.state.planner  # type: ignore[no-any-return]


PlannerDep = Annotated[PlannerContext, Depends(get_context)]


def tenant_id(key: CallerKey) -> str:
    """The caller's tenant (from its verified API key)."""
    return key.tenant_id


TenantDep = Annotated[str, Depends(tenant_id)]
