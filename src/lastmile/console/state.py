"""One tenant's day as the events tell it: orders, routes, positions, arrivals, ETAs, messages.

The console, the demo's closing figures and the end-to-end test all read the day through this
one fold over the platform's topics, so they agree on what happened.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import polyline
from lastmile_common.events.envelope import Envelope

ETA_HORIZON = timedelta(minutes=30)


@dataclass
class OrderView:
    """An order and how far it got."""

    order_id: str
    external_id: str
    name: str
    line1: str
    lat: float
    lon: float
    window_start: datetime
    window_end: datetime
    status: str = "open"
    route_id: str | None = None
    reason: str | None = None
    reason_code: str | None = None
    token: str | None = None
    arrived_at: datetime | None = None
    done_at: datetime | None = None


@dataclass
class RouteView:
    """A route's latest version and its progress."""

    route_id: str
    vehicle_id: str
    vehicle_kind: str
    version: int
    depot: tuple[float, float]
    distance_m: float
    stops: list[dict[str, Any]]
    start_time: datetime
    end_time: datetime
    time_zone: str = "UTC"  # the depot's
    # The road path from start to end, (lat, lon) points; empty if the event carried none.
    path: list[tuple[float, float]] = field(default_factory=list)
    started_at: datetime | None = None
    completed_at: datetime | None = None


@dataclass
class DayState:
    """Everything seen for one tenant, folded from events in arrival order."""

    tenant: str
    orders: dict[str, OrderView] = field(default_factory=dict)
    routes: dict[str, RouteView] = field(default_factory=dict)
    positions: dict[str, dict[str, Any]] = field(default_factory=dict)
    etas: dict[str, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    started_orders: set[str] = field(default_factory=set)
    # Facts about orders whose order.created has not been read yet: topics are read side by
    # side, so a delivery can be seen before the order it belongs to.
    _arrived: dict[str, datetime] = field(default_factory=dict)
    _outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def apply(self, envelope: Envelope) -> None:
        """Fold one event in (duplicates, by event id, are ignored)."""
        if envelope.tenant != self.tenant or envelope.id in self.seen:
            return
        self.seen.add(envelope.id)
        handler = getattr(self, "_on_" + envelope.type.replace(".", "_"), None)
        if handler is not None:
            handler(envelope.data.model_dump())

    def _on_order_created(self, d: dict[str, Any]) -> None:
        window = d["windows"][0]
        order = self.orders[d["order_id"]] = OrderView(
            d["order_id"], d["external_id"], d["recipient"]["name"], d["address"]["line1"],
            d["address"]["location"]["lat"], d["address"]["location"]["lon"],
            window["start"], window["end"],
        )  # fmt: skip
        self._catch_up(order)

    def _catch_up(self, order: OrderView) -> None:
        """Apply what was read about an order before the order itself."""
        oid = order.order_id
        for plan in self.plans:
            for item in plan["unassigned"]:
                if item["order_id"] == oid:
                    order.status, order.reason = "unassigned", item["reason"]
                    order.reason_code = item["reason_code"]
        for route in self.routes.values():
            if any(stop["order_id"] == oid for stop in route.stops):
                order.status, order.route_id, order.reason, order.reason_code = (
                    "planned",
                    route.route_id,
                    None,
                    None,
                )
        order.token = self._tokens.get(oid, order.token)
        order.arrived_at = self._arrived.get(oid, order.arrived_at)
        if (outcome := self._outcomes.get(oid)) is not None:
            order.status, order.done_at = outcome["status"], outcome["at"]
            if outcome["status"] == "failed":
                order.reason, order.reason_code = outcome["reason"], outcome["reason_code"]

    def _on_order_cancelled(self, d: dict[str, Any]) -> None:
        if order := self.orders.get(d["order_id"]):
            order.status = "cancelled"

    def _on_plan_completed(self, d: dict[str, Any]) -> None:
        # A re-plan republishes its plan's summary: the latest one per plan stands.
        self.plans = [p for p in self.plans if p["plan_id"] != d["plan_id"]] + [d]
        for item in d["unassigned"]:
            if (order := self.orders.get(item["order_id"])) and order.status in ("open", "planned"):
                order.status, order.route_id = "unassigned", None
                order.reason, order.reason_code = item["reason"], item["reason_code"]

    def _on_route_planned(self, d: dict[str, Any]) -> None:
        known = self.routes.get(d["route_id"])
        if known is not None and known.version >= d["version"]:
            return
        depot = (d["depot_location"]["lat"], d["depot_location"]["lon"])
        stops = [
            {"stop_id": s["stop_id"], "order_id": s["order_id"], "sequence": s["sequence"],
             "lat": s["location"]["lat"], "lon": s["location"]["lon"],
             "planned_arrival": s["planned_arrival"], "service_time_s": s["service_time_s"]}
            for s in d["stops"]
        ]  # fmt: skip
        view = RouteView(
            d["route_id"], d["vehicle_id"], d["vehicle_kind"], d["version"], depot,
            d["distance_m"], stops, d["start_time"], d["end_time"], d["time_zone"],
            polyline.decode(d["geometry"], 5) if d.get("geometry") else [],
        )  # fmt: skip
        if known is not None:
            view.started_at, view.completed_at = known.started_at, known.completed_at
        self.routes[d["route_id"]] = view
        if known is not None:  # orders a re-plan took off this route and put nowhere else
            kept = {stop["order_id"] for stop in stops}
            for stop in known.stops:
                order = self.orders.get(stop["order_id"])
                if stop["order_id"] not in kept and order and order.route_id == d["route_id"]:
                    order.status, order.route_id = "open", None
                    self._catch_up(order)
        for stop in stops:
            if (order := self.orders.get(stop["order_id"])) and order.status in (
                "open",
                "unassigned",
            ):
                order.status, order.route_id, order.reason, order.reason_code = (
                    "planned",
                    d["route_id"],
                    None,
                    None,
                )

    _on_route_updated = _on_route_planned

    def _on_route_cancelled(self, d: dict[str, Any]) -> None:
        self.routes.pop(d["route_id"], None)

    def _on_route_started(self, d: dict[str, Any]) -> None:
        if route := self.routes.get(d["route_id"]):
            route.started_at = d["started_at"]
        for stop in d["stops"]:
            self.started_orders.add(stop["order_id"])
            self._token(stop["order_id"], stop.get("tracking_token"))

    def _on_route_completed(self, d: dict[str, Any]) -> None:
        if route := self.routes.get(d["route_id"]):
            route.completed_at = d["completed_at"]

    def _token(self, order_id: str, token: str | None) -> None:
        if token:
            self._tokens[order_id] = token
            if order := self.orders.get(order_id):
                order.token = token

    def _on_stop_arrived(self, d: dict[str, Any]) -> None:
        self._arrived.setdefault(d["order_id"], d["arrived_at"])
        if (order := self.orders.get(d["order_id"])) and order.arrived_at is None:
            order.arrived_at = d["arrived_at"]

    def _outcome(self, order_id: str, outcome: dict[str, Any]) -> None:
        self._outcomes[order_id] = outcome
        if order := self.orders.get(order_id):
            self._catch_up(order)

    def _on_order_delivered(self, d: dict[str, Any]) -> None:
        self._token(d["order_id"], d.get("tracking_token"))
        self._outcome(d["order_id"], {"status": "delivered", "at": d["delivered_at"]})

    def _on_order_delivery_failed(self, d: dict[str, Any]) -> None:
        self._token(d["order_id"], d.get("tracking_token"))
        self._outcome(d["order_id"], {
            "status": "failed", "at": d["failed_at"], "reason": d["reason"] or d["reason_code"],
            "reason_code": d["reason_code"],
        })  # fmt: skip

    def _on_eta_updated(self, d: dict[str, Any]) -> None:
        self.etas.setdefault(d["order_id"], []).append((d["computed_at"], d["eta"]))
        self._token(d["order_id"], d.get("tracking_token"))

    def _on_notification_sent(self, d: dict[str, Any]) -> None:
        self.messages.append(d | {"state": "sent"})

    def _on_notification_failed(self, d: dict[str, Any]) -> None:
        self.messages.append(d | {"state": "failed"})

    def _on_ping(self, d: dict[str, Any]) -> None:
        known = self.positions.get(d["vehicle_id"])
        if known is None or known["time"] <= d["time"]:
            self.positions[d["vehicle_id"]] = {"lat": d["lat"], "lon": d["lon"], "time": d["time"]}

    def _on_ping_batch(self, d: dict[str, Any]) -> None:
        for ping in d["pings"]:
            self._on_ping(ping)

    def eta_errors_s(self) -> list[float]:
        """|ETA told about 30 minutes ahead − actual arrival|, per arrived order, in seconds."""
        errors = []
        for order_id, told in self.etas.items():
            order = self.orders.get(order_id)
            if order is None or order.arrived_at is None:
                continue
            cutoff = order.arrived_at - ETA_HORIZON
            ahead = [eta for computed, eta in told if computed <= cutoff]
            if ahead:
                errors.append(abs((ahead[-1] - order.arrived_at).total_seconds()))
        return sorted(errors)

    def figures(self) -> dict[str, Any]:
        """The day in numbers: routes, km, outcomes, on-time rate, ETA error, messages."""
        statuses = Counter(order.status for order in self.orders.values())
        done = [o for o in self.orders.values() if o.status == "delivered" and o.arrived_at]
        on_time = [o for o in done if o.arrived_at and o.arrived_at <= o.window_end]
        errors = self.eta_errors_s()
        sent = [m for m in self.messages if m["state"] == "sent"]
        return {
            "orders": len(self.orders),
            "routes": len(self.routes),
            "km": round(sum(r.distance_m for r in self.routes.values()) / 1000, 1),
            "delivered": statuses["delivered"],
            "failed": statuses["failed"],
            "unassigned": statuses["unassigned"],
            "open": statuses["open"] + statuses["planned"],
            "on_time_rate": round(len(on_time) / len(done), 3) if done else None,
            "eta_error_p50_min": _percentile_min(errors, 0.5),
            "eta_error_p90_min": _percentile_min(errors, 0.9),
            "eta_samples": len(errors),
            "messages": len(sent),
            "messages_by_kind": dict(Counter(m["kind"] for m in sent)),
        }


def _percentile_min(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return round(values[index] / 60, 1)
