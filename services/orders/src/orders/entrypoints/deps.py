"""Request dependencies: settings, the pool, the request's connection and store, the tenant."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request
from lastmile_common.http.auth import CallerKey
from lastmile_common.http.deps import ConnDep as ConnDep
from lastmile_common.http.deps import PoolDep as PoolDep
from lastmile_common.http.problems import Problem
from lastmile_common.routing import Bounds

from orders.adapters.store import PostgresOrdersStore
from orders.adapters.tenants import key_is_active
from orders.domain.on_map import OutsideMap
from orders.service_layer.locating import AddressPlacer
from orders.settings import OrdersSettings

# Keys found issued recently. Revocation does not wait for this: `CallerKey` checks the revoked
# keys (as on every service) through a cache of a few seconds.
KEY_CACHE_SECONDS = 30.0
KeyCache = TTLCache[str, bool]


def key_cache(timer: Callable[[], float] = time.monotonic) -> KeyCache:
    """The app's cache of API keys found active (by key hash)."""
    return TTLCache(maxsize=10_000, ttl=KEY_CACHE_SECONDS, timer=timer)


def get_settings(request: Request) -> OrdersSettings:
    """The service's settings."""
    return request.app.state.settings  # type: ignore[no-any-return]


SettingsDep = Annotated[OrdersSettings, Depends(get_settings)]


def get_map_bounds(request: Request) -> Bounds:
    """The rectangle of the map the platform plans on (orders outside it are refused)."""
    return request.app.state.map_bounds  # type: ignore[no-any-return]


MapBoundsDep = Annotated[Bounds, Depends(get_map_bounds)]


def outside_map_problem(exc: OutsideMap, field: str) -> Problem:
    """The 422 an order outside the map answers with, naming the field at fault."""
    return Problem(
        422, "Outside the map", f"{field}: {exc}", errors=[{"field": field, "message": str(exc)}]
    )


def get_store(conn: ConnDep) -> PostgresOrdersStore:
    """The orders store on the request's connection."""
    return PostgresOrdersStore(conn)


StoreDep = Annotated[PostgresOrdersStore, Depends(get_store)]


def get_key_cache(request: Request) -> KeyCache:
    """The keys this app found active lately."""
    return request.app.state.key_cache  # type: ignore[no-any-return]


async def tenant_id(
    key: CallerKey, conn: ConnDep, checked: Annotated[KeyCache, Depends(get_key_cache)]
) -> str:
    """The caller's tenant, once its key is known and not revoked."""
    if key.hash in checked:
        return key.tenant_id
    if not await key_is_active(conn, key.hash, key.tenant_id):
        raise Problem(401, "Unauthorized", "the API key is unknown or revoked")
    checked[key.hash] = True
    return key.tenant_id


TenantDep = Annotated[str, Depends(tenant_id)]


def get_geocoder(request: Request) -> AddressPlacer:
    """The geocoder on the map extract's addresses."""
    return request.app.state.geocoder  # type: ignore[no-any-return]


GeocoderDep = Annotated[AddressPlacer, Depends(get_geocoder)]
