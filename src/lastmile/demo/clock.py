"""Simulated time: a day replayed faster than real time."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class SimClock:
    """Maps real (monotonic) time to simulated time, `factor` simulated seconds per real one."""

    start: datetime
    factor: float
    _real0: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        """The simulated instant now."""
        return self.start + timedelta(seconds=(time.monotonic() - self._real0) * self.factor)

    async def sleep_until(self, instant: datetime) -> None:
        """Wait until the simulated clock reaches `instant` (returns at once if it has)."""
        ahead = (instant - self.now()).total_seconds() / self.factor
        if ahead > 0:
            await asyncio.sleep(ahead)

    def jump_to(self, instant: datetime) -> None:
        """Move the simulated clock to `instant` (forward only), e.g. over an idle night."""
        if instant > self.now():
            self.start = instant
            self._real0 = time.monotonic()
