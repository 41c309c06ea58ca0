"""Shared building blocks of event data models."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must carry a time zone (UTC, RFC 3339)")
    return value


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="WGS84 degrees")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="WGS84 degrees")]


class EventData(BaseModel):
    """Base of every event's data: frozen, unknown fields ignored so additive changes stay compatible."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class GeoPoint(EventData):
    """A WGS84 position."""

    lat: Latitude
    lon: Longitude


class TimeWindow(EventData):
    """A delivery window in UTC; `soft` windows may be missed at a lateness cost."""

    start: UtcDatetime
    end: UtcDatetime
    soft: bool = False
