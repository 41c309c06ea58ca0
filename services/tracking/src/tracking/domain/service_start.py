"""When service at a stop can begin: never before its window opens, nor before its planned
start where the plan scheduled a wait (at that stop or one before it)."""

from __future__ import annotations

from datetime import datetime

from tracking.domain.route import StopState

WAIT_TOLERANCE_S = 60.0  # planned times are rounded to seconds, legs to a bucket's pace


def planned_wait(stop: StopState, break_s: float) -> bool:
    """Whether the plan has the van wait at this stop before serving it (more than the
    `break_s` of a planned break before it: a break is no wait)."""
    if stop.planned_start is None:
        return False
    gap = (stop.planned_start - stop.planned_arrival).total_seconds()
    return gap > break_s + WAIT_TOLERANCE_S


def service_start(stop: StopState, arrival: datetime, keep_plan: bool = True) -> datetime:
    """The earliest time the driver can serve `stop` after reaching it at `arrival`.

    A van that arrives early waits: for the first window not yet closed to open, and for the
    planned service start (where the plan scheduled a wait, drivers keep to it). Whatever leg
    times say, an ETA is the later of the arrival and this floor. `keep_plan` False (the van has
    shown it is ahead of plan, and no wait the plan scheduled lies before this stop): it serves
    as soon as the window allows, and the planned start is no floor.
    """
    begin = arrival
    if keep_plan and stop.planned_start is not None:
        begin = max(begin, stop.planned_start)
    for opens, closes in stop.windows:
        if begin <= closes:
            return max(begin, opens)
    return begin  # every window closed already: late, serve at once
