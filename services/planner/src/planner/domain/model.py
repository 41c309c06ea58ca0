"""Planning problem: depots, vehicles, orders and the plan the solver returns (pure data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lastmile_common.routing.types import Profile

from planner.domain.geo import Location
from planner.domain.travel import TravelTimes

__all__ = [
    "Break",
    "BreakTaken",
    "Capacity",
    "Depot",
    "Location",
    "Order",
    "PlanResult",
    "PlanningProblem",
    "ReasonCode",
    "Route",
    "TimeWindow",
    "Unplaced",
    "Vehicle",
    "VehicleKind",
    "Visit",
]


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A window in seconds since the plan's midnight; soft windows may be missed at a cost."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Capacity:
    """Amounts in each dimension a vehicle carries or an order needs."""

    weight_kg: float = 0.0
    volume_m3: float = 0.0
    parcels: int = 0


class VehicleKind(StrEnum):
    """What drives the route; kinds differ in which rules apply."""

    VAN = "van"
    EV = "ev"
    CARGO_BIKE = "cargo_bike"
    PARTNER = "partner"
    GIG = "gig"
    DRONE = "drone"


@dataclass(frozen=True, slots=True)
class Break:
    """A break of `duration` seconds that must start inside [earliest_start, latest_start]."""

    duration: int
    earliest_start: int
    latest_start: int


@dataclass(frozen=True, slots=True)
class Depot:
    """Where routes start and end by default, open during `opening`."""

    id: str
    location: Location
    opening: TimeWindow
    loading_time: int = 0


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle with its driver's shift; limits of None mean unlimited."""

    id: str
    kind: VehicleKind
    capacity: Capacity
    shift: TimeWindow
    skills: frozenset[str] = frozenset()
    cost_per_km: float = 0.0
    cost_per_hour: float = 0.0
    fixed_cost: float = 0.0
    start: Location | None = None
    end: Location | None = None
    breaks: tuple[Break, ...] = ()
    max_working_time: int | None = None
    max_route_distance: int | None = None
    max_route_duration: int | None = None
    battery_range_m: int | None = None
    carrier_id: str | None = None
    # Drones fly in a straight line at their own speed, only so far from the depot.
    speed_mps: float | None = None
    max_radius_m: int | None = None
    # Load zones the driver sees (shelves, bags); labels become "A1", "B2", ...
    zones: tuple[str, ...] = ("A", "B", "C")

    @property
    def profile(self) -> Profile:
        """The road network the vehicle drives: bicycle paths for cargo bikes, else car roads."""
        return Profile.BICYCLE if self.kind == VehicleKind.CARGO_BIKE else Profile.CAR

    def distance_limit(self) -> int | None:
        """Tightest limit on route distance: max route distance or EV battery range."""
        limits = [x for x in (self.max_route_distance, self.battery_range_m) if x is not None]
        return min(limits) if limits else None


@dataclass(frozen=True, slots=True)
class Order:
    """One order to deliver: where, how much, how long it takes, and when."""

    id: str
    location: Location
    demand: Capacity
    service_time: int
    windows: tuple[TimeWindow, ...]
    soft_windows: bool = False
    lateness_cost_per_s: float = 0.0
    skills: frozenset[str] = frozenset()
    priority: int = 0
    drone_eligible: bool = False


@dataclass(frozen=True, slots=True)
class PlanningProblem:
    """Everything the solver needs to plan one depot's day."""

    depot: Depot
    vehicles: tuple[Vehicle, ...]
    orders: tuple[Order, ...]
    travel: TravelTimes
    # Orders whose window a customer was already promised (kept hard on re-plan).
    promised: frozenset[str] = frozenset()


class ReasonCode(StrEnum):
    """Why an order was left unplaced."""

    WINDOW_UNREACHABLE = "window_unreachable"
    TOO_HEAVY = "too_heavy"
    TOO_LARGE = "too_large"
    SKILL_MISSING = "skill_missing"
    OUTSIDE_RANGE = "outside_range"
    SHIFT_TOO_SHORT = "shift_too_short"
    FLEET_FULL = "fleet_full"
    NO_ROAD_ACCESS = "no_road_access"


@dataclass(frozen=True, slots=True)
class Unplaced:
    """An order the plan could not place, with a reason a dispatcher understands."""

    order_id: str
    code: ReasonCode
    message: str


@dataclass(frozen=True, slots=True)
class Visit:
    """A stop on a route: arrival, service start and departure in seconds since midnight."""

    order_id: str
    arrival: int
    start: int
    departure: int
    lateness: int = 0
    load_label: str = ""


@dataclass(frozen=True, slots=True)
class BreakTaken:
    """A break placed in a route."""

    start: int
    duration: int


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's route: departure, visits in order, return, breaks, totals."""

    vehicle_id: str
    start: int
    end: int
    visits: tuple[Visit, ...]
    breaks: tuple[BreakTaken, ...] = ()
    distance_m: int = 0
    # Parcels in loading order: the last stop's order is loaded first.
    loading_order: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanResult:
    """The solver's answer: routes, unplaced orders with reasons, and how it went."""

    routes: tuple[Route, ...]
    unplaced: tuple[Unplaced, ...]
    cost: float = 0.0
    seconds: float = 0.0
    status: str = "ok"
    notes: tuple[str, ...] = field(default=())

    def order_ids(self) -> list[str]:
        """Ids of routed orders in route order."""
        return [v.order_id for r in self.routes for v in r.visits]
