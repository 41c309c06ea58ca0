"""Rendering templates in a Jinja2 sandbox, with times in the depot's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from notifier.domain.builtin_templates import TemplateSource
from notifier.domain.model import Intent, OrderView

# Previews are strict so authors see unknown variables; live sends render them empty.
_ENVS = {
    (html, strict): SandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined if strict else Undefined
    )
    for html in (False, True)
    for strict in (False, True)
}
SAMPLE_TIME = datetime.fromisoformat("2026-03-02T14:30:00+00:00")


class TemplateInvalid(ValueError):
    """A template that does not compile or render; `part` names subject, text or html."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(f"{part}: {message}")
        self.part = part
        self.message = message


@dataclass(frozen=True)
class Rendered:
    """A rendered message."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=512)
def _compile(source: str, html: bool, strict: bool) -> Any:
    return _ENVS[(html, strict)].from_string(source)


def _render_part(part: str, source: str, context: dict[str, Any], html: bool, strict: bool) -> str:
    if not source:
        return ""
    try:
        return str(_compile(source, html, strict).render(context))
    except TemplateError as exc:
        raise TemplateInvalid(part, str(exc)) from exc


def render(template: TemplateSource, context: dict[str, Any], *, strict: bool = False) -> Rendered:
    """Render subject, text and HTML; raise TemplateInvalid naming the part at fault."""
    return Rendered(
        _render_part("subject", template.subject, context, False, strict).strip(),
        _render_part("text", template.text, context, False, strict),
        _render_part("html", template.html, context, True, strict),
    )


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


def context_for(order: OrderView, intent: Intent, brand: str, tracking_url: str) -> dict[str, Any]:
    """Template variables: facts with times formatted HH:MM in the depot's zone, plus basics."""
    zone = ZoneInfo(order.time_zone)
    context: dict[str, Any] = {
        "brand": brand,
        "name": order.name or "there",
        "order_id": order.order_id,
        "external_id": order.external_id or order.order_id,
        "tracking_url": tracking_url,
        "time_zone": order.time_zone,
        "unsubscribe_url": "",
    }
    for key, value in intent.facts.items():
        if isinstance(value, datetime):
            local = _local(value, zone)
            context[key] = local.strftime("%H:%M")
            context[f"{key}_date"] = local.strftime("%Y-%m-%d")
        else:
            context[key] = value
    return context


def sample_context(brand: str) -> dict[str, Any]:
    """Every variable a template may use, with sample values (for previews)."""
    order = OrderView(
        "tenant",
        "ord_123",
        external_id="A-1001",
        name="Jane",
        time_zone="UTC",
        tracking_token="tok_sample",  # noqa: S106 - sample data, not a secret
    )
    facts: dict[str, Any] = {
        "eta": SAMPLE_TIME,
        "window_start": SAMPLE_TIME,
        "window_end": SAMPLE_TIME,
        "stops_away": 2,
        "minutes_away": 12,
        "delivered_at": SAMPLE_TIME,
        "proof_summary": "photo taken",
        "received_by": "Jane",
        "failed_at": SAMPLE_TIME,
        "reason_code": "nobody_home",
        "reason": "nobody home",
        "next_step": "We will try again tomorrow.",
    }
    sample_url = "https://example.com/track/tok_sample"
    context = context_for(order, Intent("confirmed", 1, facts), brand, sample_url)
    context["unsubscribe_url"] = "https://example.com/unsubscribe/sample"
    return context
