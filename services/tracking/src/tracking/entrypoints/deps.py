"""FastAPI dependencies: the tracker, the pool, and device-token authentication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from lastmile_common.basemap import RoadLine
from lastmile_common.http.auth import CallerKey, verified_key
from lastmile_common.http.deps import ConnDep as ConnDep
from lastmile_common.http.deps import PoolDep as PoolDep
from lastmile_common.http.problems import Problem

from tracking.adapters.broadcast import Broadcaster
from tracking.adapters.ownership import Ownership
from tracking.adapters.queries import find_device
from tracking.service_layer.proofs import Proofs
from tracking.service_layer.tracker import Tracker
from tracking.settings import TrackingSettings

_bearer = HTTPBearer(auto_error=False, description="A device token (dev_...) or tenant API key")
DEVICE_PREFIX = "dev_"


def _tracker(request: Request) -> Tracker:
    tracker: Tracker = request.app.state.tracker
    return tracker


def _settings(request: Request) -> TrackingSettings:
    settings: TrackingSettings = request.app.state.settings
    return settings


def _broadcaster(request: Request) -> Broadcaster:
    broadcaster: Broadcaster = request.app.state.broadcaster
    return broadcaster


def _ownership(request: Request) -> Ownership:
    ownership: Ownership = request.app.state.ownership
    return ownership


def _tenant_id(key: CallerKey) -> str:
    return key.tenant_id


def _streets(request: Request) -> tuple[RoadLine, ...]:
    streets: tuple[RoadLine, ...] = getattr(request.app.state, "streets", ())
    return streets


TrackerDep = Annotated[Tracker, Depends(_tracker)]
StreetsDep = Annotated[tuple[RoadLine, ...], Depends(_streets)]
SettingsDep = Annotated[TrackingSettings, Depends(_settings)]
BroadcasterDep = Annotated[Broadcaster, Depends(_broadcaster)]
OwnershipDep = Annotated[Ownership, Depends(_ownership)]
TenantDep = Annotated[str, Depends(_tenant_id)]


@dataclass(frozen=True)
class Caller:
    """Who calls: a tenant (API key) or a driver's device bound to one vehicle."""

    tenant_id: str
    vehicle_id: str | None = None
    device_id: str | None = None


async def _device_or_key(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "Unauthorized", "send Authorization: Bearer <device token or API key>")
    raw = credentials.credentials
    if raw.startswith(DEVICE_PREFIX):
        async with request.app.state.runtime.pool.acquire() as conn:
            found = await find_device(conn, raw)
        if found is None:
            raise Problem(401, "Unauthorized", "the device token is not valid")
        device_id, tenant_id, vehicle_id = found
        return Caller(tenant_id, vehicle_id, device_id)
    key = await verified_key(request, raw)
    return Caller(key.tenant_id)


CallerDep = Annotated[Caller, Depends(_device_or_key)]


async def _device_only(caller: CallerDep) -> Caller:
    if caller.vehicle_id is None:
        raise Problem(403, "Forbidden", "pings are sent with a device token (POST /v1/devices)")
    return caller


DeviceDep = Annotated[Caller, Depends(_device_only)]


def _proofs(request: Request) -> Proofs:
    proofs: Proofs = request.app.state.proofs
    return proofs


ProofsDep = Annotated[Proofs, Depends(_proofs)]
