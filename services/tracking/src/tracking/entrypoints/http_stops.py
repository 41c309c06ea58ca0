"""Drivers complete stops: delivered with proof, or failed with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from lastmile_common.http.problems import Problem

from tracking.adapters.route_news import RouteNews
from tracking.entrypoints.deps import CallerDep, PoolDep, ProofsDep, TrackerDep
from tracking.entrypoints.schemas import CompleteStopIn
from tracking.service_layer.completion import (
    CompleteStop,
    StopAlreadyCompleted,
    StopNotFound,
    complete_stop,
)
from tracking.service_layer.proofs import ProofRefused

router = APIRouter(tags=["stops"])


def _command(
    route_id: str, stop_id: str, body: CompleteStopIn, tenant_id: str, vehicle_id: str | None
) -> CompleteStop:
    if body.outcome == "failed" and body.reason_code is None:
        raise Problem(
            422,
            "Invalid request",
            "reason_code: required when the delivery failed",
            errors=[{"field": "body.reason_code", "message": "required for failed"}],
        )
    if body.outcome == "delivered" and body.proof is None:
        raise Problem(
            422,
            "Invalid request",
            "proof: required when delivered",
            errors=[{"field": "body.proof", "message": "required for delivered"}],
        )
    proof = body.proof
    location = proof.location if proof is not None else None
    return CompleteStop(
        tenant_id=tenant_id,
        route_id=route_id,
        stop_id=stop_id,
        outcome=body.outcome,
        at=body.completed_at or datetime.now(UTC),
        photo_ref=proof.photo_ref if proof else None,
        signature_ref=proof.signature_ref if proof else None,
        recipient_name=proof.recipient_name if proof else None,
        lat=location.lat if location else None,
        lon=location.lon if location else None,
        reason_code=body.reason_code or "other",
        reason=body.reason,
        vehicle_id=vehicle_id,
    )


@router.post("/v1/routes/{route_id}/stops/{stop_id}:complete")
async def complete(
    route_id: str,
    stop_id: str,
    body: CompleteStopIn,
    caller: CallerDep,
    tracker: TrackerDep,
    pool: PoolDep,
    proofs: ProofsDep,
    request: Request,
) -> dict[str, Any]:
    """Complete a stop (driver's device bound to the route's vehicle, or a tenant API key); the
    replica following the vehicle, this one or another, reloads the route before its next
    batch."""
    cmd = _command(route_id, stop_id, body, caller.tenant_id, caller.vehicle_id)
    news: RouteNews = request.app.state.route_news
    try:
        async with pool.acquire() as conn, conn.transaction():
            summary = await complete_stop(tracker, conn, cmd, proofs)
            await news.announce(conn, route_id)
            return summary
    except StopNotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None
    except StopAlreadyCompleted as exc:
        raise Problem(409, "Already completed", str(exc)) from None
    except ProofRefused as exc:
        raise Problem(
            422, "Invalid request", str(exc), errors=[{"field": exc.field, "message": str(exc)}]
        ) from None
