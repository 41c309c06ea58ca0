"""Tenants' notifier settings."""

from __future__ import annotations

from lastmile_common.db.pool import Connection

from notifier.domain.config import TenantConfig


class PostgresSettings:
    """The `tenant_settings` table on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, tenant_id: str) -> TenantConfig | None:
        """A tenant's stored settings, if any."""
        raw = await self.conn.fetchval(
            "SELECT config FROM tenant_settings WHERE tenant_id = $1", tenant_id
        )
        return None if raw is None else TenantConfig.model_validate(raw)

    async def put(self, tenant_id: str, config: TenantConfig) -> None:
        """Store a tenant's settings."""
        await self.conn.execute(
            "INSERT INTO tenant_settings (tenant_id, config) VALUES ($1, $2)"
            " ON CONFLICT (tenant_id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()",
            tenant_id,
            config.model_dump(mode="json"),
        )
