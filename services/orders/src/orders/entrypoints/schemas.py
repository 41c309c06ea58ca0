"""HTTP request and response bodies of the orders API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lastmile_common.events.base import TimeWindow
from lastmile_common.events.orders import OrderRequest, OrderSpec
from pydantic import BaseModel, ConfigDict, Field

from orders.domain.model import Order
from orders.domain.proof_links import ProofLink, proof_links

ORDER_EXAMPLE: dict[str, Any] = {
    "external_id": "SHOP-1001",
    "depot_id": "schaan-hub",
    "recipient": {
        "name": "Ada Lovelace",
        "phone": "+4915112345678",
        "email": "ada@example.com",
        "channels": ["sms", "email"],
        "locale": "en",
    },
    "address": {
        "line1": "Kirchstrasse 10",
        "city": "Vaduz",
        "postal_code": "9490",
        "country": "LI",
        "location": {"lat": 47.1367, "lon": 9.5188},
    },
    "windows": [{"start": "2026-11-24T09:00:00+01:00", "end": "2026-11-24T12:00:00+01:00"}],
    "items": [
        {
            "sku": "BOOK-42",
            "description": "Notebook",
            "quantity": 2,
            "weight_kg": 0.4,
            "volume_m3": 0.002,
        }
    ],
    "service_time_s": 180,
    "skills": [],
    "priority": "normal",
    "drone_eligible": False,
}


# The same order written as an address only: orders geocodes it on the map extract.
ADDRESS_ONLY_EXAMPLE: dict[str, Any] = {
    **ORDER_EXAMPLE,
    "external_id": "SHOP-1002",
    "depot_id": "vaduz",
    "recipient": {**ORDER_EXAMPLE["recipient"], "phone": "+423660234567"},
    "address": {"line1": "Städtle 43", "city": "Vaduz", "postal_code": "9490", "country": "LI"},
}


class CreateOrder(OrderRequest):
    """An order as an integrator submits it; `address.location` may be left out."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        json_schema_extra={"examples": [ORDER_EXAMPLE, ADDRESS_ONLY_EXAMPLE]},
    )


class CancelOrder(BaseModel):
    """Why the order is cancelled."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "customer request"}]}
    )

    reason: str = Field(default="", max_length=500)


class ChangeWindows(BaseModel):
    """New delivery windows for an open order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "windows": [
                        {"start": "2026-11-24T14:00:00+01:00", "end": "2026-11-24T17:00:00+01:00"}
                    ]
                }
            ]
        },
    )

    windows: tuple[TimeWindow, ...] = Field(min_length=1, max_length=5)


class TimelineEntry(BaseModel):
    """Something that happened to an order; a delivery lists its stored proofs in `proofs`."""

    at: datetime
    kind: str
    detail: dict[str, Any]
    proofs: list[ProofLink] = Field(default_factory=list)


class OrderOut(BaseModel):
    """An order as the API returns it."""

    order_id: str
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    order: OrderSpec
    timeline: list[TimelineEntry] | None = None

    @classmethod
    def of(
        cls, order: Order, timeline: list[dict[str, Any]] | None = None, proof_base_url: str = ""
    ) -> OrderOut:
        """The API view of an order; its timeline links proofs under `proof_base_url`."""
        return cls(
            order_id=order.id,
            status=order.status,
            version=order.version,
            created_at=order.created_at,
            updated_at=order.updated_at,
            order=order.spec,
            timeline=[_entry(entry, proof_base_url) for entry in timeline]
            if timeline is not None
            else None,
        )


def _entry(entry: dict[str, Any], proof_base_url: str) -> TimelineEntry:
    return TimelineEntry(**entry, proofs=list(proof_links(entry["detail"], proof_base_url)))


class OrderPage(BaseModel):
    """A page of orders; pass `next_cursor` as `cursor` for the next one."""

    items: list[OrderOut]
    next_cursor: str | None
