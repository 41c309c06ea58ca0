"""Quiet hours, triggers, template fallback and sandbox, rate limits, provider answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from notifier.adapters.form_client import Answer
from notifier.adapters.twilio import _classify
from notifier.domain.builtin_templates import TemplateSource, choose
from notifier.domain.config import QuietHours
from notifier.domain.quiet_hours import quiet_until
from notifier.service_layer.limits import RecipientWindow
from notifier.service_layer.rendering import TemplateInvalid, render, sample_context

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_quiet_hours_across_midnight_in_local_time() -> None:
    quiet = QuietHours(start="21:00", end="08:00")
    # 21:30 UTC is 22:30 in Berlin (winter): quiet until 08:00 Berlin = 07:00 UTC next day.
    assert quiet_until(
        datetime(2026, 3, 2, 21, 30, tzinfo=UTC), "Europe/Berlin", quiet
    ) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    # 05:00 UTC = 06:00 Berlin: quiet until 07:00 UTC the same day.
    assert quiet_until(datetime(2026, 3, 3, 5, 0, tzinfo=UTC), "Europe/Berlin", quiet) == datetime(
        2026, 3, 3, 7, 0, tzinfo=UTC
    )
    assert quiet_until(T0, "Europe/Berlin", quiet) is None
    assert quiet_until(T0, "UTC", None) is None


def test_template_fallback_order() -> None:
    tenant_de = TemplateSource("tenant de", origin="tenant:de")
    tenant_default = TemplateSource("tenant default", origin="tenant:default")
    assert choose("confirmed", "sms", "de-AT", {"de": tenant_de, "": tenant_default}) is tenant_de
    assert choose("confirmed", "sms", "fr", {"de": tenant_de, "": tenant_default}) is tenant_default
    assert choose("confirmed", "sms", "de-AT", {}).origin == "builtin:de"
    assert choose("confirmed", "sms", "fr", {}).origin == "builtin:en"


def test_sandbox_refuses_unsafe_code_and_html_is_escaped() -> None:
    evil = TemplateSource("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateInvalid):
        render(evil, sample_context("B"))
    html = TemplateSource("x", html="<p>{{ brand }}</p>")
    assert render(html, sample_context("<script>")).html == "<p>&lt;script&gt;</p>"
    with pytest.raises(TemplateInvalid) as info:
        render(TemplateSource("{{ nope }}"), sample_context("B"), strict=True)
    assert info.value.part == "text"


def test_recipient_window() -> None:
    window = RecipientWindow(window_s=3600)
    assert window.admit("a", "confirmed", 2, at=0).send
    assert window.admit("a", "confirmed", 2, at=10).send
    assert window.admit("a", "confirmed", 2, at=20).retry_in_s == pytest.approx(3580)
    assert window.admit("b", "confirmed", 2, at=20).send
    assert window.admit("a", "confirmed", 2, at=3601).send


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (201, {"sid": "SM1"}, "sent"),
        (500, {}, "retry"),
        (503, {}, "retry"),
        (429, {"code": 20429}, "retry"),
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, "failed"),
        (404, {}, "failed"),
    ],
)
def test_twilio_answers(status: int, body: dict[str, object], outcome: str) -> None:
    result = _classify(Answer(status, {}, json.dumps(body).encode()))
    assert result.outcome == outcome
    if outcome == "sent":
        assert result.provider_message_id == "SM1"
