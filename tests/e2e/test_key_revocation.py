"""A revoked API key is refused by all four services within seconds (`lastmile tenant
revoke-key`), while the tenant's other traffic never depended on orders being asked."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import httpx
import pytest
from lastmile_common.api_keys import ApiKey
from lastmile_common.db.pool import create_pool
from orders.adapters.tenants import revoke_key

from lastmile.demo.platform import Platform
from lastmile.demo.tenant import create_tenant

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

# One authenticated read per service.
READS = {
    "orders": "/v1/orders",
    "planner": "/v1/depots",
    "tracking": "/v1/vehicles",
    "notifier": "/v1/notifications",
}
WITHIN_S = 10.0


async def test_a_revoked_key_is_refused_by_every_service_within_seconds(
    platform: Platform,
) -> None:
    _, key = await create_tenant(platform.database_url, "revocation")
    _, other = await create_tenant(platform.database_url, "bystander")
    async with httpx.AsyncClient(timeout=5.0) as client:
        for auth in (key, other):
            statuses = await _statuses(client, platform, auth)
            assert set(statuses.values()) == {200}, statuses
        await _revoke_in_process(platform, key)
        revoked_at = time.monotonic()
        refused_after = await _refused_after(client, platform, key, revoked_at)
        still = await _statuses(client, platform, other)
        _revoke_by_command(platform, other)  # the operator's way
        by_command = await _refused_after(client, platform, other, time.monotonic())
    print(json.dumps({"refused_after_s": refused_after, "by_command": by_command}))
    assert set(refused_after) == set(READS), refused_after
    assert max(refused_after.values()) <= WITHIN_S, refused_after
    assert set(still.values()) == {200}, "only the revoked key is refused"
    assert set(by_command) == set(READS), by_command


async def _revoke_in_process(platform: Platform, key: str) -> None:
    pool = await create_pool(platform.database_url, "orders", min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            assert await revoke_key(conn, ApiKey(tenant_id="", raw=key).hash) is not None
    finally:
        await pool.close()


def _revoke_by_command(platform: Platform, key: str) -> None:
    env = {**os.environ, "DATABASE_URL": platform.database_url}
    command = [sys.executable, "-m", "lastmile.cli", "tenant", "revoke-key", key]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["revoked"] is True


async def _statuses(client: httpx.AsyncClient, platform: Platform, key: str) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {key}"}
    return {
        service: (await client.get(platform.services[service] + path, headers=headers)).status_code
        for service, path in READS.items()
    }


async def _refused_after(
    client: httpx.AsyncClient, platform: Platform, key: str, since: float
) -> dict[str, float]:
    """Seconds from the revocation until each service first answered 401."""
    refused: dict[str, float] = {}
    deadline = since + 3 * WITHIN_S
    while len(refused) < len(READS) and time.monotonic() < deadline:
        for service, status in (await _statuses(client, platform, key)).items():
            if status == 401 and service not in refused:
                refused[service] = round(time.monotonic() - since, 2)
            assert status in (200, 401), (service, status)
        await asyncio.sleep(0.1)
    return refused
