"""What one tracker call produced (written at its end) and the live stream messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lastmile_common.events.base import EventData
from lastmile_common.events.envelope import Envelope

from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix
from tracking.domain.route import RouteState
from tracking.service_layer import messages
from tracking.service_layer.ports import Stream
from tracking.service_layer.state import OrderKey, Vehicle


@dataclass
class Effects:
    """What one call produced, written at its end in as few round trips as possible."""

    events: list[tuple[Envelope, str]] = field(default_factory=list)
    told: list[tuple[OrderKey, Published, Published | None]] = field(default_factory=list)
    changed: dict[str, RouteState] = field(default_factory=dict)
    errors: list[tuple[str, dict[int, float], datetime]] = field(default_factory=list)

    def emit(self, data: EventData, tenant_id: str, key: str, subject: str | None = None) -> None:
        """Queue one event for the outbox."""
        envelope = Envelope.wrap(data, source=messages.SOURCE, tenant=tenant_id, subject=subject)
        self.events.append((envelope, key))


def stream_position(stream: Stream, vehicle: Vehicle, fix: Fix, interval_s: float) -> None:
    """Send a vehicle's position to dispatchers, at most once per interval of ping time."""
    last = vehicle.last_streamed
    if last is not None and (fix.time - last).total_seconds() < interval_s:
        return
    vehicle.last_streamed = fix.time
    stream.publish(
        vehicle.tenant_id,
        "position",
        {
            "vehicle_id": vehicle.vehicle_id,
            "time": fix.time.isoformat(),
            "lat": fix.lat,
            "lon": fix.lon,
            "speed_mps": fix.speed_mps,
            "heading_deg": fix.heading_deg,
        },
    )


def stream_stop(stream: Stream, route: RouteState, stop_id: str, status: str, at: datetime) -> None:
    """Send a stop's new status to dispatchers."""
    stream.publish(
        route.tenant_id,
        "stop",
        {
            "route_id": route.route_id,
            "stop_id": stop_id,
            "status": status,
            "at": at.isoformat(),
        },
    )
