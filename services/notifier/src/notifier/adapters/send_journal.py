"""A per-process, append-only record of how far each e-mail got, read after a crash.

`C id` once its claim committed, `S id` when the channel's send begins, `H id` just before the
relay is given the message (DATA), `A id` when it answered 250, `R id` when it refused it. Lines are written with one `write(2)` on an
O_APPEND file: a killed process loses none of them (the kernel has them); a machine that loses
power may lose the last ones (not fsynced), and then those messages stay `unknown`. Each process
writes its own file; the directory must not be shared between replicas (a pod's emptyDir, which
survives a container restart, is the place).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from pathlib import Path

CLAIMED, STARTED, HANDING, ACCEPTED, REFUSED = "C", "S", "H", "A", "R"


class SendJournal:
    """This process's journal file, and the files earlier processes left in the directory."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._previous = sorted(directory.glob("journal-*.log"))
        self.path = directory / f"journal-{time.time_ns()}-{os.getpid()}.log"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def mark(self, kind: str, notification_id: str) -> None:
        """Append one line (a notification id carries no personal data)."""
        os.write(self._fd, f"{kind} {notification_id}\n".encode())

    def claimed(self, notification_ids: list[str]) -> None:
        """Append a claim's ids in one write."""
        os.write(self._fd, "".join(f"{CLAIMED} {i}\n" for i in notification_ids).encode())

    def previous_marks(self) -> dict[str, set[str]]:
        """What earlier processes wrote: the marks of each notification id."""
        marks: dict[str, set[str]] = defaultdict(set)
        for path in self._previous:
            for line in path.read_text().splitlines():
                kind, _, notification_id = line.partition(" ")
                if notification_id:
                    marks[notification_id].add(kind)
        return dict(marks)

    def forget_previous(self) -> None:
        """Delete earlier processes' files once what they say is recorded in the database."""
        for path in self._previous:
            path.unlink(missing_ok=True)
        self._previous = []

    def close(self) -> None:
        """Close this process's file."""
        os.close(self._fd)
