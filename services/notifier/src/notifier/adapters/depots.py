"""Depots' time zones, learnt from routes."""

from __future__ import annotations

from lastmile_common.db.pool import Connection


class PostgresDepots:
    """The `depots` table on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def zone(self, tenant_id: str, depot_id: str) -> str | None:
        """A depot's time zone, if known."""
        value = await self.conn.fetchval(
            "SELECT time_zone FROM depots WHERE tenant_id = $1 AND depot_id = $2",
            tenant_id,
            depot_id,
        )
        return None if value is None else str(value)

    async def set_zone(self, tenant_id: str, depot_id: str, zone: str) -> None:
        """Remember a depot's time zone."""
        await self.conn.execute(
            "INSERT INTO depots (tenant_id, depot_id, time_zone) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant_id, depot_id) DO UPDATE SET time_zone = EXCLUDED.time_zone",
            tenant_id,
            depot_id,
            zone,
        )
