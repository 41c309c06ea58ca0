"""Bounded exponential back-off with full jitter."""

import random


def backoff_delay(attempt: int, initial_s: float, max_s: float) -> float:
    """Seconds to wait before retry number `attempt` (1-based): random in [0, min(max, initial*2^n)]."""
    ceiling = min(max_s, initial_s * (2 ** (attempt - 1)))
    return random.uniform(ceiling / 2, ceiling)
