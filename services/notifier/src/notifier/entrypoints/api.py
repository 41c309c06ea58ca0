"""Tenant API: settings, templates, previews and the notification log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from lastmile_common.http.auth import CallerKey
from lastmile_common.http.problems import Problem

from notifier.adapters import notification_log, repository
from notifier.domain.builtin_templates import TemplateSource, choose
from notifier.domain.config import TenantConfig
from notifier.domain.masking import mask_address
from notifier.domain.model import Kind
from notifier.domain.segments import count_segments
from notifier.entrypoints.schemas import (
    NotificationOut,
    PreviewRequest,
    PreviewResponse,
    TemplateBody,
)
from notifier.service_layer.rendering import TemplateInvalid, render, sample_context

router = APIRouter(prefix="/v1", tags=["notifier"])
LocaleParam = Annotated[
    str, Query(pattern=r"^([a-z]{2}(-[A-Z]{2})?)?$", description="'' = tenant default")
]
ChannelParam = Annotated[Literal["sms", "email"], Path()]


def _pool(request: Request) -> Any:
    return request.app.state.runtime.pool


@router.get("/settings", response_model=TenantConfig, summary="The tenant's notifier settings")
async def get_settings(request: Request, key: CallerKey) -> TenantConfig:
    """Stored settings, or the defaults."""
    async with _pool(request).acquire() as conn:
        return await repository.get_config(conn, key.tenant_id) or TenantConfig()


@router.put("/settings", response_model=TenantConfig, summary="Replace the tenant's settings")
async def put_settings(request: Request, key: CallerKey, body: TenantConfig) -> TenantConfig:
    """Brand, triggers, quiet hours and limits."""
    async with _pool(request).acquire() as conn:
        await repository.put_config(conn, key.tenant_id, body)
    request.app.state.deps.cache.invalidate(key.tenant_id)
    return body


@router.get("/templates", summary="The tenant's stored templates")
async def list_templates(request: Request, key: CallerKey) -> list[dict[str, Any]]:
    """Every template the tenant stored (built-ins are used for the rest)."""
    async with _pool(request).acquire() as conn:
        return await repository.list_templates(conn, key.tenant_id)


def _check(body: TemplateBody) -> None:
    try:
        render(TemplateSource(body.text, body.subject, body.html), sample_context("Brand"))
    except TemplateInvalid as exc:
        raise Problem(
            422,
            "Invalid template",
            str(exc),
            errors=[{"field": f"body.{exc.part}", "message": exc.message}],
        ) from exc


@router.put("/templates/{kind}/{channel}", status_code=204, summary="Store a tenant template")
async def put_template(
    request: Request,
    key: CallerKey,
    kind: Kind,
    channel: ChannelParam,
    body: TemplateBody,
    locale: LocaleParam = "",
) -> Response:
    """Store a template for a kind, channel and locale ('' = the tenant's default)."""
    _check(body)
    async with _pool(request).acquire() as conn:
        await repository.put_template(
            conn,
            key.tenant_id,
            kind,
            channel,
            locale,
            TemplateSource(body.text, body.subject, body.html),
        )
    request.app.state.deps.cache.invalidate(key.tenant_id)
    return Response(status_code=204)


@router.delete("/templates/{kind}/{channel}", status_code=204, summary="Remove a tenant template")
async def delete_template(
    request: Request, key: CallerKey, kind: Kind, channel: ChannelParam, locale: LocaleParam = ""
) -> Response:
    """Remove a stored template; the fallback applies again."""
    async with _pool(request).acquire() as conn:
        if not await repository.delete_template(conn, key.tenant_id, kind, channel, locale):
            raise Problem(404, "Not Found", "no such template")
    request.app.state.deps.cache.invalidate(key.tenant_id)
    return Response(status_code=204)


@router.post("/templates/preview", response_model=PreviewResponse, summary="Render a preview")
async def preview(request: Request, key: CallerKey, body: PreviewRequest) -> PreviewResponse:
    """Render with sample data (and the variables given); unknown variables are errors."""
    async with _pool(request).acquire() as conn:
        config = await repository.get_config(conn, key.tenant_id) or TenantConfig()
        if body.template is not None:
            t = body.template
            source = TemplateSource(t.text, t.subject, t.html, origin="request")
        else:
            stored = await repository.tenant_templates(conn, key.tenant_id, body.kind, body.channel)
            source = choose(body.kind, body.channel, body.locale, stored)
    context = sample_context(config.brand_name) | body.variables
    try:
        rendered = render(source, context, strict=True)
    except TemplateInvalid as exc:
        raise Problem(
            422,
            "Invalid template",
            str(exc),
            errors=[{"field": f"body.template.{exc.part}", "message": exc.message}],
        ) from exc
    out = PreviewResponse(
        origin=source.origin, subject=rendered.subject, text=rendered.text, html=rendered.html
    )
    if body.channel == "sms":
        count = count_segments(rendered.text)
        out = out.model_copy(update={"encoding": count.encoding, "segments": count.segments})
    return out


@router.get("/notifications", response_model=list[NotificationOut], summary="Notification log")
async def notifications(
    request: Request,
    key: CallerKey,
    order_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """The tenant's notifications, newest first; addresses masked."""
    async with _pool(request).acquire() as conn:
        rows = await notification_log.history(conn, key.tenant_id, order_id, limit)
    return [NotificationOut.of(r, mask_address(r["address"])) for r in rows]
