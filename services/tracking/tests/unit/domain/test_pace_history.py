"""The depot's earlier days: where today knows little, the fleet's pace starts from them."""

from datetime import UTC, datetime, timedelta

from tracking.domain import progress as prog
from tracking.domain.pace import PaceConfig, fleet_pace
from tracking.domain.route import RouteState, route_from_event
from tracking.simulation import planned_route, route_trace

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CFG = PaceConfig()


def driven(
    route_id: str,
    start: datetime,
    speed_mps: float,
    visited: list[int],
    vehicle: str = "v1",
    stops: int = 6,
) -> RouteState:
    """A route whose van drove the `visited` stops at a speed, completing each as it left."""
    event = planned_route(route_id, vehicle, start, stops=stops)
    route = route_from_event("t", event, {})
    for fix in route_trace(event, start, order=visited, speed_mps=speed_mps, dwell_s=120):
        before = route.at_stop
        prog.apply_fix(route, fix, prog.ProgressConfig())
        if before and route.at_stop is None:
            stop = route.stop(before)
            assert stop is not None
            prog.resolve_stop(route, stop, True, fix.time)
    return route


def test_a_day_starts_from_the_pace_of_the_days_before_not_from_the_plan() -> None:
    yesterday = fleet_pace(
        [driven("r0", T0 - timedelta(days=1), 8.0 / 1.3 / 1.4, [1, 2, 3, 4, 5])], CFG
    )
    (slow,) = {round(r, 2) for r in yesterday.ratios.values()}
    assert slow > 1.2
    # Today: nothing driven yet, then one leg at the plan's speed.
    cold = fleet_pace([], CFG, yesterday)
    assert cold.ratios == yesterday.ratios
    one_leg = fleet_pace([driven("r1", T0, 8.0 / 1.3, [1])], CFG, yesterday)
    (ratio,) = one_leg.ratios.values()
    assert 1.1 < ratio < slow  # one leg moves it towards the plan, not all the way
    assert (
        fleet_pace([driven("r1", T0, 8.0 / 1.3, [1])], CFG).ratio(next(iter(one_leg.ratios))) < 1.1
    )


def test_a_day_with_its_own_evidence_soon_speaks_for_itself() -> None:
    yesterday = fleet_pace(
        [driven("r0", T0 - timedelta(days=1), 8.0 / 1.3 / 1.4, [1, 2, 3, 4, 5])], CFG
    )
    today = [driven(f"r{i}", T0, 8.0 / 1.3, [1, 2, 3, 4, 5, 6]) for i in range(1, 4)]
    (ratio,) = fleet_pace(today, CFG, yesterday).ratios.values()
    assert ratio < 1.15
