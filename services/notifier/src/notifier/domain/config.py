"""A tenant's notifier configuration: brand, triggers, quiet hours and limits."""

from __future__ import annotations

import re
import zoneinfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Triggers(BaseModel):
    """Which moments produce a message, and their thresholds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    confirmed: bool = True
    out_for_delivery: bool = True
    eta_changed: bool = True
    eta_change_threshold_min: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="an ETA change is told when it moved more than this from the ETA last told",
    )
    eta_change_interval_min: int = Field(
        default=10, ge=0, le=24 * 60, description="at most one ETA change per order this often"
    )
    arriving: bool = True
    arriving_stops: int = Field(
        default=2, ge=0, le=100, description="arriving when this many stops away or fewer"
    )
    arriving_minutes: int = Field(
        default=15, ge=0, le=240, description="or when the ETA is this close"
    )
    delivered: bool = True
    failed: bool = True
    planned_window_min: int = Field(
        default=60,
        ge=10,
        le=480,
        description="ETA window width when only the planned arrival is known",
    )

    def enabled(self, kind: str) -> bool:
        """Whether a kind of message is switched on."""
        return bool(getattr(self, kind, False))


class QuietHours(BaseModel):
    """Local times (recipient's time zone) between which nothing is sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str = Field(default="21:00", examples=["21:00"])
    end: str = Field(default="08:00", examples=["08:00"])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("use HH:MM, 24-hour clock")
        return value


class TenantConfig(BaseModel):
    """Everything a tenant can set; every field has a sensible default."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "brand_name": "Acme Groceries",
                    "default_time_zone": "Europe/Berlin",
                    "triggers": {"eta_change_threshold_min": 20, "arriving_stops": 3},
                    "quiet_hours": {"start": "21:00", "end": "08:00"},
                    "recipient_hourly_limit": 10,
                }
            ]
        },
    )

    brand_name: str = Field(default="lastmile", min_length=1, max_length=100)
    default_time_zone: str = Field(
        default="UTC", description="used until a route names the depot's zone"
    )
    triggers: Triggers = Triggers()
    quiet_hours: QuietHours | None = None
    recipient_hourly_limit: int = Field(default=10, ge=1, le=1000)

    @field_validator("default_time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value
