"""Bulk import: CSV or NDJSON streamed line by line; good rows accepted, bad rows reported."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Request
from lastmile_common.events.orders import OrderRequest
from lastmile_common.http.problems import Problem
from lastmile_common.routing import Bounds
from pydantic import BaseModel

from orders.domain.bulk_rows import (
    CSV_COLUMNS,
    RowError,
    missing_csv_columns,
    parse_csv_row,
    parse_ndjson_line,
    split_csv_line,
)
from orders.domain.geocoding import AddressNotPlaced
from orders.domain.on_map import OutsideMap
from orders.entrypoints.deps import GeocoderDep, MapBoundsDep, SettingsDep, StoreDep, TenantDep
from orders.entrypoints.http_orders import create_problem
from orders.entrypoints.schemas import ORDER_EXAMPLE
from orders.service_layer import handlers
from orders.service_layer.locating import AddressPlacer, locate
from orders.service_layer.ports import OrdersStore

router = APIRouter(prefix="/v1/orders", tags=["orders"])


class ImportResult(BaseModel):
    """What a bulk import accepted and what it rejected, line by line."""

    accepted: int
    duplicates: int
    rejected: list[dict[str, object]]
    order_ids: list[str]


async def _lines(request: Request, max_bytes: int) -> AsyncIterator[tuple[int, str]]:
    buffer = b""
    received = 0
    number = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise Problem(413, "Content Too Large", f"imports are limited to {max_bytes} bytes")
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        for raw in complete:
            number += 1
            yield number, raw.decode("utf-8", errors="replace").rstrip("\r")
    if buffer.strip():
        yield number + 1, buffer.decode("utf-8", errors="replace").rstrip("\r")


@router.post(
    "/import",
    response_model=ImportResult,
    responses={415: {"description": "Neither text/csv nor application/x-ndjson"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": ",".join(CSV_COLUMNS) + "\nA-1,schaan-hub,Ada,+4915112345678,,"
                    "sms,en,Kirchstrasse 10,,Vaduz,9490,LI,47.1367,9.5188,"
                    "2026-11-24T09:00:00+01:00,2026-11-24T12:00:00+01:00,BOOK,,1,0.5,0.002,180,,"
                    "normal,false\n",
                },
                "application/x-ndjson": {
                    "schema": {"type": "string"},
                    "example": json.dumps(ORDER_EXAMPLE) + "\n",
                },
            },
        }
    },
)
async def bulk_import(
    request: Request,
    tenant: TenantDep,
    store: StoreDep,
    settings: SettingsDep,
    bounds: MapBoundsDep,
    geocoder: GeocoderDep,
) -> ImportResult:
    """Import orders from CSV (header row first) or NDJSON, one order per line. Lists in a CSV
    cell (channels, skills, several windows) are separated by `;`; rows without `lat`/`lon`
    are geocoded (a row whose address cannot be placed is rejected naming `address`)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in ("text/csv", "application/x-ndjson", "application/jsonl"):
        raise Problem(
            415,
            "Unsupported Media Type",
            "send text/csv or application/x-ndjson",
            errors=[{"field": "header.Content-Type", "message": "unsupported"}],
        )
    result = ImportResult(accepted=0, duplicates=0, rejected=[], order_ids=[])
    header: list[str] | None = None
    rows = 0
    intake = _Intake(store, geocoder, tenant, bounds, csv=content_type == "text/csv")
    async for number, text in _lines(request, settings.import_max_bytes):
        if not text.strip():
            continue
        if content_type == "text/csv":
            header, csv_parsed = _csv_line(number, text, header)
            if csv_parsed is None:
                continue
            parsed = csv_parsed
        else:
            parsed = parse_ndjson_line(number, text)
        rows += 1
        if rows > settings.import_max_rows:
            raise Problem(413, "Too many rows", f"at most {settings.import_max_rows} per import")
        await _take(intake, number, parsed, result)
    return result


@dataclass(frozen=True)
class _Intake:
    """Where an import's rows go: the tenant's store, the geocoder, the map's bounds."""

    store: OrdersStore
    geocoder: AddressPlacer
    tenant: str
    bounds: Bounds
    csv: bool


async def _take(
    intake: _Intake, number: int, parsed: OrderRequest | RowError, result: ImportResult
) -> None:
    if isinstance(parsed, RowError):
        result.rejected.append({"line": parsed.line, **_as_error(parsed)})
        return
    try:
        spec, note = locate(intake.geocoder, parsed)
        accepted = await handlers.place_order(
            intake.store, intake.tenant, spec, bounds=intake.bounds, source="bulk_import", note=note
        )
    except AddressNotPlaced as exc:
        result.rejected.append({"line": number, "field": "address", "message": str(exc)})
        return
    except handlers.DuplicateExternalId as exc:
        message = create_problem(exc).detail
        result.rejected.append({"line": number, "field": "external_id", "message": message})
        return
    except OutsideMap as exc:  # a CSV row names its lat/lon columns
        field = "lat,lon" if intake.csv else exc.field
        result.rejected.append({"line": number, "field": field, "message": str(exc)})
        return
    if accepted.created:
        result.accepted += 1
    else:
        result.duplicates += 1
    result.order_ids.append(accepted.order.id)


def _csv_line(
    number: int, text: str, header: list[str] | None
) -> tuple[list[str], OrderRequest | RowError | None]:
    """The header (from the first line) and this line's order or error (None for the header)."""
    values = split_csv_line(number, text)
    if header is None:
        if isinstance(values, RowError):
            raise Problem(422, "Malformed CSV header", values.message, errors=[_as_error(values)])
        header = [column.strip() for column in values]
        missing = missing_csv_columns(header)
        if missing:
            raise Problem(
                422,
                "Missing CSV columns",
                ", ".join(missing),
                errors=[{"field": f"csv.{c}", "message": "column missing"} for c in missing],
            )
        return header, None
    if isinstance(values, RowError):
        return header, values
    return header, parse_csv_row(number, dict(zip(header, values, strict=False)))


def _as_error(error: RowError) -> dict[str, object]:
    return {"field": error.field, "message": error.message}
