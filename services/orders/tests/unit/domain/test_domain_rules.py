"""Validation of order specs, bulk rows and Shopify payloads."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from lastmile_common.events.orders import OrderRequest, OrderSpec
from orders.domain import shopify
from orders.domain.bulk_rows import RowError, csv_row_to_dict, parse_ndjson_line, parse_row
from pydantic import ValidationError

from ..service_layer.test_handlers import BODY


def test_phone_must_be_e164() -> None:
    with pytest.raises(ValidationError, match="recipient.phone"):
        OrderSpec.model_validate({**BODY, "recipient": {"name": "A", "phone": "0301234"}})


def test_window_end_after_start() -> None:
    with pytest.raises(ValidationError, match="end must be after start"):
        OrderSpec.model_validate(
            {**BODY, "windows": [{"start": "2026-11-24T12:00:00Z", "end": "2026-11-24T09:00:00Z"}]}
        )


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        OrderSpec.model_validate(
            {**BODY, "windows": [{"start": "2026-11-24T09:00:00", "end": "2026-11-24T12:00:00"}]}
        )


def test_csv_row_error_names_the_column() -> None:
    row = {
        "external_id": "A-1",
        "depot_id": "d1",
        "recipient_name": "Ada",
        "phone": "+4915112345678",
        "line1": "x",
        "city": "Berlin",
        "country": "DE",
        "lat": "95",
        "lon": "13.4",
        "window_start": "2026-11-24T09:00:00Z",
        "window_end": "2026-11-24T12:00:00Z",
        "weight_kg": "1",
    }
    result = parse_row(7, csv_row_to_dict(row), csv=True)
    assert isinstance(result, RowError)
    assert (result.line, result.field) == (7, "lat")


def test_ndjson_line_errors() -> None:
    bad = parse_ndjson_line(3, "{not json")
    assert isinstance(bad, RowError) and bad.line == 3 and bad.field == "row"
    assert isinstance(parse_ndjson_line(4, __import__("json").dumps(BODY)), OrderRequest)


def test_shopify_signature() -> None:
    body = b'{"id": 1}'
    good = base64.b64encode(hmac.new(b"secret-123", body, hashlib.sha256).digest()).decode()
    assert shopify.signature_valid("secret-123", body, good)
    assert not shopify.signature_valid("secret-123", body + b" ", good)
    assert not shopify.signature_valid("secret-123", body, None)


SHOPIFY_ORDER = {
    "id": 42,
    "email": "a@example.com",
    "created_at": "2026-11-23T10:00:00+01:00",
    "shipping_address": {
        "name": "Ada",
        "address1": "Kirchstrasse 1",
        "city": "Vaduz",
        "country_code": "LI",
        "latitude": 47.1367,
        "longitude": 9.5188,
    },
    "line_items": [{"sku": "S", "title": "Book", "quantity": 2, "grams": 750}],
}


def test_shopify_mapping_uses_grams_and_coordinates() -> None:
    order = shopify.parse(SHOPIFY_ORDER, "d1", "Europe/Berlin")
    assert order.external_id == "shopify-42"
    assert order.items[0].weight_kg == 0.75 and order.weight_kg == 1.5
    assert order.address.location.lat == 47.1367
    assert order.windows[0].start.isoformat() == "2026-11-24T09:00:00+01:00"
