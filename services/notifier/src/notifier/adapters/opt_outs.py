"""Opt-outs: addresses that asked for no more messages on a channel."""

from __future__ import annotations

from lastmile_common.db.pool import Connection


class PostgresOptOuts:
    """The `opt_outs` table on one connection; tenant '*' means every tenant."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, tenant_id: str, channel: str, address: str, source: str) -> None:
        """Record an opt-out."""
        await self.conn.execute(
            "INSERT INTO opt_outs (tenant_id, channel, address, source) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            tenant_id,
            channel,
            address,
            source,
        )

    async def remove(self, tenant_id: str, channel: str, address: str) -> None:
        """Forget an opt-out (SMS START)."""
        await self.conn.execute(
            "DELETE FROM opt_outs WHERE tenant_id = $1 AND channel = $2 AND address = $3",
            tenant_id,
            channel,
            address,
        )
