"""CSV rows: several windows in one row (`;`-separated, paired in order), coordinates optional."""

from __future__ import annotations

from lastmile_common.events.orders import OrderRequest
from orders.domain.bulk_rows import RowError, parse_csv_row

ROW = {
    "external_id": "A-1",
    "depot_id": "vaduz",
    "recipient_name": "Ada",
    "phone": "+423660234567",
    "line1": "Städtle 43",
    "city": "Vaduz",
    "postal_code": "9490",
    "country": "LI",
    "window_start": "2026-11-24T09:00:00+01:00",
    "window_end": "2026-11-24T12:00:00+01:00",
    "weight_kg": "1",
}


def test_a_row_may_carry_several_windows() -> None:
    row = {
        **ROW,
        "window_start": "2026-11-24T09:00:00+01:00;2026-11-24T14:00:00+01:00",
        "window_end": "2026-11-24T11:00:00+01:00; 2026-11-24T17:00:00+01:00",
    }
    parsed = parse_csv_row(2, row)
    assert isinstance(parsed, OrderRequest)
    assert [(w.start.hour, w.end.hour) for w in parsed.windows] == [(9, 11), (14, 17)]


def test_unpaired_window_lists_name_the_column() -> None:
    row = {**ROW, "window_start": f"{ROW['window_start']};2026-11-24T14:00:00+01:00"}
    parsed = parse_csv_row(3, row)
    assert isinstance(parsed, RowError) and (parsed.line, parsed.field) == (3, "window_end")


def test_a_bad_second_window_names_its_column() -> None:
    row = {
        **ROW,
        "window_start": f"{ROW['window_start']};2026-11-24T17:00:00+01:00",
        "window_end": f"{ROW['window_end']};2026-11-24T14:00:00+01:00",
    }
    parsed = parse_csv_row(4, row)
    assert isinstance(parsed, RowError) and "windows[1]" in parsed.message


def test_a_row_without_coordinates_asks_for_geocoding() -> None:
    parsed = parse_csv_row(5, ROW)
    assert isinstance(parsed, OrderRequest) and parsed.address.location is None
    half = parse_csv_row(6, {**ROW, "lat": "47.1"})
    assert isinstance(half, RowError) and half.field == "lon"
