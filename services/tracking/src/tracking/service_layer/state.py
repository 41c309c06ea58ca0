"""The live, in-memory state: vehicles, routes, and the ETAs told (recovered from the DB at start)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tracking.domain.eta_error import ErrorBook
from tracking.domain.eta_policy import Published
from tracking.domain.fixes import FilterConfig, Fix, FixFilter
from tracking.domain.pace import FleetPace, local_date
from tracking.domain.road_path import RoadPath
from tracking.domain.route import RouteState, RouteStatus

OrderKey = tuple[str, str]  # (tenant id, order id)


@dataclass(slots=True)
class Vehicle:
    """One vehicle: its ping filter, last accepted fix, routes and pings waiting for a route."""

    tenant_id: str
    vehicle_id: str
    filter: FixFilter
    route_ids: list[str] = field(default_factory=list)
    pending: deque[Fix] = field(default_factory=deque)
    last_streamed: datetime | None = None

    @property
    def last(self) -> Fix | None:
        """The last accepted fix."""
        return self.filter.last


@dataclass
class TrackingState:
    """Everything tracking keeps in memory; mutated only from the event loop (no locks needed)."""

    filter_config: FilterConfig = field(default_factory=FilterConfig)
    vehicles: dict[tuple[str, str], Vehicle] = field(default_factory=dict)
    routes: dict[str, RouteState] = field(default_factory=dict)
    told: dict[OrderKey, Published] = field(default_factory=dict)
    history: dict[OrderKey, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    learned: set[OrderKey] = field(default_factory=set)  # arrivals whose ETA errors are counted
    last_eta_at: dict[str, datetime] = field(default_factory=dict)
    last_route_check: dict[str, datetime] = field(default_factory=dict)  # off-route, ping time
    paths: dict[str, tuple[str, RoadPath]] = field(default_factory=dict)  # decoded geometries
    stale: set[str] = field(default_factory=set)  # routes to reload: their write failed
    # Per (depot, local date): the fleet's pace, what the depot's earlier days taught, and the
    # measured ETA errors.
    fleet: dict[tuple[str, str], tuple[datetime, FleetPace]] = field(default_factory=dict)
    history_pace: dict[tuple[str, str], FleetPace] = field(default_factory=dict)
    errors: dict[tuple[str, str], ErrorBook] = field(default_factory=dict)
    # Routes another replica changed (a completion it answered): stale from the next batch on.
    elsewhere: set[str] = field(default_factory=set)
    # Whether this replica follows a vehicle (tenant, vehicle); the partition owner sets it.
    follows: Callable[[str, str], bool] = field(default=lambda _tenant, _vehicle: True)

    def vehicle(self, tenant_id: str, vehicle_id: str) -> Vehicle:
        """The vehicle, created on first sight."""
        key = (tenant_id, vehicle_id)
        found = self.vehicles.get(key)
        if found is None:
            found = Vehicle(tenant_id, vehicle_id, FixFilter(self.filter_config))
            self.vehicles[key] = found
        return found

    def add_route(self, route: RouteState) -> None:
        """Hold a route and attach it to its vehicle (only: a re-plan may move it)."""
        held = self.routes.get(route.route_id)
        if held is not None and held.vehicle_id != route.vehicle_id:
            before = self.vehicles.get((held.tenant_id, held.vehicle_id))
            if before is not None and route.route_id in before.route_ids:
                before.route_ids.remove(route.route_id)
        if route.route_id not in self.routes:
            # A route of an earlier day (loaded late: recovery, a rebalance) is history the
            # depot's later days summed without it.
            day = local_date(route.start_time, route.time_zone).isoformat()
            for key in [k for k in self.history_pace if k[0] == route.depot_id and k[1] > day]:
                del self.history_pace[key]
        self.routes[route.route_id] = route
        vehicle = self.vehicle(route.tenant_id, route.vehicle_id)
        if route.route_id not in vehicle.route_ids:
            vehicle.route_ids.append(route.route_id)

    def current_route(self, vehicle: Vehicle, at: datetime, early_s: float) -> RouteState | None:
        """The route a fix at `at` belongs to: the started one, else the next planned one due."""
        due: list[RouteState] = []
        for route_id in vehicle.route_ids:
            route = self.routes.get(route_id)
            if route is None or route.vehicle_id != vehicle.vehicle_id:
                continue  # another vehicle's now (a re-plan moved it)
            if route.tenant_id != vehicle.tenant_id:
                continue
            if route.status is RouteStatus.STARTED:
                return route
            if route.status is RouteStatus.PLANNED and at >= route.start_time - timedelta(
                seconds=early_s
            ):
                due.append(route)
        return min(due, key=lambda r: r.start_time) if due else None

    def path(self, route: RouteState) -> RoadPath | None:
        """The route's road geometry, decoded once per version (None: the route has none)."""
        if route.geometry is None:
            return None
        known = self.paths.get(route.route_id)
        if known is None or known[0] is not route.geometry:
            known = (route.geometry, RoadPath.decode(route.geometry))
            self.paths[route.route_id] = known
        return known[1]

    def has_active_route(self, vehicle: Vehicle) -> bool:
        """Whether any route of the vehicle is still to be driven."""
        return any(
            (r := self.routes.get(route_id)) is not None and r.active
            for route_id in vehicle.route_ids
        )

    def forget_days_before(self, oldest: date) -> None:
        """Drop what was learned per (depot, day) for days before `oldest`."""
        for book in (self.fleet, self.history_pace, self.errors):
            for key in [k for k in book if k[1] < oldest.isoformat()]:
                del book[key]

    def remember_told(self, key: OrderKey, told: Published) -> None:
        """Record an ETA told to a customer (for throttling and accuracy)."""
        self.told[key] = told
        self.history.setdefault(key, []).append((told.at, told.eta))

    def forget_told(self, key: OrderKey, told: Published, before: Published | None) -> None:
        """Undo `remember_told` (the event was never written)."""
        if before is None:
            self.told.pop(key, None)
        else:
            self.told[key] = before
        entries = self.history.get(key, [])
        if (told.at, told.eta) in entries:
            entries.remove((told.at, told.eta))

    def changed_elsewhere(self, route_id: str) -> None:
        """A change to the route committed outside this replica's batches (a driver's, answered
        here or by another replica): reload it before the next batch."""
        if route_id in self.routes:
            self.elsewhere.add(route_id)

    def between_batches(self) -> None:
        """Routes changed elsewhere become stale now, never in the middle of a batch (whose
        uncommitted progress a reload would throw away)."""
        self.stale |= self.elsewhere
        self.elsewhere.clear()

    def drop(self, keep: Callable[[str, str], bool]) -> int:
        """Forget every vehicle `keep` refuses, with its routes and their orders' ETAs (its
        partition went to another replica); return how many vehicles went."""
        gone = [key for key in self.vehicles if not keep(*key)]
        for key in gone:
            vehicle = self.vehicles.pop(key)
            for route_id in vehicle.route_ids:
                route = self.routes.pop(route_id, None)
                for name in ("last_eta_at", "last_route_check", "paths"):
                    getattr(self, name).pop(route_id, None)
                self.stale.discard(route_id)
                for stop in route.stops if route is not None else ():
                    self.told.pop((vehicle.tenant_id, stop.order_id), None)
                    self.history.pop((vehicle.tenant_id, stop.order_id), None)
                    self.learned.discard((vehicle.tenant_id, stop.order_id))
        return len(gone)
