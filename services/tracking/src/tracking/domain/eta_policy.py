"""When an ETA is worth telling: the first one, a real move, a material change; never a flood."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracking.domain.eta import StopEta


@dataclass(frozen=True, slots=True)
class PublishPolicy:
    """Thresholds for publishing `eta.updated`."""

    threshold_s: float = 120.0  # an ETA moving less than this is not news
    min_interval_s: float = 60.0  # at most one update per order per interval...
    material_s: float = 600.0  # ...unless the window moved this much
    stops_away_watch: int = 5  # a change of stops away this close is always told
    narrowed_s: float = 300.0  # a window this much narrower than the one told is worth telling
    promised_width_s: float = 1800.0  # ...and so is one that comes within the promised width


@dataclass(frozen=True, slots=True)
class Published:
    """The last ETA told for an order."""

    eta: datetime
    window_start: datetime
    window_end: datetime
    stops_away: int
    at: datetime
    sequence: int


def should_publish(
    policy: PublishPolicy, last: Published | None, new: StopEta, now: datetime
) -> bool:
    """Whether `new` deserves an `eta.updated` given what was told last."""
    if last is None:
        return True
    if abs((new.window_start - last.window_start).total_seconds()) >= policy.material_s:
        return True
    if abs((new.window_end - last.window_end).total_seconds()) >= policy.material_s:
        return True
    if new.stops_away != last.stops_away and new.stops_away <= policy.stops_away_watch:
        return True
    told_width = (last.window_end - last.window_start).total_seconds()
    width = (new.window_end - new.window_start).total_seconds()
    if width <= told_width - policy.narrowed_s:
        return True
    if width <= policy.promised_width_s < told_width:
        return True
    if (now - last.at).total_seconds() < policy.min_interval_s:
        return False
    return abs((new.eta - last.eta).total_seconds()) >= policy.threshold_s


def published(new: StopEta, now: datetime, last: Published | None) -> Published:
    """What to remember after telling `new`."""
    sequence = 1 if last is None else last.sequence + 1
    return Published(new.eta, new.window_start, new.window_end, new.stops_away, now, sequence)
