"""The control-character rule on JSON bodies: found where it hides, never where it does not."""

from __future__ import annotations

import pytest
from lastmile_common.control_chars import control_character_field, json_control_character_field


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (rb'{"name": "Ada\u0000"}', "body.name"),
        (rb'{"a": [{"b": "x"}, {"b": "\u001F"}]}', "body.a.1.b"),
        (rb'{"note": "ring\bthe bell"}', "body.note"),
        (rb'{"k\u0000": 1}', "body.'k\\x00'"),
        (rb'{"note": "tab\there\nnewline\r\n"}', None),
        (rb'{"path": "C:\\bin\\u0000"}', None),  # escaped backslashes: no control character
        (rb'{"name": "Ada"}', None),
        (rb'{"broken": "\u0000', None),  # malformed: the body's own validation answers 400
    ],
)
def test_json_control_characters_are_found_by_field(raw: bytes, field: str | None) -> None:
    assert json_control_character_field(raw) == field


def test_rows_name_the_field_without_a_prefix() -> None:
    assert control_character_field({"address": {"city": "B\x00"}}, "") == "address.city"
    assert control_character_field({"city": "Berlin\t"}, "") is None
