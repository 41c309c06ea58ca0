"""Drivers' breaks in ETAs: a break in progress holds the van until it ends; a break the plan
placed ahead holds every stop after it by the break's length."""

from __future__ import annotations

from datetime import datetime, timedelta

from tracking.domain.route import RouteState, StopState
from tracking.domain.service_start import planned_wait

Span = tuple[datetime, datetime]
# How long a break lasts that the plan did not place (and the longest an unended one counts).
UNPLANNED_BREAK_S = 1800.0


def breaks_ahead(route: RouteState) -> list[Span]:
    """The planned breaks still ahead: each break the driver took (the running one too) stands
    for the earliest planned one (drivers move a break, they rarely add one), and a planned
    break the van drove past (it reached a stop the plan serves after it) is gone: taken
    without telling, its time is in the van's progress already, or skipped."""
    left = route.breaks[len(route.breaks_taken) :]
    reached = [s for s in route.stops if _reached(s)]
    return [span for span in left if not any(served_after(s, span) for s in reached)]


def _reached(stop: StopState) -> bool:
    return stop.arrived_at is not None or stop.departed_at is not None or stop.resolved


def running_break_end(route: RouteState, at: datetime, unplanned_s: float) -> datetime | None:
    """When the break the driver is on will end: its start plus the length of the planned break
    it stands for (`unplanned_s` where the plan placed none); never before `at`. None: no break
    is running."""
    began = route.on_break_since
    if began is None:
        return None
    length = _length(route, len(route.breaks_taken) - 1, unplanned_s)
    return max(at, began + timedelta(seconds=length))


def _length(route: RouteState, index: int, unplanned_s: float) -> float:
    """How long the driver's `index`-th break should last: the planned break it stands for,
    else `unplanned_s`."""
    if index < len(route.breaks):
        start, end = route.breaks[index]
        return (end - start).total_seconds()
    return unplanned_s


def served_after(stop: StopState, span: Span) -> bool:
    """Whether the plan serves `stop` after the break `span`: its planned service start is
    not before the break ends (the planner's service starts include its breaks)."""
    start = stop.planned_start or stop.planned_arrival
    return start >= span[1]


def planned_break_s(stop: StopState, before: StopState | None, spans: list[Span]) -> float:
    """Seconds of planned breaks between leaving the stop before (the depot: None) and serving
    `stop`: the part of a planned gap there that is a break, not a wait."""
    left = None
    if before is not None:
        left = (before.planned_start or before.planned_arrival) + timedelta(
            seconds=before.service_time_s
        )
    return sum(
        (end - start).total_seconds()
        for start, end in spans
        if served_after(stop, (start, end)) and (left is None or start >= left)
    )


def plan_waits(stop: StopState, before: StopState | None, spans: list[Span]) -> bool:
    """Whether the plan has the van wait at `stop` (the stop before it: `before`), not counting
    the planned breaks `spans` between them: the one rule ETAs and learned paces share."""
    return planned_wait(stop, planned_break_s(stop, before, spans))


def taken_s(
    route: RouteState, a: datetime, b: datetime, unplanned_s: float = UNPLANNED_BREAK_S
) -> float:
    """Seconds of the breaks the driver took between `a` and `b`. A break not ended (yet, or a
    driver who never taps "end break") counts up to `b` but no longer than it should last:
    driving on after a forgotten tap is driving, not a break."""
    total = 0.0
    for index, (start, end) in enumerate(route.breaks_taken):
        if end is None:
            end = start + timedelta(seconds=_length(route, index, unplanned_s))
        total += max(0.0, (min(end, b) - max(start, a)).total_seconds())
    return total
