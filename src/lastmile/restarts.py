"""When to restart a crashed service: capped exponential back-off, as Kubernetes does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RestartPolicy:
    """Delays double from `initial_s` up to `max_s`; a run of `healthy_after_s` resets them."""

    initial_s: float = 1.0
    max_s: float = 60.0
    healthy_after_s: float = 120.0


@dataclass
class RestartState:
    """One service's crash history: consecutive crashes and when it last started."""

    policy: RestartPolicy
    started_at: float = 0.0
    crashes: int = 0

    def crashed(self, now: float) -> float:
        """Record an exit at `now`; return how long to wait before starting it again."""
        if now - self.started_at >= self.policy.healthy_after_s:
            self.crashes = 0  # it ran healthily for a while: this crash starts a new series
        delay: float = min(self.policy.max_s, self.policy.initial_s * 2.0**self.crashes)
        self.crashes += 1
        return delay

    def started(self, now: float) -> None:
        """Record a (re)start at `now`."""
        self.started_at = now
