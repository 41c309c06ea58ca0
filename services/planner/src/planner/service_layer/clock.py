"""Time conversions between UTC instants and the solver's seconds since the plan's midnight.

The solver counts elapsed seconds from local midnight of the service date in the depot's time
zone, so travel durations stay real seconds even on days when clocks change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from lastmile_common.events.base import TimeWindow as UtcWindow

from planner.domain.depots import clock_seconds


def midnight_utc(service_date: date, time_zone: str) -> datetime:
    """Local midnight of the service date, as a UTC instant."""
    local = datetime(
        service_date.year, service_date.month, service_date.day, tzinfo=ZoneInfo(time_zone)
    )
    return local.astimezone(UTC)


def to_utc(service_date: date, time_zone: str, seconds: int | float) -> datetime:
    """Seconds since the plan's midnight as a UTC instant."""
    return midnight_utc(service_date, time_zone) + timedelta(seconds=seconds)


def to_seconds(service_date: date, time_zone: str, instant: datetime) -> int:
    """A UTC instant as seconds since the plan's midnight (negative before it)."""
    delta = instant.astimezone(UTC) - midnight_utc(service_date, time_zone)
    return int(delta.total_seconds())


def wall_clock_seconds(service_date: date, time_zone: str, hhmm: str) -> int:
    """A local "HH:MM" of the service date as elapsed seconds since its midnight."""
    tz = ZoneInfo(time_zone)
    base = datetime(service_date.year, service_date.month, service_date.day, tzinfo=tz)
    local = base + timedelta(seconds=clock_seconds(hhmm))  # wall-clock arithmetic in tz
    return to_seconds(service_date, time_zone, local.replace(tzinfo=tz))


def service_date_of(windows: Iterable[UtcWindow], time_zone: str) -> date:
    """The local date, in the depot's zone, of the earliest window start."""
    first = min(w.start for w in windows)
    return first.astimezone(ZoneInfo(time_zone)).date()


def local_now(now: datetime, time_zone: str) -> datetime:
    """`now` in the depot's time zone."""
    return now.astimezone(ZoneInfo(time_zone))
