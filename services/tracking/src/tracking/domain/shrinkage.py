"""How much one driver's own evidence counts against the fleet's (empirical Bayes): as much as
drivers really differ, measured over the fleet, against the noise of a single leg or stop."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence

MIN_PER_DRIVER = 3  # samples a driver needs to say anything about the spread
MIN_DRIVERS = 3


def prior_weight_s(
    drivers: Iterable[Sequence[tuple[float, float]]],
    floor_s: float,
    cap_s: float,
    unknown_s: float | None = None,
) -> float:
    """The weight, in planned seconds, of the fleet's pace in one driver's: noise over spread.

    `drivers` holds, per driver, (observed over expected ratio, planned seconds) of each leg or
    service. Where ratios vary from stop to stop far more than from driver to driver, a driver's
    own few stops say little and the fleet weighs much (at most `cap_s`); where drivers differ
    clearly, their own evidence soon counts (never less than `floor_s` of prior). Too few
    drivers or samples to tell: `unknown_s` (what earlier days measured), else `floor_s`.
    """
    groups = [list(g) for g in drivers if len(g) >= MIN_PER_DRIVER]
    if len(groups) < MIN_DRIVERS:
        return floor_s if unknown_s is None else unknown_s
    means = [statistics.fmean(r for r, _ in g) for g in groups]
    squares = sum((r - m) ** 2 for g, m in zip(groups, means, strict=True) for r, _ in g)
    noise = squares / sum(len(g) - 1 for g in groups)  # one sample's variance within a driver
    # The spread of the drivers' means, less what their samples' noise alone would give.
    spread = statistics.variance(means) - statistics.fmean(noise / len(g) for g in groups)
    per_sample_s = statistics.fmean(p for g in groups for _, p in g)
    if spread <= 0:
        return cap_s
    return min(cap_s, max(floor_s, noise / spread * per_sample_s))
