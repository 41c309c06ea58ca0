"""Shared by the compiled search's unit tests: its data, a search from one order per vehicle,
and the replay of its routes through OR-Tools into a plan the checker passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from planner.domain import plain_search
from planner.domain.checker import check_plan
from planner.domain.fleet_data import alone_on_free_vehicles, compiled_data
from planner.domain.model import PlanningProblem, PlanResult
from planner.domain.ruin_recreate import Plan, fewer_routes, shorten
from planner.domain.search import SearchSettings, solve_with
from planner.domain.vrptw_data import Vrptw


def fleet_data(p: PlanningProblem) -> Vrptw:
    """The day as the compiled search's fleet data (it must model the day)."""
    data = compiled_data(p)
    assert data is not None and data.fleet is not None
    return data


def searched(p: PlanningProblem, seconds: float = 1.0) -> Plan:
    """Route removal then annealing from one order per vehicle, on the fleet data."""
    data = fleet_data(p)
    everyone = list(range(1, len(p.orders) + 1))
    routes, vehicles = alone_on_free_vehicles(data, ([], []), everyone)
    routes, vehicles = fewer_routes(
        data, routes, time.monotonic() + seconds, seed=1, vehicles=vehicles
    )
    return shorten(data, routes, time.monotonic() + seconds, seed=1, vehicles=vehicles)


def replayed(p: PlanningProblem, plan: Plan) -> PlanResult:
    """Exactly these routes on these vehicles, timed by OR-Tools; the checker finds nothing."""
    routes, vehicles = plan
    fleet = tuple(p.vehicles[v] for v in vehicles)
    result = solve_with(
        replace(p, vehicles=fleet),
        SearchSettings(5.0, work_limit=1),
        initial_routes=[[c - 1 for c in r] for r in routes],
    )
    expected = {fleet[k].id: [p.orders[c - 1].id for c in r] for k, r in enumerate(routes)}
    got = {r.vehicle_id: [v.order_id for v in r.visits] for r in result.routes}
    assert got == expected, "OR-Tools could not take the compiled routes as they are"
    placed = {p.orders[c - 1].id for r in routes for c in r}
    unplaced = tuple(u for u in result.unplaced if u.order_id not in placed)
    assert check_plan(p, replace(result, unplaced=unplaced)) == []
    return result


def spied_shorten(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each call of the annealing (`shorten`) `plain_search` makes."""
    calls: list[str] = []
    real: Callable[..., Any] = plain_search.shorten

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append("shorten")
        return real(*args, **kw)

    monkeypatch.setattr(plain_search, "shorten", spy)
    return calls
