"""SMS segment counting: GSM-7 (160/153 per segment) or UCS-2 (70/67), for cost."""

from __future__ import annotations

from dataclasses import dataclass

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension-table characters cost two septets (escape + character).
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SegmentCount:
    """How a body is encoded and how many segments it is billed as."""

    encoding: str
    units: int
    segments: int


def count_segments(body: str) -> SegmentCount:
    """Count the billed segments of an SMS body."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        septets = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body)
        return SegmentCount("GSM-7", septets, _segments(septets, 160, 153))
    # UCS-2 counts UTF-16 code units: characters outside the BMP take two.
    units = len(body.encode("utf-16-le")) // 2
    return SegmentCount("UCS-2", units, _segments(units, 70, 67))


def _segments(units: int, single: int, multi: int) -> int:
    if units == 0:
        return 1
    if units <= single:
        return 1
    return -(-units // multi)
