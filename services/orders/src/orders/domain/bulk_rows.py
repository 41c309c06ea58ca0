"""Bulk import rows (CSV columns or NDJSON objects) to order specs, with errors naming the field."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import Any

from lastmile_common.control_chars import MESSAGE, control_character_field
from lastmile_common.events.orders import OrderRequest
from pydantic import ValidationError

CSV_COLUMNS = (
    "external_id",
    "depot_id",
    "recipient_name",
    "phone",
    "email",
    "channels",
    "locale",
    "line1",
    "line2",
    "city",
    "postal_code",
    "country",
    "lat",
    "lon",
    "window_start",
    "window_end",
    "sku",
    "description",
    "quantity",
    "weight_kg",
    "volume_m3",
    "service_time_s",
    "skills",
    "priority",
    "drone_eligible",
)
_REQUIRED_CSV = (
    "external_id",
    "depot_id",
    "recipient_name",
    "line1",
    "city",
    "country",
    "window_start",
    "window_end",
    "weight_kg",
)
# Separates the values of a list column (channels, skills, windows); commas separate columns.
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class RowError:
    """Why one line was rejected."""

    line: int
    field: str
    message: str


def _blank_to_none(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(LIST_SEPARATOR) if part.strip()]


def _windows(row: dict[str, str]) -> list[dict[str, Any]]:
    """Windows from `window_start` and `window_end`, lists paired in order."""
    starts, ends = _list(row.get("window_start")), _list(row.get("window_end"))
    if len(starts) != len(ends):
        raise _ListMismatch("window_end", "needs as many values as window_start")
    return [{"start": start, "end": end} for start, end in zip(starts, ends, strict=True)]


def _location(row: dict[str, str]) -> dict[str, Any] | None:
    """The row's position; none (geocode the address) when lat and lon are both blank."""
    if not row.get("lat") and not row.get("lon"):
        return None
    return {"lat": row.get("lat"), "lon": row.get("lon")}


class _ListMismatch(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def csv_row_to_dict(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (one item per order) as the nested order body (ValueError naming a column
    whose list does not pair with another)."""
    skills = _list(row.get("skills"))
    channels = _list(row.get("channels") or "sms;email")
    return {
        "external_id": row.get("external_id"),
        "depot_id": row.get("depot_id"),
        "recipient": {
            "name": row.get("recipient_name"),
            "phone": _blank_to_none(row.get("phone")),
            "email": _blank_to_none(row.get("email")),
            "channels": channels,
            "locale": row.get("locale") or "en",
        },
        "address": {
            "line1": row.get("line1"),
            "line2": _blank_to_none(row.get("line2")),
            "city": row.get("city"),
            "postal_code": row.get("postal_code") or "",
            "country": row.get("country"),
            "location": _location(row),
        },
        "windows": _windows(row),
        "items": [
            {
                "sku": row.get("sku") or "ITEM",
                "description": row.get("description") or "",
                "quantity": row.get("quantity") or 1,
                "weight_kg": row.get("weight_kg"),
                "volume_m3": row.get("volume_m3") or 0,
            }
        ],
        "service_time_s": row.get("service_time_s") or 180,
        "skills": skills,
        "priority": row.get("priority") or "normal",
        "drone_eligible": (row.get("drone_eligible") or "false").lower() in ("1", "true", "yes"),
    }


def missing_csv_columns(header: list[str]) -> list[str]:
    """Required columns absent from a CSV header."""
    return [column for column in _REQUIRED_CSV if column not in header]


def _csv_field(loc: tuple[Any, ...]) -> str:
    path = [str(part) for part in loc]
    flat = {
        "recipient.name": "recipient_name",
        "recipient.phone": "phone",
        "recipient.email": "email",
        "address.location.lat": "lat",
        "address.location.lon": "lon",
        "items.0.weight_kg": "weight_kg",
        "items.0.quantity": "quantity",
        "items.0.volume_m3": "volume_m3",
    }
    dotted = ".".join(path)
    if dotted in flat:
        return flat[dotted]
    if path[:1] == ["windows"]:
        return "window_end" if path[-1] == "end" else "window_start"
    return path[-1] if path and path[0] in ("address", "recipient") else dotted or "row"


def parse_csv_row(line: int, row: dict[str, str]) -> OrderRequest | RowError:
    """Validate one CSV row; the error names the column at fault."""
    try:
        raw = csv_row_to_dict(row)
    except _ListMismatch as exc:
        return RowError(line, exc.field, str(exc))
    return parse_row(line, raw, csv=True)


def parse_row(line: int, raw: dict[str, Any], *, csv: bool) -> OrderRequest | RowError:
    """Validate one row; the error names the CSV column or the JSON path at fault."""
    if (field := control_character_field(raw, "")) is not None:
        return RowError(line, _csv_field(tuple(field.split("."))) if csv else field, MESSAGE)
    try:
        return OrderRequest.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = _csv_field(error["loc"]) if csv else ".".join(str(p) for p in error["loc"])
        return RowError(line, field or "row", error["msg"])


def split_csv_line(line: int, text: str) -> list[str] | RowError:
    """One CSV line's values, or an error when it is not CSV (a lone CR in an unquoted field)."""
    try:
        return next(csv.reader([text]))
    except csv.Error as exc:
        return RowError(line, "row", f"invalid CSV: {exc}")


def parse_ndjson_line(line: int, text: str) -> OrderRequest | RowError:
    """One NDJSON line to an order spec or an error."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return RowError(line, "row", f"invalid JSON: {exc.msg}")
    if not isinstance(raw, dict):
        return RowError(line, "row", "each line must be a JSON object")
    return parse_row(line, raw, csv=False)
