"""When service at a stop can begin: never before its window opens nor its planned start."""

from __future__ import annotations

from datetime import datetime

from tracking.domain.route import StopState


def service_start(stop: StopState, arrival: datetime) -> datetime:
    """The earliest time the driver can serve `stop` after reaching it at `arrival`.

    A van that arrives early waits: for the first window not yet closed to open, and for the
    planned service start (where the plan scheduled a wait, drivers keep to it). Whatever leg
    times say, an ETA is the later of the arrival and this floor.
    """
    begin = arrival
    if stop.planned_start is not None:
        begin = max(begin, stop.planned_start)
    for opens, closes in stop.windows:
        if begin <= closes:
            return max(begin, opens)
    return begin  # every window closed already: late, serve at once
