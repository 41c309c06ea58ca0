"""Rate limits: a leaky bucket per provider (aiolimiter) and a sliding hour per recipient."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from notifier.domain.model import OUTCOME_KINDS


def provider_limiter(rate_per_s: float) -> AsyncLimiter:
    """At most `rate_per_s` sends per second on average, in bursts of up to `rate_per_s`."""
    if rate_per_s >= 1:
        return AsyncLimiter(rate_per_s, 1.0)
    # A bucket must hold one whole send: below one a second, one send per 1/rate seconds.
    return AsyncLimiter(1, 1 / rate_per_s)


@dataclass(frozen=True)
class Admission:
    """Whether a message may go to its recipient now: send, wait `retry_in_s`, or drop."""

    send: bool
    retry_in_s: float | None = None  # with send False: None means drop


class RecipientWindow:
    """Messages per recipient in the last hour of the events' clock (per process).

    Stamps are the times of the facts the messages tell (an ETA's `computed_at`, a delivery's
    time): the same clock the ETA-change spacing counts, so a replayed or delayed day is judged
    by the hour it describes, not by how fast it was read.
    """

    def __init__(self, window_s: float = 3600.0) -> None:
        self._window = window_s
        self._sent: dict[str, list[float]] = defaultdict(list)

    def admit(self, address: str, kind: str, limit: int, at: float) -> Admission:
        """Record and allow a send, or say why not; outcome messages never wait on ETA updates."""
        stamps = self._sent[address]
        # Facts may arrive out of order: keep the stamps sorted, forget the long past.
        if stamps:
            del stamps[: bisect.bisect_left(stamps, stamps[-1] - 2 * self._window)]
        within = bisect.bisect_right(stamps, at) - bisect.bisect_right(stamps, at - self._window)
        if kind not in OUTCOME_KINDS and within >= limit:
            if kind == "eta_changed":
                return Admission(False)  # an ETA change told late is no news: drop it
            oldest = stamps[bisect.bisect_right(stamps, at - self._window)]
            return Admission(False, oldest + self._window - at)
        bisect.insort(stamps, at)
        return Admission(True)
