"""The independent checker catches broken plans (so the solver tests can trust it)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from planner.domain.checker import PlanInfeasible, assert_feasible, check_plan
from planner.domain.model import Capacity, TimeWindow


def _setup(build: Any) -> tuple[Any, Any]:
    orders = [build.order("a", 10, windows=(TimeWindow(0, 400),)), build.order("b", 20)]
    p = build.problem([build.vehicle("v")], orders)
    return p, build.plan(p)


def test_a_good_plan_passes(build: Any) -> None:
    p, result = _setup(build)
    assert_feasible(p, result)


def test_missing_order_is_reported(build: Any) -> None:
    p, result = _setup(build)
    route = replace(result.routes[0], visits=result.routes[0].visits[:1])
    assert any("routed 0x" in e for e in check_plan(p, replace(result, routes=(route,))))


def test_overload_is_reported(build: Any) -> None:
    p, result = _setup(build)
    small = replace(p.vehicles[0], capacity=Capacity(100.0, 1.0, 1))
    with pytest.raises(PlanInfeasible, match="parcels"):
        assert_feasible(replace(p, vehicles=(small,)), result)


def test_missed_window_is_reported(build: Any) -> None:
    p, result = _setup(build)
    tight = tuple(replace(o, windows=(TimeWindow(0, 1),)) for o in p.orders)
    assert any("outside its windows" in e for e in check_plan(replace(p, orders=tight), result))


def test_impossible_travel_time_is_reported(build: Any) -> None:
    p, result = _setup(build)
    route = result.routes[0]
    rushed = replace(route.visits[-1], start=route.visits[0].departure)
    bad = replace(route, visits=(route.visits[0], rushed))
    assert any("in time" in e for e in check_plan(p, replace(result, routes=(bad,))))


def test_missing_break_is_reported(build: Any) -> None:
    from planner.domain.model import Break

    p, result = _setup(build)
    with_break = replace(p.vehicles[0], breaks=(Break(30, 0, 1000),))
    assert any("breaks taken" in e for e in check_plan(replace(p, vehicles=(with_break,)), result))
