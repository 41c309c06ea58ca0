"""Rate limits: a leaky bucket per provider (aiolimiter) and a sliding hour per recipient."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from aiolimiter import AsyncLimiter


def provider_limiter(rate_per_s: float) -> AsyncLimiter:
    """At most `rate_per_s` sends per second on average, in bursts of up to `rate_per_s`."""
    if rate_per_s >= 1:
        return AsyncLimiter(rate_per_s, 1.0)
    # A bucket must hold one whole send: below one a second, one send per 1/rate seconds.
    return AsyncLimiter(1, 1 / rate_per_s)


class RecipientWindow:
    """Messages per recipient in the last hour (per process; replicas each keep their own)."""

    def __init__(self, window_s: float = 3600.0) -> None:
        self._window = window_s
        self._sent: dict[str, deque[float]] = defaultdict(deque)

    def try_take(self, address: str, limit: int, now: float | None = None) -> float | None:
        """Record a send and return None, or the seconds to wait when the limit is reached."""
        now = time.monotonic() if now is None else now
        stamps = self._sent[address]
        while stamps and stamps[0] <= now - self._window:
            stamps.popleft()
        if len(stamps) >= limit:
            return stamps[0] + self._window - now
        stamps.append(now)
        return None
