"""Each of confirmed, out for delivery, arriving, delivered and failed reaches a customer at most
once per order, also when a re-plan moves the order onto another route mid-visit."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from notifier.service_layer import handlers
from notifier.service_layer.deps import Deps
from notifier.testing import events as ev

from ...fakes import FakeStore

ONCE = ("confirmed", "out_for_delivery", "arriving", "delivered", "failed")
T = "tenant-1"


def _told(store: FakeStore) -> Counter[tuple[str, str]]:
    """(kind, channel) of every notification row taken, whatever its state."""
    return Counter((r["kind"], r["channel"]) for r in store.notifications.rows.values())


async def _visit(store: FakeStore, deps: Deps, route: str, first_sequence: int) -> None:
    """The order planned on `route`, the route started, then two estimates: far, then near."""
    soon = ev.now() + timedelta(minutes=40)
    await handlers.route_planned(store, deps, T, ev.route_planned(route, ["o1"]))
    await handlers.route_started(store, deps, T, ev.route_started(route, [("o1", soon, "tk")]))
    far = ev.eta_updated("o1", route, soon, stops_away=6, sequence=first_sequence)
    near = ev.eta_updated("o1", route, soon, stops_away=1, sequence=first_sequence + 1)
    await handlers.eta_updated(store, deps, T, far)
    await handlers.eta_updated(store, deps, T, near)


async def test_a_re_plan_onto_another_route_does_not_tell_a_customer_twice() -> None:
    store, deps = FakeStore(), Deps("http://track.test/", "http://notifier.test", "secret")
    await handlers.order_created(store, deps, T, ev.order_created("o1"))
    await _visit(store, deps, "r1", 1)
    # Arriving told on r1; the van breaks down, a re-plan moves the order onto r2, which starts.
    await _visit(store, deps, "r2", 3)
    await handlers.order_delivery_failed(store, deps, T, ev.delivery_failed("o1", "r2"))
    # A second attempt on a third route fails again; a fourth delivers it.
    await _visit(store, deps, "r3", 5)
    await handlers.order_delivery_failed(store, deps, T, ev.delivery_failed("o1", "r3"))
    await _visit(store, deps, "r4", 7)
    await handlers.order_delivered(store, deps, T, ev.delivered("o1", "r4"))
    told = _told(store)
    assert {kind for kind, _ in told} >= {"confirmed", "arriving", "failed", "delivered"}
    repeated = {key: n for key, n in told.items() if key[0] in ONCE and n > 1}
    assert not repeated, repeated
