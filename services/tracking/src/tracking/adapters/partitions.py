"""Daily partitions of the pings table: created on demand, dropped after the retention period."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

_NAME = re.compile(r"^pings_p(\d{8})$")


def partition_name(day: date) -> str:
    """The partition holding one UTC day."""
    return f"pings_p{day:%Y%m%d}"


async def ensure_partition(conn: Any, day: date) -> None:
    """Create the partition of a day if it does not exist yet."""
    name = partition_name(day)
    start, end = day.isoformat(), (day + timedelta(days=1)).isoformat()
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF pings"
        f" FOR VALUES FROM ('{start} 00:00:00+00') TO ('{end} 00:00:00+00')"
    )


async def partition_days(conn: Any) -> list[date]:
    """The days that have a partition."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'pings'::regclass"
    )
    days = []
    for row in rows:
        match = _NAME.match(row["relname"])
        if match:
            raw = match.group(1)
            days.append(date(int(raw[:4]), int(raw[4:6]), int(raw[6:])))
    return sorted(days)


async def drop_expired(conn: Any, today: date, retention_days: int) -> list[str]:
    """Drop every partition whose whole day is older than the retention period (privacy)."""
    oldest_kept = today - timedelta(days=retention_days)
    dropped = []
    for day in await partition_days(conn):
        if day < oldest_kept:
            name = partition_name(day)
            await conn.execute(f"DROP TABLE IF EXISTS {name}")
            dropped.append(name)
    return dropped
