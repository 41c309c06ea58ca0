"""Drivers' ping batches (published to gps.pings.v1 through the outbox)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from lastmile_common.db import outbox
from lastmile_common.events.envelope import Envelope
from lastmile_common.events.pings import Ping, PingBatch
from lastmile_common.http.problems import field_errors, problem_response
from pydantic import ValidationError

from tracking.entrypoints.deps import DeviceDep, PoolDep, SettingsDep
from tracking.entrypoints.schemas import PingBatchIn, PingBatchOut, PingIn
from tracking.service_layer.messages import SOURCE

router = APIRouter(tags=["pings"])


def _check(
    index: int, raw: dict[str, Any], now: datetime, ahead_s: float, retention_days: int
) -> tuple[PingIn | None, list[dict[str, str]]]:
    try:
        ping = PingIn.model_validate(raw)
    except ValidationError as exc:
        errors = field_errors(list(exc.errors()))
        return None, [
            {"field": f"pings[{index}].{e['field']}", "message": e["message"]} for e in errors
        ]
    if ping.time > now + timedelta(seconds=ahead_s):
        return None, [{"field": f"pings[{index}].time", "message": "too far in the future"}]
    if ping.time < now - timedelta(days=retention_days):
        return None, [{"field": f"pings[{index}].time", "message": "older than the retention"}]
    return ping, []


@router.post(
    "/v1/pings",
    response_model=PingBatchOut,
    responses={422: {"description": "no ping of the batch was valid (problem+json)"}},
)
async def post_pings(
    body: PingBatchIn, device: DeviceDep, pool: PoolDep, settings: SettingsDep
) -> Any:
    """Accept a batch of pings from a device: valid ones are kept, invalid ones reported by index.

    200 with `accepted` (indices) and `rejected` (index and field errors) when at least one ping
    was accepted; 422 problem+json listing every ping's errors when none was.
    """
    assert device.vehicle_id is not None
    now = datetime.now(UTC)
    accepted: list[int] = []
    rejected: list[dict[str, Any]] = []
    pings: list[Ping] = []
    for index, raw in enumerate(body.pings):
        ping, errors = _check(
            index, raw, now, settings.max_clock_ahead_s, settings.ping_retention_days
        )
        if ping is None:
            rejected.append({"index": index, "errors": errors})
            continue
        accepted.append(index)
        pings.append(Ping(vehicle_id=device.vehicle_id, **ping.model_dump()))
    if not pings:
        return problem_response(
            422,
            "No valid ping",
            f"all {len(rejected)} pings were rejected",
            "/v1/pings",
            [e for r in rejected for e in r["errors"]],
        )
    batch = PingBatch(vehicle_id=device.vehicle_id, pings=tuple(pings))
    envelope = Envelope.wrap(
        batch, source=SOURCE, tenant=device.tenant_id, subject=device.vehicle_id
    )
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, [(envelope, device.vehicle_id)])
    return JSONResponse({"accepted": accepted, "rejected": rejected})
