"""Read Solomon VRPTW files and turn them into planning problems on a plane."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from planner.domain.model import (
    Capacity,
    Depot,
    Location,
    Order,
    PlanningProblem,
    TimeWindow,
    Vehicle,
    VehicleKind,
)
from planner.domain.travel import EuclideanTravelTimes

# Solomon numbers are small reals; times and distances are multiplied by this so the
# solver's integers keep three decimals. The checker still compares unrounded values.
SCALE = 1000
# Hierarchical objective: one vehicle costs more than any possible distance saving.
VEHICLE_COST = 100_000.0


@dataclass(frozen=True)
class Customer:
    """One row of a Solomon file."""

    number: int
    x: float
    y: float
    demand: int
    ready: float
    due: float
    service: float


@dataclass(frozen=True)
class Instance:
    """A Solomon instance: name, fleet size, capacity, depot (row 0) and customers."""

    name: str
    vehicles: int
    capacity: int
    depot: Customer
    customers: list[Customer]


def read_instance(path: Path) -> Instance:
    """Parse a Solomon-format text file."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    name = lines[0][0]
    numbers = [row for row in lines if all(_is_number(x) for x in row)]
    vehicles, capacity = int(numbers[0][0]), int(numbers[0][1])
    rows = [
        Customer(
            int(r[0]),
            float(r[1]),
            float(r[2]),
            int(float(r[3])),
            float(r[4]),
            float(r[5]),
            float(r[6]),
        )
        for r in numbers[1:]
        if len(r) == 7
    ]
    return Instance(name, vehicles, capacity, rows[0], rows[1:])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _t(value: float) -> int:
    return round(value * SCALE)


def to_problem(inst: Instance, vehicles: int | None = None) -> PlanningProblem:
    """The instance as a planning problem (one unit = SCALE metres = SCALE seconds)."""
    d = inst.depot
    horizon = TimeWindow(_t(d.ready), _t(d.due))
    depot = Depot("depot", Location(d.y, d.x), horizon)
    fleet = tuple(
        Vehicle(
            f"v{k}",
            VehicleKind.VAN,
            Capacity(0.0, 0.0, inst.capacity),
            horizon,
            cost_per_km=1.0,
            fixed_cost=VEHICLE_COST,
        )
        for k in range(vehicles or inst.vehicles)
    )
    orders = tuple(
        Order(
            str(c.number),
            Location(c.y, c.x),
            Capacity(0.0, 0.0, c.demand),
            _t(c.service),
            (TimeWindow(_t(c.ready), _t(c.due)),),
        )
        for c in inst.customers
    )
    return PlanningProblem(depot, fleet, orders, EuclideanTravelTimes(scale=SCALE))


def read_bks(path: Path) -> dict[str, tuple[int, float]]:
    """Best known (vehicles, distance) per instance from bks.csv."""
    with path.open() as f:
        rows = [r for r in csv.DictReader(f) if r["objective"] == "hierarchical"]
    return {r["instance"]: (int(r["vehicles"]), float(r["distance"])) for r in rows}
