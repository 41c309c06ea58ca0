"""CPU seconds per party (service, load generator, PostgreSQL, broker, everything else), from
/proc, to show who uses the 2 cores during a run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 once it is gone)."""
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its direct children (PostgreSQL's backends, uvicorn's
    workers)."""
    total = process_cpu_s(pid)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == pid:
                    total += process_cpu_s(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return total


def machine_busy_s() -> float:
    """CPU seconds all cores spent not idle since boot."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICK


def postmaster_pid(data_dir: Path) -> int | None:
    """The PostgreSQL server's pid from its data folder."""
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class CpuMeter:
    """Share of one core (100 = one full core) each party used over a span."""

    service_pid: int
    postgres_pid: int | None = None
    broker_pid: int | None = None
    _start: dict[str, float] = field(default_factory=dict)

    def _read(self) -> dict[str, float]:
        return {
            "service": tree_cpu_s(self.service_pid),  # with its uvicorn workers
            "loadgen": process_cpu_s(os.getpid()),
            "postgres": tree_cpu_s(self.postgres_pid) if self.postgres_pid else 0.0,
            "broker": process_cpu_s(self.broker_pid) if self.broker_pid else 0.0,
            "machine": machine_busy_s(),
        }

    def start(self) -> None:
        """Take the starting readings."""
        self._start = self._read()

    def stop(self, wall_s: float) -> dict[str, float]:
        """CPU percentages since start(); `other` is the rest of the machine (other users)."""
        now = self._read()
        used = {name: now[name] - self._start[name] for name in now}
        ours = sum(value for name, value in used.items() if name != "machine")
        shares = {f"cpu_{name}_pct": 100 * value / wall_s for name, value in used.items()}
        shares["cpu_other_pct"] = 100 * max(0.0, used["machine"] - ours) / wall_s
        del shares["cpu_machine_pct"]
        return shares
