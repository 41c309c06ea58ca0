"""Route events re-keyed by vehicle onto tracking's internal topic (the repartition pattern):
`routes.v1` is keyed by depot, `gps.pings.v1` by vehicle; after this step a vehicle's route
events and pings share one partition number, hence one replica."""

from __future__ import annotations

from lastmile_common.db import outbox
from lastmile_common.db.pool import Connection
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.routes import RouteCancelled, RoutePlanned
from lastmile_common.events.topics import VEHICLE_ROUTES


async def forward_route(conn: Connection, envelope: Envelope) -> None:
    """Queue the route event (same id, type and data) keyed by its vehicle; remember the
    vehicle of the route for its cancellation."""
    data = envelope.data
    if isinstance(data, RoutePlanned):
        vehicle = data.vehicle_id
        await conn.execute(
            "INSERT INTO route_vehicles (route_id, tenant_id, vehicle_id) VALUES ($1, $2, $3)"
            " ON CONFLICT (route_id) DO UPDATE SET vehicle_id = EXCLUDED.vehicle_id,"
            " updated_at = now()",
            data.route_id,
            envelope.tenant,
            data.vehicle_id,
        )
    else:
        assert isinstance(data, RouteCancelled)
        found = await conn.fetchval(
            "SELECT vehicle_id FROM route_vehicles WHERE route_id = $1 AND tenant_id = $2",
            data.route_id,
            envelope.tenant,
        )
        if found is None:
            return  # never planned here: nothing follows it
        vehicle = str(found)
    await outbox.add(conn, [(envelope, vehicle)], topic=VEHICLE_ROUTES)
