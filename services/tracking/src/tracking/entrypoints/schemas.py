"""HTTP request and response bodies, each request body with a valid example."""

from __future__ import annotations

from typing import Any, Literal

from lastmile_common.events.base import Latitude, Longitude, UtcDatetime
from lastmile_common.events.deliveries import FailureReason
from pydantic import BaseModel, ConfigDict, Field


class DeviceIn(BaseModel):
    """Register a driver's phone for a vehicle."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"vehicle_id": "van-7", "label": "Pixel"}]}
    )

    vehicle_id: str = Field(min_length=1, max_length=100)
    label: str = Field(default="", max_length=200)


class DeviceOut(BaseModel):
    """The device token is shown once (also inside the sign-in link and its QR code); only its
    hash is kept."""

    device_id: str
    vehicle_id: str
    device_token: str
    sign_in_url: str = Field(description="opens the driver's app signed in as this device")
    sign_in_qr_svg: str = Field(description="the sign-in link as a QR code (SVG) to scan")


class DeviceListed(BaseModel):
    """A registered device (never its token)."""

    device_id: str
    vehicle_id: str
    label: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


class PingIn(BaseModel):
    """One position from a driver's phone (the vehicle comes from the device token)."""

    model_config = ConfigDict(extra="forbid")

    time: UtcDatetime
    lat: Latitude
    lon: Longitude
    accuracy_m: float | None = Field(default=None, ge=0)
    speed_mps: float | None = Field(default=None, ge=0)
    heading_deg: float | None = Field(default=None, ge=0, lt=360)
    battery: float | None = Field(default=None, ge=0, le=1)
    driver_id: str | None = Field(default=None, max_length=100)


_PING_EXAMPLE: dict[str, Any] = {
    "time": "2026-11-24T08:15:02Z",
    "lat": 52.5201,
    "lon": 13.4049,
    "accuracy_m": 8.0,
    "speed_mps": 6.2,
    "heading_deg": 91.0,
    "battery": 0.82,
    "driver_id": "drv-12",
}


class PingBatchIn(BaseModel):
    """A batch of pings; each is validated on its own (see the response's `rejected`)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"pings": [_PING_EXAMPLE]}]}
    )

    pings: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class RejectedPing(BaseModel):
    """A ping that was not accepted, by its index in the request, with field errors."""

    index: int
    errors: list[dict[str, str]]


class PingBatchOut(BaseModel):
    """Indices of the accepted pings and, one by one, the rejected ones."""

    accepted: list[int]
    rejected: list[RejectedPing]


class LocationIn(BaseModel):
    """A WGS84 position."""

    lat: Latitude
    lon: Longitude


class ProofIn(BaseModel):
    """Proof of delivery: references to uploaded media, who received it, where the driver was."""

    model_config = ConfigDict(extra="forbid")

    photo_ref: str | None = Field(default=None, max_length=500)
    signature_ref: str | None = Field(default=None, max_length=500)
    recipient_name: str | None = Field(default=None, max_length=200)
    location: LocationIn | None = None


class CompleteStopIn(BaseModel):
    """The driver's completion of a stop: delivered (with proof) or failed (with a reason)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "outcome": "delivered",
                    "completed_at": "2026-11-24T09:02:00Z",
                    "proof": {
                        "photo_ref": "media/abc.jpg",
                        "signature_ref": "media/abc.svg",
                        "recipient_name": "A. Neighbour",
                        "location": {"lat": 52.5201, "lon": 13.4049},
                    },
                },
                {"outcome": "failed", "reason_code": "nobody_home", "reason": "rang twice"},
            ]
        },
    )

    outcome: Literal["delivered", "failed"]
    completed_at: UtcDatetime | None = None
    proof: ProofIn | None = None
    reason_code: FailureReason | None = None
    reason: str = Field(default="", max_length=1000)
