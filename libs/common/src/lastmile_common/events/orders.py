"""The orders context: order.submitted (inbound), order.created, order.updated, order.cancelled."""

from __future__ import annotations

from typing import Annotated, Literal

import phonenumbers
from pydantic import AfterValidator, EmailStr, Field, model_validator

from lastmile_common.events.base import EventData, GeoPoint, TimeWindow, UtcDatetime

Channel = Literal["sms", "email"]
Priority = Literal["low", "normal", "high", "urgent"]


def _e164(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("phone must be in E.164 form, e.g. +4930123456") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("phone is not a valid number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


E164Phone = Annotated[str, AfterValidator(_e164)]
Skill = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", examples=["refrigerated"])]


class Recipient(EventData):
    """Who receives the parcel and how to reach them."""

    name: str = Field(min_length=1, max_length=200)
    phone: E164Phone | None = None
    email: EmailStr | None = None
    channels: tuple[Channel, ...] = ("sms", "email")
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")

    @model_validator(mode="after")
    def _reachable(self) -> Recipient:
        if self.phone is None and self.email is None:
            raise ValueError("recipient needs a phone or an email")
        return self


# How an order's position was found: given by the integrator, or placed by the geocoder at the
# house, on the street, in the postcode area or in the town the address names.
LocationPrecision = Literal["given", "house", "street", "postcode", "place"]


class PostalAddress(EventData):
    """A delivery address as a person writes it."""

    line1: str = Field(min_length=1, max_length=200, description="street and house number")
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class SubmittedAddress(PostalAddress):
    """An integrator's address: without `location`, orders geocodes it from the map."""

    location: GeoPoint | None = None


class Address(PostalAddress):
    """A delivery address with its position and how that position was found."""

    location: GeoPoint
    location_precision: LocationPrecision = Field(
        default="given",
        description="given (by the integrator), or where the geocoder placed the address:"
        " house, street, postcode or place (town)",
    )


class Item(EventData):
    """A line of the order: what and how much space it takes."""

    sku: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=300)
    quantity: int = Field(ge=1, le=10_000)
    weight_kg: float = Field(ge=0, le=2_000, description="weight of one unit")
    volume_m3: float = Field(default=0.0, ge=0, le=20, description="volume of one unit")


class OrderTerms(EventData):
    """An order's fields besides its address, validated on every intake path."""

    external_id: str = Field(min_length=1, max_length=100)
    depot_id: str = Field(min_length=1, max_length=100)
    recipient: Recipient
    windows: tuple[TimeWindow, ...] = Field(min_length=1, max_length=5)
    items: tuple[Item, ...] = Field(min_length=1, max_length=500)
    service_time_s: int = Field(default=180, ge=0, le=4 * 3600)
    skills: tuple[Skill, ...] = ()
    priority: Priority = "normal"
    drone_eligible: bool = False
    notes: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _windows_ordered(self) -> OrderTerms:
        for index, window in enumerate(self.windows):
            if window.end <= window.start:
                raise ValueError(f"windows[{index}]: end must be after start")
        return self

    @property
    def weight_kg(self) -> float:
        """Total weight of the order."""
        return sum(item.weight_kg * item.quantity for item in self.items)

    @property
    def volume_m3(self) -> float:
        """Total volume of the order."""
        return sum(item.volume_m3 * item.quantity for item in self.items)

    @property
    def parcels(self) -> int:
        """Number of parcels (units) in the order."""
        return sum(item.quantity for item in self.items)


class OrderRequest(OrderTerms):
    """What an integrator asks for (HTTP, bulk, Kafka): the address may lack its position."""

    address: SubmittedAddress


class OrderSpec(OrderTerms):
    """An order with a placed address: what orders stores and publishes."""

    address: Address


class OrderSubmitted(OrderRequest):
    """An integrator's order on orders.inbound.v1, not yet validated by the orders service."""


class OrderSnapshot(OrderSpec):
    """An accepted order as the orders service publishes it."""

    order_id: str
    status: str
    version: int = Field(ge=1)
    created_at: UtcDatetime
    total_weight_kg: float = Field(ge=0)
    total_volume_m3: float = Field(ge=0)
    total_parcels: int = Field(ge=1)


class OrderCreated(OrderSnapshot):
    """An order was accepted and stored."""


class OrderUpdated(OrderSnapshot):
    """An accepted order changed (e.g. its delivery window); `changed` names the fields."""

    changed: tuple[str, ...] = ()


class OrderCancelled(EventData):
    """An order was cancelled and must not be delivered."""

    order_id: str
    external_id: str
    depot_id: str
    version: int = Field(ge=1)
    reason: str = ""
    cancelled_at: UtcDatetime
