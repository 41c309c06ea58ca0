"""The revocation check of API keys, cached per app for KEY_CACHE_SECONDS."""

from __future__ import annotations

from typing import Any

import pytest
from lastmile_common.api_keys import issue
from lastmile_common.http.problems import Problem
from orders.entrypoints.deps import KEY_CACHE_SECONDS, key_cache, tenant_id


class _Keys:
    """Answers the active-key query from a set of (hash, tenant) pairs, counting queries."""

    def __init__(self, active: set[tuple[str, str]]) -> None:
        self.active = active
        self.queries = 0

    async def fetchval(self, sql: str, key_hash: str, tenant: str) -> Any:
        self.queries += 1
        return True if (key_hash, tenant) in self.active else None


async def test_an_active_key_is_checked_once_per_app_and_a_revoked_one_refused() -> None:
    key = issue("secret", "t1")
    conn = _Keys({(key.hash, "t1")})
    app_cache, other_app_cache = key_cache(), key_cache()
    assert await tenant_id(key, conn, app_cache) == "t1"  # type: ignore[arg-type]
    assert await tenant_id(key, conn, app_cache) == "t1"  # type: ignore[arg-type]
    assert conn.queries == 1
    conn.active.clear()  # revoked: an app that has not checked the key lately refuses it
    with pytest.raises(Problem) as refused:
        await tenant_id(key, conn, other_app_cache)  # type: ignore[arg-type]
    assert refused.value.status == 401
    assert await tenant_id(key, conn, app_cache) == "t1"  # type: ignore[arg-type]


async def test_a_revocation_takes_effect_after_the_cache_time() -> None:
    key = issue("secret", "t1")
    conn = _Keys({(key.hash, "t1")})
    clock = [0.0]
    cache = key_cache(timer=lambda: clock[0])
    assert await tenant_id(key, conn, cache) == "t1"  # type: ignore[arg-type]
    conn.active.clear()
    clock[0] = KEY_CACHE_SECONDS - 1
    assert await tenant_id(key, conn, cache) == "t1"  # type: ignore[arg-type]
    clock[0] = KEY_CACHE_SECONDS + 1
    with pytest.raises(Problem):
        await tenant_id(key, conn, cache)  # type: ignore[arg-type]
