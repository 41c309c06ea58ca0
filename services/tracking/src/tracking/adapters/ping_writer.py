"""Buffered ping storage: pings are copied to PostgreSQL in bulk, outside the consumer's
transaction, so the hot path never waits for a per-ping insert (see docs: durability)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from tracking.adapters.metrics import PING_WRITE_FAILURES, PINGS_STORED
from tracking.adapters.partitions import drop_expired, ensure_partition
from tracking.domain.eta_policy import Published
from tracking.domain.fixes import Fix, Verdict

log = logging.getLogger(__name__)

COLUMNS = (
    "tenant_id",
    "vehicle_id",
    "driver_id",
    "time",
    "received_at",
    "lat",
    "lon",
    "accuracy_m",
    "speed_mps",
    "heading_deg",
    "battery",
    "verdict",
)
RETENTION_EVERY_S = 3600.0


class PingWriter:
    """The `PingSink` port: buffers pings, positions and told ETAs; flushes every interval or N
    rows."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        *,
        interval_s: float,
        max_rows: int,
        retention_days: int,
    ) -> None:
        self._pool, self._schema = pool, schema
        self._interval, self._max_rows, self._retention = interval_s, max_rows, retention_days
        self._rows: list[tuple[Any, ...]] = []
        self._positions: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._told: list[tuple[Any, ...]] = []
        self._days: set[date] = set()
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._flush_lock = asyncio.Lock()

    def add(
        self, tenant_id: str, vehicle_id: str, fix: Fix, received_at: datetime, verdict: Verdict
    ) -> None:
        """Queue one ping."""
        self._rows.append(
            (
                tenant_id,
                vehicle_id,
                fix.driver_id,
                fix.time,
                received_at,
                fix.lat,
                fix.lon,
                fix.accuracy_m,
                fix.speed_mps,
                fix.heading_deg,
                fix.battery,
                verdict.value,
            )
        )
        if len(self._rows) >= self._max_rows:
            self._full.set()

    def position(self, tenant_id: str, vehicle_id: str, fix: Fix) -> None:
        """Queue a vehicle's latest accepted position (only the newest per flush is written)."""
        self._positions[(tenant_id, vehicle_id)] = (
            tenant_id,
            vehicle_id,
            fix.time,
            fix.lat,
            fix.lon,
            fix.speed_mps,
            fix.heading_deg,
        )

    def told(self, tenant_id: str, order_id: str, told: Published) -> None:
        """Queue an ETA told to a customer."""
        self._told.append(
            (
                tenant_id,
                order_id,
                told.at,
                told.eta,
                told.window_start,
                told.window_end,
                told.stops_away,
                told.sequence,
            )
        )

    @property
    def running(self) -> bool:
        """The flush loop is alive."""
        return self._task is not None and not self._task.done()

    @property
    def backlog(self) -> int:
        """Pings waiting to be written."""
        return len(self._rows)

    async def start(self) -> None:
        """Drop expired partitions, then flush in the background."""
        await self.enforce_retention()
        self._task = asyncio.create_task(self._run(), name="tracking:ping-writer")

    async def stop(self) -> None:
        """Stop the loop and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def enforce_retention(self) -> list[str]:
        """Drop ping partitions older than the retention period."""
        async with self._pool.acquire() as conn:
            dropped = await drop_expired(conn, datetime.now(UTC).date(), self._retention)
        self._days.clear()
        if dropped:
            log.info("dropped expired ping partitions", extra={"partitions": dropped})
        return dropped

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_retention = loop.time() + RETENTION_EVERY_S
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), timeout=self._interval)
            self._full.clear()
            try:
                await self.flush()
                if loop.time() >= next_retention:
                    next_retention = loop.time() + RETENTION_EVERY_S
                    await self.enforce_retention()
            except asyncio.CancelledError:
                raise
            except Exception:
                PING_WRITE_FAILURES.inc()
                log.exception("ping flush failed; will retry")
                await asyncio.sleep(1.0)

    async def flush(self) -> int:
        """Write every queued ping with one COPY and the positions with one statement."""
        async with self._flush_lock:
            rows, self._rows = self._rows, []
            positions, self._positions = self._positions, {}
            told, self._told = self._told, []
            if not rows and not positions and not told:
                return 0
            try:
                async with self._pool.acquire() as conn, conn.transaction():
                    for day in {r[3].astimezone(UTC).date() for r in rows} - self._days:
                        await ensure_partition(conn, day)
                        self._days.add(day)
                    if rows:
                        await conn.copy_records_to_table(
                            "pings", records=rows, columns=COLUMNS, schema_name=self._schema
                        )
                    if positions:
                        await conn.executemany(_UPSERT_POSITION, list(positions.values()))
                    if told:
                        await conn.executemany(_INSERT_TOLD, told)
            except Exception:
                # Keep them for the next try, but never grow without bound.
                self._rows = (rows + self._rows)[-50 * self._max_rows :]
                for key, value in positions.items():
                    self._positions.setdefault(key, value)
                self._told = told + self._told
                self._days.clear()
                raise
            PINGS_STORED.inc(len(rows))
            return len(rows)


_INSERT_TOLD = (
    "INSERT INTO etas_told (tenant_id, order_id, told_at, eta, window_start, window_end,"
    " stops_away, sequence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
)
_UPSERT_POSITION = (
    "INSERT INTO vehicle_positions (tenant_id, vehicle_id, time, lat, lon, speed_mps, heading_deg)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, vehicle_id) DO UPDATE SET"
    " time = EXCLUDED.time, lat = EXCLUDED.lat, lon = EXCLUDED.lon,"
    " speed_mps = EXCLUDED.speed_mps, heading_deg = EXCLUDED.heading_deg"
    " WHERE vehicle_positions.time <= EXCLUDED.time"
)
