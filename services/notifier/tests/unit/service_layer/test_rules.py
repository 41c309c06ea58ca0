"""The template sandbox and the per-recipient rate window."""

from __future__ import annotations

import pytest
from notifier.domain.builtin_templates import TemplateSource
from notifier.service_layer.limits import RecipientWindow
from notifier.service_layer.rendering import TemplateInvalid, render, sample_context


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
