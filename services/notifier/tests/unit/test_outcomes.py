"""Outcome messages: only for orders the started route carries, never held back by ETA updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lastmile_common.events.deliveries import StartedStop
from notifier.domain.config import Triggers
from notifier.domain.model import OrderView
from notifier.domain.triggers import out_for_delivery
from notifier.service_layer.limits import RecipientWindow

T0 = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)
HOUR = 3600.0


def _stop(order_id: str) -> StartedStop:
    eta = T0 + timedelta(hours=1)
    return StartedStop(
        order_id=order_id,
        stop_id=f"s-{order_id}",
        eta=eta,
        eta_window_start=eta - timedelta(minutes=30),
        eta_window_end=eta + timedelta(minutes=30),
    )


def _planned(order_id: str, **kw: object) -> OrderView:
    """An order an earlier route version planned on r1 (with a planned window)."""
    start = T0 + timedelta(hours=1)
    return OrderView(
        "t",
        order_id,
        route_id="r1",
        planned_start=start,
        planned_end=start + timedelta(hours=1),
        **kw,  # type: ignore[arg-type]
    )


def test_an_order_the_started_route_does_not_carry_is_not_out_for_delivery() -> None:
    # Cancelled before the start: the new route version left it out, route.started lists no stop.
    assert out_for_delivery(None, _planned("o2"), "r1", 2, Triggers(), T0) is None


def test_a_cancelled_or_delivered_order_is_never_out_for_delivery() -> None:
    order = _planned("o2", eta_closed="*")
    assert out_for_delivery(_stop("o2"), order, "r1", 2, Triggers(), T0) is None


def test_an_order_on_the_started_route_is_told_its_window_at_the_start_time() -> None:
    intent = out_for_delivery(_stop("o1"), _planned("o1"), "r1", 2, Triggers(), T0)
    assert intent is not None and intent.kind == "out_for_delivery"
    assert intent.facts["window_start"] == T0 + timedelta(minutes=30)
    assert intent.event_time == T0


def test_outcomes_pass_a_limit_that_eta_updates_used_up() -> None:
    window = RecipientWindow()
    for k in range(10):
        assert window.admit("+1", "eta_changed", 10, at=60.0 * k).send
    assert not window.admit("+1", "eta_changed", 10, at=700.0).send
    for kind in ("out_for_delivery", "arriving", "delivered", "failed"):
        assert window.admit("+1", kind, 10, at=720.0).send, kind


def test_an_eta_change_over_the_limit_is_dropped_not_deferred() -> None:
    window = RecipientWindow()
    for k in range(2):
        window.admit("+1", "eta_changed", 2, at=10.0 * k)
    admission = window.admit("+1", "eta_changed", 2, at=30.0)
    assert not admission.send and admission.retry_in_s is None


def test_other_messages_wait_until_the_hour_frees_a_place() -> None:
    window = RecipientWindow()
    window.admit("+1", "eta_changed", 2, at=100.0)
    window.admit("+1", "eta_changed", 2, at=200.0)
    admission = window.admit("+1", "confirmed", 2, at=300.0)
    assert not admission.send and admission.retry_in_s == pytest.approx(HOUR - 200)
    assert window.admit("+2", "confirmed", 2, at=300.0).send


def test_the_window_counts_the_facts_clock_not_how_fast_they_are_read() -> None:
    # A day read at 60x: ETA changes 11 minutes apart by their own clock, all read in a second.
    window = RecipientWindow()
    for k in range(14):
        assert window.admit("+1", "eta_changed", 10, at=11 * 60.0 * k).send, k


def test_facts_out_of_order_are_counted_in_their_own_hour() -> None:
    window = RecipientWindow()
    assert window.admit("+1", "eta_changed", 2, at=2 * HOUR).send
    assert window.admit("+1", "eta_changed", 2, at=2 * HOUR - 600).send
    assert window.admit("+1", "eta_changed", 2, at=2 * HOUR - 300).send  # 2h is after it
    assert not window.admit("+1", "eta_changed", 2, at=2 * HOUR - 240).send
