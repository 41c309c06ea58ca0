"""Quiet hours, triggers, template fallback and sandbox, rate limits, provider answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from lastmile_common.events.etas import EtaUpdated
from notifier.adapters.http1 import Answer
from notifier.adapters.twilio import _classify
from notifier.domain.builtin_templates import TemplateSource, choose
from notifier.domain.config import QuietHours, Triggers
from notifier.domain.model import OrderView
from notifier.domain.quiet_hours import quiet_until
from notifier.domain.triggers import eta_update
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


def _eta(minutes: int, *, stops: int = 8, sequence: int = 2) -> EtaUpdated:
    eta = T0 + timedelta(minutes=minutes)
    return EtaUpdated(
        order_id="o1",
        route_id="r1",
        stop_id="s1",
        vehicle_id="v1",
        eta=eta,
        window_start=eta - timedelta(minutes=15),
        window_end=eta + timedelta(minutes=15),
        stops_away=stops,
        computed_at=T0,
        sequence=sequence,
    )


def test_eta_changes_only_beyond_the_threshold_and_never_from_old_estimates() -> None:
    order = OrderView("t", "o1", notified_eta=T0 + timedelta(minutes=60), eta_sequence=1)
    triggers = Triggers(eta_change_threshold_min=15, arriving_stops=2, arriving_minutes=10)
    assert eta_update(_eta(70), order, triggers) is None
    changed = eta_update(_eta(80), order, triggers)
    assert changed is not None
    assert (changed.kind, changed.version, changed.scope) == ("eta_changed", 2, "r1")
    assert eta_update(_eta(80, sequence=1), order, triggers) is None
    arriving = eta_update(_eta(30, stops=2), order, triggers)
    assert arriving is not None
    assert arriving.kind == "arriving"
    assert arriving.facts["stops_away"] == 2
    soon = eta_update(_eta(8, stops=5), order, triggers)
    assert soon is not None
    assert soon.kind == "arriving"
    assert eta_update(_eta(80), order, Triggers(eta_changed=False, arriving=False)) is None


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
    assert window.try_take("a", 2, now=0) is None
    assert window.try_take("a", 2, now=10) is None
    assert window.try_take("a", 2, now=20) == pytest.approx(3580)
    assert window.try_take("b", 2, now=20) is None
    assert window.try_take("a", 2, now=3601) is None


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
