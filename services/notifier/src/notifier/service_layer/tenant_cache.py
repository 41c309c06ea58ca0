"""A short-lived per-process cache of tenant settings and templates (read on every event)."""

from __future__ import annotations

import asyncio
from typing import Any

from cachetools import TTLCache

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.service_layer.ports import NotifierStore, Transactions

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


class SendingConfigs:
    """Tenant settings as the dispatcher reads them for every send: cached for `ttl_s`, and
    read once per tenant however many concurrent sends miss at the same moment."""

    def __init__(self, transactions: Transactions, ttl_s: float = 10.0) -> None:
        self._tx = transactions
        self._configs: TTLCache[str, TenantConfig] = TTLCache(10_000, ttl_s)
        self._reads: dict[str, asyncio.Future[TenantConfig]] = {}

    async def get(self, tenant_id: str) -> TenantConfig:
        """The tenant's stored settings, or the defaults."""
        config = self._configs.get(tenant_id)
        if config is not None:
            return config
        read = self._reads.get(tenant_id)
        if read is None:
            read = self._reads[tenant_id] = asyncio.ensure_future(self._read(tenant_id))
        # Shielded: a waiter cancelled at shutdown does not cancel the others' read.
        return await asyncio.shield(read)

    async def _read(self, tenant_id: str) -> TenantConfig:
        try:
            async with self._tx() as store:
                config = await store.settings.get(tenant_id) or TenantConfig()
            self._configs[tenant_id] = config
            return config
        finally:
            del self._reads[tenant_id]
