"""The ETA context: eta.updated."""

from pydantic import Field

from lastmile_common.events.base import EventData, TimeWindow, UtcDatetime


class EtaUpdated(EventData):
    """A new estimate of when the vehicle reaches an order's stop."""

    order_id: str
    route_id: str
    stop_id: str
    vehicle_id: str
    eta: UtcDatetime
    window_start: UtcDatetime
    window_end: UtcDatetime
    stops_away: int = Field(ge=0)
    computed_at: UtcDatetime
    promised_window: TimeWindow | None = None
    tracking_token: str | None = None
    sequence: int = Field(default=1, ge=1, description="grows with every update of this order")
