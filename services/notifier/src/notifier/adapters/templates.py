"""Tenants' own templates."""

from __future__ import annotations

from typing import Any

from lastmile_common.db.pool import Connection

from notifier.domain.builtin_templates import TemplateSource


class PostgresTemplates:
    """The `templates` table on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def of_kind(self, tenant_id: str, kind: str, channel: str) -> dict[str, TemplateSource]:
        """A tenant's templates of one kind and channel, by locale ('' = tenant default)."""
        rows = await self.conn.fetch(
            "SELECT locale, subject, body_text, body_html FROM templates"
            " WHERE tenant_id = $1 AND kind = $2 AND channel = $3",
            tenant_id,
            kind,
            channel,
        )
        return {
            r["locale"]: TemplateSource(
                r["body_text"],
                r["subject"],
                r["body_html"],
                origin=f"tenant:{r['locale'] or 'default'}",
            )
            for r in rows
        }

    async def put(
        self, tenant_id: str, kind: str, channel: str, locale: str, source: TemplateSource
    ) -> None:
        """Store (or replace) a tenant template."""
        await self.conn.execute(
            "INSERT INTO templates (tenant_id, kind, channel, locale, subject, body_text,"
            " body_html) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (tenant_id, kind, channel, locale) DO UPDATE SET"
            " subject = EXCLUDED.subject, body_text = EXCLUDED.body_text,"
            " body_html = EXCLUDED.body_html, updated_at = now()",
            tenant_id,
            kind,
            channel,
            locale,
            source.subject,
            source.text,
            source.html,
        )

    async def delete(self, tenant_id: str, kind: str, channel: str, locale: str) -> bool:
        """Remove a tenant template; False if there was none."""
        status = await self.conn.execute(
            "DELETE FROM templates WHERE tenant_id = $1 AND kind = $2 AND channel = $3"
            " AND locale = $4",
            tenant_id,
            kind,
            channel,
            locale,
        )
        return bool(status.endswith(" 1"))

    async def all_of(self, tenant_id: str) -> list[dict[str, Any]]:
        """Every template a tenant stored."""
        rows = await self.conn.fetch(
            "SELECT kind, channel, locale, subject, body_text, body_html, updated_at"
            " FROM templates WHERE tenant_id = $1 ORDER BY kind, channel, locale",
            tenant_id,
        )
        return [dict(r) for r in rows]
