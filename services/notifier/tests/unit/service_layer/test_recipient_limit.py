"""The per-recipient hour: outcome messages never wait behind ETA updates; one clock for both."""

from __future__ import annotations

import pytest
from notifier.service_layer.limits import RecipientWindow

HOUR = 3600.0


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
