"""The driver's app: its static files under /driver/ and the device's route of the day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from tracking.entrypoints.deps import DeviceDep, TrackerDep
from tracking.service_layer.driver_view import driver_route, todays_route

DRIVER_APP = Path(__file__).resolve().parent.parent / "driver_app"
router = APIRouter(tags=["driver"])


@router.get(
    "/v1/device/route",
    responses={403: {"description": "called with an API key, not a device token"}},
)
async def device_route(device: DeviceDep, tracker: TrackerDep) -> dict[str, Any]:
    """The route of the day of the device's vehicle (`route` is null when it has none)."""
    assert device.vehicle_id is not None
    route = todays_route(tracker.state, device.tenant_id, device.vehicle_id)
    return {
        "vehicle_id": device.vehicle_id,
        "route": driver_route(route) if route is not None else None,
    }


def mount_driver_app(app: FastAPI) -> None:
    """Serve the progressive web app's files (no build step) at /driver/."""
    app.mount("/driver", StaticFiles(directory=DRIVER_APP, html=True), name="driver")
