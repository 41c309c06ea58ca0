"""Rate limits: a token bucket per provider and a sliding hour per recipient."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque


class TokenBucket:
    """At most `rate` acquisitions per second on average, bursts up to `rate`."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._tokens = rate
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait for a token."""
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.rate, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)


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
