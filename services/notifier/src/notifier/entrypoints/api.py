"""Tenant API: settings, templates, previews and the notification log."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from lastmile_common.http.problems import Problem

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.config import TenantConfig
from notifier.domain.masking import mask_address
from notifier.domain.model import Kind
from notifier.entrypoints.deps import CacheDep, StoreDep, TenantDep
from notifier.entrypoints.schemas import (
    NotificationOut,
    PreviewRequest,
    PreviewResponse,
    TemplateBody,
)
from notifier.service_layer import tenants
from notifier.service_layer.rendering import TemplateInvalid

router = APIRouter(prefix="/v1", tags=["notifier"])
LocaleParam = Annotated[
    str, Query(pattern=r"^([a-z]{2}(-[A-Z]{2})?)?$", description="'' = tenant default")
]
ChannelParam = Annotated[Literal["sms", "email"], Path()]


def _invalid(exc: TemplateInvalid, prefix: str) -> Problem:
    return Problem(
        422,
        "Invalid template",
        str(exc),
        errors=[{"field": f"{prefix}.{exc.part}", "message": exc.message}],
    )


@router.get("/settings", response_model=TenantConfig, summary="The tenant's notifier settings")
async def get_settings(tenant: TenantDep, store: StoreDep) -> TenantConfig:
    """Stored settings, or the defaults."""
    return await tenants.settings_of(store, tenant)


@router.put("/settings", response_model=TenantConfig, summary="Replace the tenant's settings")
async def put_settings(
    tenant: TenantDep, store: StoreDep, cache: CacheDep, body: TenantConfig
) -> TenantConfig:
    """Brand, triggers, quiet hours and limits."""
    await tenants.replace_settings(store, cache, tenant, body)
    return body


@router.get("/templates", summary="The tenant's stored templates")
async def list_templates(tenant: TenantDep, store: StoreDep) -> list[dict[str, Any]]:
    """Every template the tenant stored (built-ins are used for the rest)."""
    return await tenants.templates_of(store, tenant)


@router.put("/templates/{kind}/{channel}", status_code=204, summary="Store a tenant template")
async def put_template(
    tenant: TenantDep,
    store: StoreDep,
    cache: CacheDep,
    kind: Kind,
    channel: ChannelParam,
    body: TemplateBody,
    locale: LocaleParam = "",
) -> Response:
    """Store a template for a kind, channel and locale ('' = the tenant's default)."""
    source = TemplateSource(body.text, body.subject, body.html)
    try:
        await tenants.put_template(store, cache, tenant, (kind, channel, locale), source)
    except TemplateInvalid as exc:
        raise _invalid(exc, "body") from exc
    return Response(status_code=204)


@router.delete("/templates/{kind}/{channel}", status_code=204, summary="Remove a tenant template")
async def delete_template(
    tenant: TenantDep,
    store: StoreDep,
    cache: CacheDep,
    kind: Kind,
    channel: ChannelParam,
    locale: LocaleParam = "",
) -> Response:
    """Remove a stored template; the fallback applies again."""
    if not await tenants.delete_template(store, cache, tenant, (kind, channel, locale)):
        raise Problem(404, "Not Found", "no such template")
    return Response(status_code=204)


@router.post("/templates/preview", response_model=PreviewResponse, summary="Render a preview")
async def preview(tenant: TenantDep, store: StoreDep, body: PreviewRequest) -> PreviewResponse:
    """Render with sample data (and the variables given); unknown variables are errors."""
    t = body.template
    source = None if t is None else TemplateSource(t.text, t.subject, t.html, origin="request")
    slot = (body.kind, body.channel, body.locale)
    try:
        shown = await tenants.preview(store, tenant, slot, source, body.variables)
    except TemplateInvalid as exc:
        raise _invalid(exc, "body.template") from exc
    r, count = shown.rendered, shown.segments
    return PreviewResponse(
        origin=shown.origin,
        subject=r.subject,
        text=r.text,
        html=r.html,
        encoding=count.encoding if count else None,
        segments=count.segments if count else None,
    )


@router.get("/notifications", response_model=list[NotificationOut], summary="Notification log")
async def notifications(
    tenant: TenantDep,
    store: StoreDep,
    order_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[NotificationOut]:
    """The tenant's notifications, newest first; addresses masked."""
    rows = await tenants.history(store, tenant, order_id, limit)
    return [NotificationOut.of(r, mask_address(r["address"])) for r in rows]
