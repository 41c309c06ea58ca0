"""The GPS context: ping (one position) and ping.batch."""

from pydantic import Field

from lastmile_common.events.base import EventData, Latitude, Longitude, UtcDatetime


class Ping(EventData):
    """One position report of a vehicle."""

    vehicle_id: str = Field(min_length=1, max_length=100)
    driver_id: str | None = Field(default=None, max_length=100)
    time: UtcDatetime
    lat: Latitude
    lon: Longitude
    accuracy_m: float | None = Field(default=None, ge=0)
    speed_mps: float | None = Field(default=None, ge=0)
    heading_deg: float | None = Field(default=None, ge=0, lt=360)
    battery: float | None = Field(default=None, ge=0, le=1)


class PingBatch(EventData):
    """Several pings of one vehicle, sent together (e.g. after an offline gap)."""

    vehicle_id: str
    pings: tuple[Ping, ...] = Field(min_length=1, max_length=10_000)
