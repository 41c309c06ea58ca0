"""Road routers on the embedded Liechtenstein map for tests: in-process, and over osrm-routed."""

from __future__ import annotations

import functools
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lastmile_common.routing import Point, Profile, Router, RoutingSettings, open_router
from lastmile_common.routing.http import HttpRouter
from lastmile_common.routing.osrm_tools import osrm_tool
from lastmile_common.routing.prepare import PreparedMap, prepare_map

ROOT = Path(__file__).resolve().parents[3]
# Prepared data is keyed by content, so every test session may share the cache under .lastmile.
TEST_CACHE = ROOT / ".lastmile" / "routing"

# Places on the map: the town centres of Vaduz, Schaan and Balzers, Triesenberg up the hill.
VADUZ = Point(47.1410, 9.5215)
SCHAAN = Point(47.1650, 9.5095)
BALZERS = Point(47.0665, 9.5030)
TRIESENBERG = Point(47.1180, 9.5420)


@functools.cache
def shared_road_router() -> Router:
    """OSRM in-process on data/osm/liechtenstein.osm.pbf, every profile and time bucket, opened
    once per process (for helpers that are not fixtures)."""
    return open_router(RoutingSettings(cache_dir=TEST_CACHE))


@pytest.fixture(scope="session")
def road_router() -> Router:
    """OSRM in-process on data/osm/liechtenstein.osm.pbf, every profile and time bucket."""
    return shared_road_router()


@pytest.fixture(scope="session")
def osrm_routed_router() -> Iterator[HttpRouter]:
    """The HTTP adapter against the wheel's osrm-routed, one server per prepared dataset."""
    settings = RoutingSettings(cache_dir=TEST_CACHE)
    prepared = prepare_map(settings.map_file, settings.traffic, settings.profiles, TEST_CACHE)
    servers: dict[Path, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        urls = {key: _serve(prepared, key, servers) for key in prepared.datasets}
        router = HttpRouter(urls, prepared.bounds, prepared.traffic)
        yield router
        router.close()
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=10)


def _serve(
    prepared: PreparedMap,
    key: tuple[Profile, str],
    servers: dict[Path, tuple[subprocess.Popen[bytes], str]],
) -> str:
    """The URL of an osrm-routed serving the dataset of `key`, started once per dataset."""
    path = prepared.datasets[key].path
    if path not in servers:
        port = _free_port()
        command = [str(osrm_tool("osrm-routed")), str(path), "-i", "127.0.0.1", "-p", str(port)]
        command += ["--max-table-size", "2000", "--verbosity", "WARNING"]
        process = subprocess.Popen(command)  # noqa: S603 - the wheel's own server
        servers[path] = (process, f"http://127.0.0.1:{port}")
        _wait_until_serving(servers[path][1], process)
    return servers[path][1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"osrm-routed exited with {process.returncode}")
        try:
            httpx.get(f"{url}/nearest/v1/car/9.52,47.14", timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"osrm-routed at {url} did not answer within 30 s")
