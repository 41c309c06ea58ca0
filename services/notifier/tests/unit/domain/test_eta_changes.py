"""When an "ETA changed" message goes out: against the ETA last told, rarely, never too late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lastmile_common.events.etas import EtaUpdated
from notifier.domain.config import Triggers
from notifier.domain.model import Intent, OrderView
from notifier.domain.triggers import eta_update, remember

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TOLD = T0 + timedelta(minutes=60)  # the ETA the out-for-delivery message told
RULES = Triggers(eta_change_threshold_min=15, eta_change_interval_min=10, arriving_stops=1)


def _event(
    sequence: int, eta_min: int, at_min: int = 0, *, stops: int = 8, route: str = "r1"
) -> EtaUpdated:
    computed = T0 + timedelta(minutes=at_min)
    eta = T0 + timedelta(minutes=eta_min)
    return EtaUpdated(
        order_id="o1",
        route_id=route,
        stop_id="s1",
        vehicle_id="v1",
        eta=eta,
        window_start=eta - timedelta(minutes=15),
        window_end=eta + timedelta(minutes=15),
        stops_away=stops,
        computed_at=computed,
        sequence=sequence,
    )


def _step(
    order: OrderView, event: EtaUpdated, *, pending_dropped: bool = False
) -> tuple[OrderView, Intent | None]:
    """What the handler does: decide, then remember (the row's new state)."""
    intent = eta_update(event, order, RULES, superseded=pending_dropped)
    if event.sequence <= order.eta_sequence:
        assert intent is None
        return order, None  # the handler only keeps the token of a late estimate
    memory = remember(event, order, intent, pending_dropped)
    return memory.applied_to(order, event.sequence), intent


def _kinds(order: OrderView, events: list[EtaUpdated]) -> list[str | None]:
    out = []
    for event in events:
        order, intent = _step(order, event)
        out.append(intent.kind if intent else None)
    return out


def test_drift_is_measured_from_the_eta_last_told_not_the_last_event() -> None:
    order = OrderView("t", "o1", notified_eta=TOLD)
    # Each step moves 10 minutes (below the threshold) but the third is 30 from what was told.
    kinds = _kinds(order, [_event(2, 70, 0), _event(3, 80, 11), _event(4, 90, 22)])
    assert kinds == [None, "eta_changed", None]


def test_nothing_told_yet_means_no_change_to_tell() -> None:
    assert _kinds(OrderView("t", "o1"), [_event(2, 200, 0)]) == [None]


def test_at_most_one_change_per_interval_and_the_next_compares_with_the_last_told() -> None:
    order = OrderView("t", "o1", notified_eta=TOLD)
    order, first = _step(order, _event(2, 90, 0))
    assert first is not None
    assert (first.kind, first.version, first.facts["eta"]) == (
        "eta_changed",
        2,
        T0 + timedelta(minutes=90),
    )
    # 5 minutes later it moved a lot again: too soon.
    order, soon = _step(order, _event(3, 130, 5))
    assert soon is None
    assert order.notified_eta == T0 + timedelta(minutes=90)
    # After the interval: back near the told 90 -> nothing; far from it -> told.
    order, near = _step(order, _event(4, 100, 11))
    assert near is None
    order, later = _step(order, _event(5, 120, 12))
    assert later is not None
    assert later.version == 5


def test_no_eta_message_after_arriving_or_delivery() -> None:
    order = OrderView("t", "o1", notified_eta=TOLD)
    order, arriving = _step(order, _event(2, 62, 0, stops=1))
    assert arriving is not None
    assert arriving.kind == "arriving"
    assert order.eta_closed == "r1"
    # The stop was re-sequenced: far away again and much later, but arriving was told.
    assert _kinds(order, [_event(3, 150, 20, stops=6)]) == [None]
    delivered = OrderView("t", "o1", notified_eta=TOLD, eta_closed="*")
    assert _kinds(delivered, [_event(2, 150, 20), _event(3, 61, 21, stops=0)]) == [None, None]
    # A failed visit closes only its route: the next attempt on another route tells again.
    failed = OrderView("t", "o1", notified_eta=TOLD, eta_closed="r1")
    assert _kinds(failed, [_event(2, 150, 20, route="r2")]) == ["eta_changed"]


def test_a_pending_change_dropped_by_a_newer_estimate_is_not_the_baseline() -> None:
    order = OrderView("t", "o1", notified_eta=TOLD)
    order, first = _step(order, _event(2, 90, 0))
    assert first is not None
    # Still pending (quiet hours, provider retry) when the ETA comes back near what was told:
    # the handler drops the pending 90; the customer keeps 60 and gets nothing.
    order, back = _step(order, _event(3, 65, 1), pending_dropped=True)
    assert back is None
    assert (order.notified_eta, order.eta_changed_at) == (TOLD, None)
    # And the interval counts from what was really told, so a real move goes out at once.
    order, moved = _step(order, _event(4, 95, 2), pending_dropped=False)
    assert moved is not None
    assert moved.version == 4


def test_older_estimates_arriving_late_are_ignored() -> None:
    order = OrderView("t", "o1", notified_eta=TOLD, eta_sequence=5)
    assert _kinds(order, [_event(4, 150, 30), _event(5, 150, 30)]) == [None, None]


def test_threshold_arriving_and_switches() -> None:
    order = OrderView("t", "o1", notified_eta=TOLD, eta_sequence=1)
    rules = Triggers(eta_change_threshold_min=15, arriving_stops=2, arriving_minutes=10)
    assert eta_update(_event(2, 70), order, rules) is None
    changed = eta_update(_event(2, 80), order, rules)
    assert changed is not None
    assert (changed.kind, changed.version, changed.scope) == ("eta_changed", 2, "r1")
    arriving = eta_update(_event(2, 30, stops=2), order, rules)
    assert arriving is not None
    assert (arriving.kind, arriving.facts["stops_away"]) == ("arriving", 2)
    soon = eta_update(_event(2, 8, stops=5), order, rules)
    assert soon is not None
    assert soon.kind == "arriving"
    assert eta_update(_event(2, 80), order, Triggers(eta_changed=False, arriving=False)) is None
