"""A stopping service lets every consumer group go at once: a group whose batch in flight is
slow to finish does not hold back the others' leaving (each one's partitions wait for it)."""

from __future__ import annotations

import asyncio

from lastmile_common.runtime import _stop_consumers


class _Runner:
    def __init__(self, name: str, stopping_s: float, log: list[str]) -> None:
        self.name, self._stopping_s, self._log = name, stopping_s, log

    async def stop(self) -> None:
        self._log.append(f"{self.name} stopping")
        await asyncio.sleep(self._stopping_s)
        if self.name == "broken":
            raise RuntimeError("did not close")
        self._log.append(f"{self.name} left")


async def test_groups_stop_together_and_one_failing_does_not_keep_the_others() -> None:
    log: list[str] = []
    runners = [_Runner("slow", 0.3, log), _Runner("broken", 0.0, log), _Runner("pings", 0.0, log)]
    await _stop_consumers(runners)  # type: ignore[arg-type]
    assert log.index("pings left") < log.index("slow left")
    assert "slow left" in log
