"""Reasons, in a dispatcher's words, why an order was left out of the plan."""

from __future__ import annotations

from planner.domain.model import Order, PlanningProblem, ReasonCode, Unplaced, Vehicle
from planner.domain.precheck import OrderFit, Stage
from planner.domain.road_travel import MAX_SNAP_M

_CODES = {
    Stage.SKILL: ReasonCode.SKILL_MISSING,
    Stage.WEIGHT: ReasonCode.TOO_HEAVY,
    Stage.SIZE: ReasonCode.TOO_LARGE,
    Stage.ROAD: ReasonCode.NO_ROAD_ACCESS,
    Stage.RANGE: ReasonCode.OUTSIDE_RANGE,
    Stage.SHIFT: ReasonCode.SHIFT_TOO_SHORT,
    Stage.WINDOW: ReasonCode.WINDOW_UNREACHABLE,
    Stage.OK: ReasonCode.FLEET_FULL,
}


def clock(t: int) -> str:
    """Seconds since midnight as HH:MM."""
    return f"{t // 3600:02d}:{t % 3600 // 60:02d}"


def _skilled(problem: PlanningProblem, order: Order) -> list[Vehicle]:
    return [v for v in problem.vehicles if order.skills <= v.skills]


def _message(problem: PlanningProblem, order: Order, fit: OrderFit) -> str:
    o, stage = order.id, fit.best_stage
    skilled = _skilled(problem, order) or list(problem.vehicles)
    if stage == Stage.SKILL:
        need = ", ".join(sorted(order.skills)) or "drone delivery"
        return f"Order {o} needs {need}; no vehicle in the fleet offers that."
    if stage == Stage.WEIGHT:
        most = max((v.capacity.weight_kg for v in skilled), default=0.0)
        return (
            f"Order {o} weighs {order.demand.weight_kg:g} kg; the largest payload of a "
            f"suitable vehicle is {most:g} kg."
        )
    if stage == Stage.SIZE:
        vol = max((v.capacity.volume_m3 for v in skilled), default=0.0)
        return (
            f"Order {o} needs {order.demand.volume_m3:g} m³ and {order.demand.parcels} parcel(s) "
            f"of space; no suitable vehicle has that much room (largest {vol:g} m³)."
        )
    if stage == Stage.ROAD:
        return (
            f"Order {o} has no road access: its point lies more than {MAX_SNAP_M:g} m from any "
            f"road its vehicles may use, or no road joins it to the depot; check the address's "
            f"coordinates."
        )
    if stage == Stage.RANGE:
        return (
            f"Order {o} is too far: the trip out and back exceeds the range or distance limit "
            f"of every suitable vehicle (EV battery, drone radius or maximum route distance)."
        )
    if stage == Stage.SHIFT:
        longest = max((v.shift.end - v.shift.start for v in skilled), default=0)
        return (
            f"Order {o} takes longer to reach, serve and return from than any suitable "
            f"driver's shift or working-time limit allows (longest shift {longest // 3600}h"
            f"{longest % 3600 // 60:02d})."
        )
    if stage == Stage.WINDOW:
        windows = ", ".join(f"{clock(w.start)}-{clock(w.end)}" for w in order.windows)
        when = f" (earliest arrival {clock(fit.earliest_arrival)})" if fit.earliest_arrival else ""
        return f"Order {o}: no vehicle can arrive within its window {windows}{when}."
    return (
        f"Order {o} fits a vehicle on its own, but not together with the other orders: the "
        f"fleet's capacity and driving time are used up; higher-priority orders went first."
    )


def explain(problem: PlanningProblem, order: Order, fit: OrderFit) -> Unplaced:
    """Reason code and sentence for an order the plan leaves out."""
    return Unplaced(order.id, _CODES[fit.best_stage], _message(problem, order, fit))
