"""One vehicle of the demo day handed to the driver's app: its device, sign-in link, run.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from lastmile.demo.platform import check

RUN_FILE_KEY = "hand_off"
# How early a route may start by a fix's time (TRACKING_EARLY_START_S while a vehicle is handed
# off): the simulated day is tomorrow, the phone's fixes carry the wall clock.
EARLY_START_S = 2 * 86400


def chosen_vehicle(setting: str | None) -> str | None:
    """The vehicle named by `--hand-off`/LASTMILE_DEMO_HANDOFF; none for "", "none", "0", "no"."""
    if setting is None or setting.strip().lower() in ("", "none", "0", "no", "off"):
        return None
    return setting.strip()


async def hand_off(
    tracking: httpx.AsyncClient, vehicle_id: str, routed: bool, say: Callable[[str], None]
) -> dict[str, str]:
    """Register the driver's phone for the vehicle, say where to open the app; returns the
    device's id, token and sign-in link."""
    device = check(
        await tracking.post(
            "/v1/devices", json={"vehicle_id": vehicle_id, "label": "demo: driver's app"}
        )
    )
    if not routed:
        say(f"hand-off: {vehicle_id} has no route in the plan; the app will show none")
    say(f"{vehicle_id} is yours: open {device['sign_in_url']} on a phone")
    say("  (its pings come from that browser, on the wall clock; the rest stay simulated)")
    return {
        "vehicle_id": vehicle_id,
        "device_id": str(device["device_id"]),
        "device_token": str(device["device_token"]),
        "sign_in_url": str(device["sign_in_url"]),
    }


def record(run_file: Path, entry: dict[str, str]) -> None:
    """Add the hand-off (vehicle and sign-in link, not the bare token) to run.json."""
    try:
        run: dict[str, Any] = json.loads(run_file.read_text())
    except FileNotFoundError:
        return  # the platform stopped meanwhile
    run[RUN_FILE_KEY] = {k: entry[k] for k in ("vehicle_id", "device_id", "sign_in_url")}
    tmp = run_file.with_suffix(".handoff.tmp")
    tmp.write_text(json.dumps(run, indent=2))
    tmp.replace(run_file)
