"""The tenant API's use cases: settings, templates, previews and the notification log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notifier.domain.builtin_templates import TemplateSource, choose
from notifier.domain.config import TenantConfig
from notifier.domain.segments import SegmentCount, count_segments
from notifier.service_layer.ports import NotifierStore, Row
from notifier.service_layer.rendering import Rendered, render, sample_context
from notifier.service_layer.tenant_cache import TenantCache


@dataclass(frozen=True)
class Preview:
    """A template rendered with sample data; SMS previews count their segments."""

    origin: str
    rendered: Rendered
    segments: SegmentCount | None


async def settings_of(store: NotifierStore, tenant_id: str) -> TenantConfig:
    """The stored settings, or the defaults."""
    return await store.settings.get(tenant_id) or TenantConfig()


async def replace_settings(
    store: NotifierStore, cache: TenantCache, tenant_id: str, config: TenantConfig
) -> None:
    """Brand, triggers, quiet hours and limits; this process sees them at once."""
    await store.settings.put(tenant_id, config)
    cache.invalidate(tenant_id)


async def templates_of(store: NotifierStore, tenant_id: str) -> list[dict[str, Any]]:
    """Every template the tenant stored."""
    return await store.templates.all_of(tenant_id)


async def put_template(
    store: NotifierStore,
    cache: TenantCache,
    tenant_id: str,
    slot: tuple[str, str, str],
    source: TemplateSource,
) -> None:
    """Store a template for (kind, channel, locale) once it renders; raises TemplateInvalid."""
    render(source, sample_context("Brand"))
    kind, channel, locale = slot
    await store.templates.put(tenant_id, kind, channel, locale, source)
    cache.invalidate(tenant_id)


async def delete_template(
    store: NotifierStore, cache: TenantCache, tenant_id: str, slot: tuple[str, str, str]
) -> bool:
    """Remove a stored template (the fallback applies again); False if there was none."""
    kind, channel, locale = slot
    deleted = await store.templates.delete(tenant_id, kind, channel, locale)
    if deleted:
        cache.invalidate(tenant_id)
    return deleted


async def preview(
    store: NotifierStore,
    tenant_id: str,
    slot: tuple[str, str, str],
    template: TemplateSource | None,
    variables: dict[str, Any],
) -> Preview:
    """Render the template given (or the tenant's effective one) strictly with sample data."""
    kind, channel, locale = slot
    config = await settings_of(store, tenant_id)
    if template is None:
        stored = await store.templates.of_kind(tenant_id, kind, channel)
        template = choose(kind, channel, locale, stored)
    context = sample_context(config.brand_name) | variables
    rendered = render(template, context, strict=True)
    segments = count_segments(rendered.text) if channel == "sms" else None
    return Preview(template.origin, rendered, segments)


async def history(
    store: NotifierStore, tenant_id: str, order_id: str | None, limit: int
) -> list[Row]:
    """The tenant's notifications, newest first, optionally for one order."""
    return await store.notifications.history(tenant_id, order_id, limit)
