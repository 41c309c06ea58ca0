"""Out for delivery: only for orders the started route carries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lastmile_common.events.deliveries import StartedStop
from notifier.domain.config import Triggers
from notifier.domain.model import OrderView
from notifier.domain.triggers import out_for_delivery

T0 = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


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
