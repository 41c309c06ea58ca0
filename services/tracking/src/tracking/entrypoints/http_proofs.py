"""Proof of delivery uploads (photo, signature), read back by the tenant and the customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import Response
from lastmile_common.http.problems import Problem
from lastmile_common.tracking_links import order_of

from tracking.adapters.queries import find_token
from tracking.domain.media import MediaRefused, ProofKind, media_type
from tracking.entrypoints.deps import CallerDep, PoolDep, ProofsDep, SettingsDep, TrackerDep
from tracking.service_layer.completion import StopAlreadyCompleted, StopNotFound, open_stop
from tracking.service_layer.proof_ports import ProofRecord
from tracking.service_layer.proofs import Proofs, UploadProof, ref_of

PREFIX = "/v1/proofs/"  # exempt from the service-wide body limit: limits per kind here
router = APIRouter(tags=["proofs"])


def _binary(what: str) -> dict[str, Any]:
    """An upload media type: raw bytes (an example cannot be inlined; it is described)."""
    return {
        "schema": {"type": "string", "format": "binary"},
        "examples": {"camera": {"summary": what, "description": "the file's bytes, as they are"}},
    }


_UPLOAD_CONTENT = {
    "image/jpeg": _binary("a photo from the phone's camera"),
    "image/png": _binary("a photo, or a signature drawn on a canvas"),
    "image/webp": _binary("a photo"),
    "image/svg+xml": {
        "schema": {"type": "string"},
        "example": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 200">'
        '<path d="M10 100 L80 60 L150 120" fill="none" stroke="#000"/></svg>',
    },
}
# Served media never runs script, is never sniffed as something else, never shared.
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    "Cache-Control": "private, max-age=3600",
}


async def _body(request: Request, kind: ProofKind, limit: int) -> bytes:
    """The request body, refused with 413 naming the field once it passes `limit`."""
    too_large = Problem(
        413,
        "Content Too Large",
        f"{kind}: larger than {limit} bytes",
        errors=[{"field": kind, "message": f"at most {limit} bytes"}],
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _unsupported(kind: str, exc: MediaRefused) -> Problem:
    return Problem(
        415, "Unsupported Media Type", str(exc), errors=[{"field": kind, "message": str(exc)}]
    )


@router.post(
    PREFIX + "{route_id}/{stop_id}/{kind}",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": {"required": True, "content": _UPLOAD_CONTENT}},
    responses={
        404: {"description": "no such open stop for this tenant or device"},
        409: {"description": "the stop is already completed"},
        413: {"description": "larger than the kind's limit (problem+json naming the field)"},
        415: {"description": "not an accepted type, or the content is not what it claims"},
    },
)
async def upload_proof(
    route_id: str,
    stop_id: str,
    kind: Literal["photo", "signature"],
    request: Request,
    caller: CallerDep,
    tracker: TrackerDep,
    pool: PoolDep,
    proofs: ProofsDep,
    content_type: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    """Upload a photo (JPEG/PNG/WebP) or signature (SVG/PNG) of an open stop as the raw body;
    complete the stop with the returned `ref` as `proof.photo_ref` / `proof.signature_ref`."""
    try:
        accepted = media_type(kind, content_type)
    except MediaRefused as exc:
        raise _unsupported(kind, exc) from None
    data = await _body(request, kind, proofs.limits.of(kind))
    try:
        async with pool.acquire() as conn:
            _, stop = await open_stop(
                tracker, conn, caller.tenant_id, route_id, stop_id, caller.vehicle_id
            )
            cmd = UploadProof(
                caller.tenant_id, route_id, stop_id, stop.order_id, kind, accepted, data
            )
            record = await proofs.upload(conn, cmd, datetime.now(UTC))
    except MediaRefused as exc:
        raise _unsupported(kind, exc) from None
    except StopNotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None
    except StopAlreadyCompleted as exc:
        raise Problem(409, "Already completed", str(exc)) from None
    return _described(record)


def _described(record: ProofRecord) -> dict[str, Any]:
    return {
        "ref": ref_of(record),
        "proof_id": record.proof_id,
        "kind": record.kind,
        "content_type": record.content_type,
        "size": record.size,
        "sha256": record.sha256,
        "order_id": record.order_id,
        "expires_at": record.expires_at.isoformat(),
    }


async def _media(proofs: Proofs, record: ProofRecord | None) -> Response:
    data = await proofs.content(record) if record is not None else None
    if record is None or data is None:
        raise Problem(404, "Not found", "no such proof")
    return Response(data, media_type=record.content_type, headers=MEDIA_HEADERS)


@router.get(
    PREFIX + "{proof_id}",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
        403: {"description": "called with a device token"},
        404: {"description": "no such proof for this tenant (or expired)"},
    },
)
async def get_proof(proof_id: str, caller: CallerDep, pool: PoolDep, proofs: ProofsDep) -> Response:
    """A proof's bytes, for the tenant that owns it (API key)."""
    if caller.vehicle_id is not None:
        raise Problem(403, "Forbidden", "proofs are read with the tenant's API key")
    async with pool.acquire() as conn:
        record = await proofs.records.find(conn, caller.tenant_id, proof_id)
    return await _media(proofs, record)


@router.get(
    "/track/{token}/photo",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
        404: {"description": "unknown or expired link, or no photo"},
    },
)
async def customer_photo(
    token: str, pool: PoolDep, proofs: ProofsDep, settings: SettingsDep
) -> Response:
    """The delivery photo of the token's own order (and no other)."""
    order_id = order_of(settings.tracking_link_secret.get_secret_value(), token)
    async with pool.acquire() as conn:
        target = await find_token(conn, token, order_id)
        record = None
        if target is not None and not target.expired:
            record = await proofs.records.latest_attached(
                conn, target.tenant_id, target.route_id, target.stop_id, "photo"
            )
    return await _media(proofs, record)
