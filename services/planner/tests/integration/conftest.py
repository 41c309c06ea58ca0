"""The planner app running in-process on the real broker and database, and event builders."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lastmile_common.api_keys import issue
from lastmile_common.events.orders import OrderCreated
from planner.bootstrap import create_app
from planner.settings import PlannerSettings

from lastmile.infra.platform import Infrastructure
from lastmile.testing.apps import RunningApp, running_app

SECRET = "dev-api-key-secret-change-me"
ZONE = "Europe/Vaduz"
DAY = date(2030, 5, 6)
DEPOT = {"lat": 47.1410, "lon": 9.5215}  # Vaduz, on the embedded map


def planner_settings(infra: Infrastructure, **overrides: Any) -> PlannerSettings:
    """Settings pointing at the test infrastructure, with short solves and debounce."""
    values: dict[str, Any] = {
        "database_url": infra.database_url,
        "kafka_bootstrap_servers": infra.kafka_bootstrap,
        "consumer_backoff_initial_s": 0.05,
        "consumer_max_attempts": 3,
        "solver_time_limit_s": 1.0,
        "replan_time_limit_s": 1.0,
        "replan_debounce_s": 0.5,
        "replan_poll_s": 0.2,
        "cutoffs_enabled": False,
    }
    values.update(overrides)
    return PlannerSettings(**values)


# Per module, as in tracking: an app left running for the session stays in its consumer groups
# (taking partitions from later tests' apps) and keeps polling the shared broker.
@pytest.fixture(scope="module")
async def app(infra: Infrastructure) -> AsyncIterator[RunningApp]:
    """The planner app with its consumers and loops running, and a client on it."""
    async with running_app(create_app(planner_settings(infra)), base_url="http://planner") as app:
        yield app


def new_tenant() -> tuple[str, dict[str, str]]:
    """A fresh tenant id and the headers that authenticate as it."""
    tenant = f"t{uuid.uuid4().hex[:12]}"
    return tenant, {"Authorization": f"Bearer {issue(SECRET, tenant).raw}"}


def local(hhmm: str, day: date = DAY) -> datetime:
    """A local time of the test day, in UTC."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=ZoneInfo(ZONE)).astimezone(UTC)


def order_created(
    depot_id: str,
    *,
    dlat: float = 0.0,
    dlon: float = 0.0,
    weight_kg: float = 5.0,
    quantity: int = 1,
    window: tuple[str, str] = ("08:00", "18:00"),
    order_id: str | None = None,
) -> OrderCreated:
    """An order.created a little way from the test depot."""
    oid = order_id or f"ord_{uuid.uuid4().hex[:10]}"
    return OrderCreated.model_validate(
        {
            "order_id": oid,
            "external_id": oid,
            "depot_id": depot_id,
            "status": "created",
            "version": 1,
            "created_at": datetime.now(UTC),
            "recipient": {"name": "Ada", "email": "ada@example.com"},
            "address": {
                "line1": "Street 1",
                "city": "Vaduz",
                "country": "LI",
                "location": {"lat": DEPOT["lat"] + dlat, "lon": DEPOT["lon"] + dlon},
            },
            "windows": [{"start": local(window[0]), "end": local(window[1])}],
            "items": [{"sku": "box", "quantity": quantity, "weight_kg": weight_kg}],
            "service_time_s": 120,
            "total_weight_kg": weight_kg * quantity,
            "total_volume_m3": 0.0,
            "total_parcels": quantity,
        }
    )


def depot_body(depot_id: str) -> dict[str, Any]:
    """A valid depot in Vaduz."""
    return {
        "id": depot_id,
        "name": "Mitte",
        "location": DEPOT,
        "time_zone": ZONE,
        "opening_hours": {"start": "06:00", "end": "21:00"},
        "loading_time_min": 10,
        "cutoff_times": ["05:00"],
    }


def van_body(vehicle_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid van."""
    body: dict[str, Any] = {
        "id": vehicle_id,
        "name": vehicle_id,
        "kind": "van",
        "capacity": {"weight_kg": 800, "volume_m3": 6, "parcels": 100},
        "cost_per_km": 0.4,
        "cost_per_hour": 20,
        "shift": {"start": "07:00", "end": "19:00"},
    }
    body.update(overrides)
    return body


def in_days(days: int) -> date:
    """A date relative to the test day."""
    return DAY + timedelta(days=days)
