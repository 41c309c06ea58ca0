"""The per-process tenant cache: reads once per TTL, forgets a tenant this process changed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from notifier.domain.config import TenantConfig
from notifier.service_layer.tenant_cache import SendingConfigs, TenantCache


class _Settings:
    def __init__(self) -> None:
        self.reads: list[str] = []

    async def get(self, tenant_id: str) -> TenantConfig | None:
        self.reads.append(tenant_id)
        return TenantConfig(brand_name="B") if tenant_id == "t1" else None


class _Store:
    def __init__(self) -> None:
        self.settings = _Settings()


async def test_reads_are_cached_even_when_nothing_is_stored_until_invalidated() -> None:
    store: Any = _Store()
    cache = TenantCache(ttl_s=60)
    for _ in range(2):
        assert (await cache.config(store, "t1")) == TenantConfig(brand_name="B")
        assert await cache.config(store, "t2") is None
    assert store.settings.reads == ["t1", "t2"]
    cache.invalidate("t1")
    await cache.config(store, "t1")
    await cache.config(store, "t2")
    assert store.settings.reads == ["t1", "t2", "t1"] and cache.size() == 2
    cache.clear()
    assert cache.size() == 0


async def test_entries_expire_after_the_ttl() -> None:
    store: Any = _Store()
    cache = TenantCache(ttl_s=0.05)
    await cache.config(store, "t1")
    await asyncio.sleep(0.1)
    await cache.config(store, "t1")
    assert store.settings.reads == ["t1", "t1"]


class _SlowSettings(_Settings):
    async def get(self, tenant_id: str) -> TenantConfig | None:
        await asyncio.sleep(0.01)  # a database round trip: other sends arrive meanwhile
        return await super().get(tenant_id)


def _transactions(store: Any) -> Any:
    @asynccontextmanager
    async def transaction() -> AsyncIterator[Any]:
        yield store

    return transaction


async def test_concurrent_sends_share_one_settings_read_per_ttl() -> None:
    store: Any = _Store()
    store.settings = _SlowSettings()
    configs = SendingConfigs(_transactions(store), ttl_s=0.2)
    got = await asyncio.gather(*(configs.get("t1") for _ in range(50)))
    assert {c.brand_name for c in got} == {"B"} and store.settings.reads == ["t1"]
    assert (await configs.get("t2")) == TenantConfig()  # nothing stored: the defaults
    await asyncio.sleep(0.25)
    await asyncio.gather(*(configs.get("t1") for _ in range(5)))
    assert store.settings.reads == ["t1", "t2", "t1"]
