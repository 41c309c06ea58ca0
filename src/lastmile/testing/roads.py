"""A session-wide road router on the embedded Liechtenstein map, for tests that need real roads."""

from __future__ import annotations

from pathlib import Path

import pytest
from lastmile_common.routing import Point, Router, RoutingSettings, open_router

ROOT = Path(__file__).resolve().parents[3]
# Prepared data is keyed by content, so every test session may share the cache under .lastmile.
TEST_CACHE = ROOT / ".lastmile" / "routing"

# Places on the map: the town centres of Vaduz, Schaan and Balzers, Triesenberg up the hill.
VADUZ = Point(47.1410, 9.5215)
SCHAAN = Point(47.1650, 9.5095)
BALZERS = Point(47.0665, 9.5030)
TRIESENBERG = Point(47.1180, 9.5420)


@pytest.fixture(scope="session")
def road_router() -> Router:
    """OSRM in-process on data/osm/liechtenstein.osm.pbf, every profile and time bucket."""
    return open_router(RoutingSettings(cache_dir=TEST_CACHE))
