"""The template sandbox and the per-recipient rate window."""

from __future__ import annotations

import asyncio

import pytest
from notifier.domain.builtin_templates import TemplateSource
from notifier.service_layer.limits import RecipientWindow, provider_limiter
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
    assert window.admit("a", "confirmed", 2, at=0).send
    assert window.admit("a", "confirmed", 2, at=10).send
    assert window.admit("a", "confirmed", 2, at=20).retry_in_s == pytest.approx(3580)
    assert window.admit("b", "confirmed", 2, at=20).send
    assert window.admit("a", "confirmed", 2, at=3601).send


async def test_provider_limit_allows_a_burst_of_rate_then_waits() -> None:
    limiter = provider_limiter(2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await limiter.acquire()
    await limiter.acquire()
    assert not limiter.has_capacity()
    await limiter.acquire()  # the third send waits for half a second's leak
    assert loop.time() - started >= 0.45


async def test_provider_limit_below_one_per_second_still_sends() -> None:
    limiter = provider_limiter(0.5)
    await asyncio.wait_for(limiter.acquire(), timeout=1.0)
    assert not limiter.has_capacity()  # the next one only two seconds later
