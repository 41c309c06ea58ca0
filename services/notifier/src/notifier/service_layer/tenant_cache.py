"""A short-lived per-process cache of tenant settings and templates (read on every event)."""

from __future__ import annotations

from typing import Any

from cachetools import TTLCache

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.service_layer.ports import NotifierStore

_MISSING = object()


class TenantCache:
    """Entries live `ttl_s` seconds; this process's own writes invalidate at once, other
    replicas see a change within the TTL."""

    def __init__(self, ttl_s: float = 5.0, max_entries: int = 10_000) -> None:
        self._entries: TTLCache[tuple[Any, ...], Any] = TTLCache(max_entries, ttl_s)

    def _get(self, key: tuple[Any, ...]) -> Any:
        return self._entries.get(key, _MISSING)

    def _put(self, key: tuple[Any, ...], value: Any) -> None:
        self._entries[key] = value

    async def config(self, store: NotifierStore, tenant_id: str) -> TenantConfig | None:
        """The stored settings (None when the tenant stored none)."""
        key = ("config", tenant_id)
        value = self._get(key)
        if value is _MISSING:
            value = await store.settings.get(tenant_id)
            self._put(key, value)
        return value  # type: ignore[no-any-return]

    async def templates(
        self, store: NotifierStore, tenant_id: str, kind: str, channel: str
    ) -> dict[str, TemplateSource]:
        """The tenant's templates of a kind and channel, by locale."""
        key = ("templates", tenant_id, kind, channel)
        value = self._get(key)
        if value is _MISSING:
            value = await store.templates.of_kind(tenant_id, kind, channel)
            self._put(key, value)
        return value  # type: ignore[no-any-return]

    async def depot_zone(self, store: NotifierStore, tenant_id: str, depot_id: str) -> str | None:
        """The depot's time zone, if a route named it."""
        key = ("depot", tenant_id, depot_id)
        value = self._get(key)
        if value is _MISSING:
            value = await store.depots.zone(tenant_id, depot_id)
            self._put(key, value)
        return value  # type: ignore[no-any-return]

    def invalidate(self, tenant_id: str) -> None:
        """Forget a tenant's entries (after this process changed them)."""
        for key in [k for k in self._entries if k[1] == tenant_id]:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything (reads made in a transaction that rolled back)."""
        self._entries.clear()

    def size(self) -> int:
        """How many entries are held."""
        return len(self._entries)
