"""Turning an intent into notification rows: template, opt-out, quiet hours, then the key."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from notifier.domain.builtin_templates import choose
from notifier.domain.config import TenantConfig
from notifier.domain.model import Intent, OrderView
from notifier.domain.quiet_hours import quiet_until
from notifier.domain.segments import count_segments
from notifier.domain.signing import unsubscribe_token
from notifier.service_layer.deps import Deps
from notifier.service_layer.ports import NewNotification, NotifierStore
from notifier.service_layer.rendering import context_for, render

log = logging.getLogger(__name__)

# Sending a newer message of the first kind makes pending ones of these kinds pointless.
SUPERSEDES: dict[str, tuple[str, ...]] = {
    "eta_changed": ("eta_changed",),
    "arriving": ("eta_changed", "out_for_delivery"),
}


async def tenant_config(store: NotifierStore, deps: Deps, tenant_id: str) -> TenantConfig | None:
    """The tenant's settings, the defaults, or None when the tenant must opt in first."""
    config = await deps.cache.config(store, tenant_id)
    if config is None and not deps.require_tenant_settings:
        return TenantConfig()
    return config


async def enqueue(
    store: NotifierStore,
    deps: Deps,
    config: TenantConfig,
    order: OrderView,
    intent: Intent,
    now: datetime | None = None,
) -> list[str]:
    """Insert one row per channel the recipient chose; return the ids of rows newly inserted."""
    rows = await prepare(store, deps, config, order, intent, now)
    if not rows:
        return []
    superseded = SUPERSEDES.get(intent.kind)
    if superseded:
        await store.notifications.drop_pending(
            order.tenant_id, order.order_id, superseded, f"superseded by {intent.kind}"
        )
    return await store.notifications.insert_many(rows)


async def prepare(
    store: NotifierStore,
    deps: Deps,
    config: TenantConfig,
    order: OrderView,
    intent: Intent,
    now: datetime | None = None,
) -> list[NewNotification]:
    """The rendered rows (one per channel the recipient chose) that would take the keys."""
    now = now or datetime.now(UTC)
    addresses = order.addresses()
    if not addresses:
        log.info("no contact for order yet", extra={"order_id": order.order_id})
        return []
    state, reason, not_before = _timing(config, order, intent, now)
    rows = []
    for channel, address in addresses:
        templates = await deps.cache.templates(store, order.tenant_id, intent.kind, channel)
        template = choose(intent.kind, channel, order.locale, templates)
        context = context_for(order, intent, config.brand_name, deps.tracking_url(order.order_id))
        if channel == "email":
            token = unsubscribe_token(deps.unsubscribe_secret, order.tenant_id, address)
            context["unsubscribe_url"] = f"{deps.public_base_url.rstrip('/')}/unsubscribe/{token}"
        rendered = render(template, context)
        segments = count_segments(rendered.text).segments if channel == "sms" else None
        rows.append(
            NewNotification(
                tenant_id=order.tenant_id,
                order_id=order.order_id,
                kind=intent.kind,
                scope=intent.scope,
                version=intent.version,
                channel=channel,
                address=address,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                segments=segments,
                state=state,
                reason=reason,
                next_attempt_at=not_before,
                expires_at=intent.expires_at,
                event_time=intent.event_time,
            )
        )
    return rows


def _timing(
    config: TenantConfig, order: OrderView, intent: Intent, now: datetime
) -> tuple[str, str, datetime]:
    """Pending now, deferred past quiet hours, or dropped when it would arrive too late."""
    if intent.expires_at is not None and intent.expires_at <= now:
        return "dropped", "stale", now
    until = quiet_until(now, order.time_zone, config.quiet_hours)
    if until is None:
        return "pending", "", now
    if intent.expires_at is not None and until >= intent.expires_at:
        return "dropped", "quiet hours outlast it", now
    return "pending", "deferred for quiet hours", until
