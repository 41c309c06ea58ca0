"""Percentiles, medians and the text table of the orders benchmark."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of values; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def median_of(runs: Sequence[dict[str, float]]) -> dict[str, float]:
    """Per-key median over repetitions (keys of the first run)."""
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def table(rows: Sequence[dict[str, float]], columns: Sequence[tuple[str, str, str]]) -> str:
    """A fixed-width table; columns are (key, heading, format)."""
    widths = [max(len(heading), 9) for _, heading, _ in columns]
    lines = ["  ".join(h.rjust(w) for (_, h, _), w in zip(columns, widths, strict=True))]
    for row in rows:
        cells = [
            format(row[key], fmt).rjust(w) for (key, _, fmt), w in zip(columns, widths, strict=True)
        ]
        lines.append("  ".join(cells))
    return "\n".join(lines)
