"""Shopify `orders/create` webhooks: signature check and mapping to a lastmile order."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lastmile_common.events.orders import OrderRequest


@dataclass(frozen=True)
class ShopifySettings:
    """How a tenant's Shopify store reaches lastmile: its webhook secret, depot and zone."""

    shop_domain: str
    webhook_secret: str
    depot_id: str
    time_zone: str = "UTC"


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    """True if X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body."""
    if not header:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, header)


def _attribute(payload: dict[str, Any], name: str) -> str | None:
    for attribute in payload.get("note_attributes") or ():
        if attribute.get("name") == name:
            return str(attribute.get("value"))
    return None


def _default_window(created_at: str | None, tz: ZoneInfo) -> list[dict[str, str]]:
    """The day after the order was placed, 09:00–17:00 in the depot's zone, when the shop sends
    no window."""
    placed = datetime.fromisoformat(created_at) if created_at else datetime.now(tz)
    day = placed.astimezone(tz).date() + timedelta(days=1)
    start = datetime.combine(day, time(9), tz)
    return [{"start": start.isoformat(), "end": (start + timedelta(hours=8)).isoformat()}]


def to_order(payload: dict[str, Any], depot_id: str, time_zone: str = "UTC") -> dict[str, Any]:
    """The lastmile order body of a Shopify order (validate it with OrderSpec)."""
    address = payload.get("shipping_address") or {}
    customer = payload.get("customer") or {}
    name = (
        address.get("name")
        or " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p)
        or customer.get("first_name", "")
    )
    start, end = (
        _attribute(payload, "delivery_window_start"),
        _attribute(payload, "delivery_window_end"),
    )
    windows = (
        [{"start": start, "end": end}]
        if start and end
        else _default_window(payload.get("created_at"), ZoneInfo(time_zone))
    )
    items = [
        {
            "sku": item.get("sku") or str(item.get("variant_id") or item.get("id") or "item"),
            "description": item.get("title") or "",
            "quantity": item.get("quantity") or 1,
            "weight_kg": (item.get("grams") or 0) / 1000.0,
        }
        for item in payload.get("line_items") or ()
    ]
    return {
        "external_id": f"shopify-{payload.get('id')}",
        "depot_id": depot_id,
        "recipient": {
            "name": name or "Customer",
            "phone": address.get("phone") or payload.get("phone") or None,
            "email": payload.get("email") or customer.get("email") or None,
        },
        "address": {
            "line1": address.get("address1"),
            "line2": address.get("address2") or None,
            "city": address.get("city"),
            "postal_code": address.get("zip") or "",
            "country": address.get("country_code"),
            "location": _location(address),
        },
        "windows": windows,
        "items": items,
        "notes": payload.get("note") or "",
    }


def _location(address: dict[str, Any]) -> dict[str, Any] | None:
    """The shipping address's position; none (geocode it) when Shopify sends no coordinates."""
    if address.get("latitude") is None and address.get("longitude") is None:
        return None
    return {"lat": address.get("latitude"), "lon": address.get("longitude")}


def parse(payload: dict[str, Any], depot_id: str, time_zone: str = "UTC") -> OrderRequest:
    """Map and validate a Shopify order (raises pydantic.ValidationError)."""
    return OrderRequest.model_validate(to_order(payload, depot_id, time_zone))
