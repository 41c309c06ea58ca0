"""A tenant's day as the page draws it: routes with progress, vehicles, exceptions, messages."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lastmile.console.state import DayState

DONE = ("delivered", "failed")


def _tracking_link(services: dict[str, str], token: str | None) -> str | None:
    if token is None or "tracking" not in services:
        return None
    return f"{services['tracking']}/track/{token}"


def _vehicles(day: DayState) -> dict[str, dict[str, Any]]:
    """Last fixes, each with the time zone of the depot its vehicle's route starts from."""
    zones = {r.vehicle_id: r.time_zone for r in day.routes.values()}
    return {v: fix | {"time_zone": zones.get(v, "UTC")} for v, fix in day.positions.items()}


def snapshot(day: DayState, services: dict[str, str]) -> dict[str, Any]:
    """JSON-ready view of the day for the console page."""
    routes = []
    for route in sorted(day.routes.values(), key=lambda r: r.vehicle_id):
        stops = []
        for stop in route.stops:
            order = day.orders.get(stop["order_id"])
            stops.append({
                "lat": stop["lat"], "lon": stop["lon"], "sequence": stop["sequence"],
                "order_id": stop["order_id"],
                "external_id": order.external_id if order else stop["order_id"],
                "status": order.status if order else "planned",
                "link": _tracking_link(services, order.token if order else None),
            })  # fmt: skip
        done = sum(1 for s in stops if s["status"] in DONE)
        routes.append({
            "route_id": route.route_id, "vehicle_id": route.vehicle_id, "kind": route.vehicle_kind,
            "version": route.version, "depot": route.depot, "km": round(route.distance_m / 1000, 1),
            "stops": stops, "done": done, "total": len(stops),
            "state": "completed" if route.completed_at else "on the road" if route.started_at else "planned",
            "start": route.start_time.isoformat(), "time_zone": route.time_zone,
            "path": route.path,
        })  # fmt: skip
    unassigned = [
        {"external_id": o.external_id, "order_id": o.order_id, "reason_code": o.reason_code,
         "reason": o.reason, "lat": o.lat, "lon": o.lon}
        for o in day.orders.values() if o.status == "unassigned"
    ]  # fmt: skip
    failed = [
        {"external_id": o.external_id, "reason": o.reason, "link": _tracking_link(services, o.token)}
        for o in day.orders.values() if o.status == "failed"
    ]  # fmt: skip
    by_id = day.orders
    messages = [
        {"kind": m["kind"], "channel": m["channel"], "state": m["state"],
         "at": str(m.get("sent_at") or m.get("failed_at")),
         "order": by_id[m["order_id"]].external_id if m["order_id"] in by_id else m["order_id"]}
        for m in day.messages[-40:][::-1]
    ]  # fmt: skip
    customers = [
        {"external_id": o.external_id, "name": o.name, "status": o.status,
         "link": _tracking_link(services, o.token)}
        for o in day.orders.values() if o.token
    ][:60]  # fmt: skip
    return {
        "tenant_id": day.tenant,
        "figures": day.figures(),
        "routes": routes,
        "vehicles": _vehicles(day),
        "time_zones": sorted({r.time_zone for r in day.routes.values()}),
        "unassigned": unassigned,
        "failed": failed,
        "messages": messages,
        "message_counts": dict(Counter(m["kind"] for m in day.messages)),
        "customers": customers,
        "sink": f"{services['notifier']}/sink" if "notifier" in services else None,
    }
