"""Quiet hours in local time and the template fallback order."""

from __future__ import annotations

from datetime import UTC, datetime

from notifier.domain.builtin_templates import TemplateSource, choose
from notifier.domain.config import QuietHours
from notifier.domain.quiet_hours import quiet_until

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
