"""Orders in → plan → pings → deliveries → notifications, checked on the events alone."""

from __future__ import annotations

import html
import re
from collections import Counter

import httpx
import pytest

from lastmile.demo.run import DemoRun

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

# An ETA told 30 minutes before the stop is within this of the simulated arrival. The demo's
# drivers carry quirks no ETA can foresee before they happen (a 35-minute late start, 20 minutes
# offline, jams), and about 16-25 arrivals get an ETA 30 minutes ahead, so the p90 is the second
# or third worst of them. An ETA told while a van sits out its late start is off by up to those
# 35 minutes: the p90 bound sits above the largest quirk, not below it. 30 min, below it, was met
# with 11-25 min before; on 2 Dec runs gave 29.1-33.1 min, the code that had passed CI
# (6dcf624) included. ETA accuracy itself is `bench.eta`'s to measure.
ETA_P50_TOLERANCE_MIN = 10.0
ETA_P90_TOLERANCE_MIN = 40.0
ONCE = ("confirmed", "out_for_delivery", "arriving", "delivered", "failed")


async def test_every_order_ends_delivered_failed_or_unassigned_with_reason(
    demo_day: DemoRun,
) -> None:
    state = demo_day.state
    assert state is not None
    assert len(state.orders) == 40
    ends = Counter(order.status for order in state.orders.values())
    stuck = [
        (o.external_id, o.status, o.route_id, o.route_id in state.routes
         and state.routes[o.route_id].completed_at is not None)
        for o in state.orders.values() if o.status not in ("delivered", "failed", "unassigned")
    ]  # fmt: skip
    assert not stuck, f"{ends}; (order, status, route, route closed by tracking): {stuck}"
    assert ends["delivered"] >= 25, ends
    for order in state.orders.values():
        if order.status == "unassigned":
            assert order.reason and order.reason_code, order
    reasons = {o.external_id.split("-")[-1]: o.reason_code for o in state.orders.values()}
    assert reasons["X900"] == "too_heavy"
    assert reasons["X901"] == "skill_missing"
    assert reasons["X902"] == "window_unreachable"


async def test_late_orders_are_replanned_onto_the_road(demo_day: DemoRun) -> None:
    state = demo_day.state
    assert state is not None
    late = [o for o in state.orders.values() if o.external_id.endswith(("-0950", "-0951"))]
    assert len(late) == 2
    assert all(o.status in ("delivered", "failed") for o in late), late
    assert any(route.version > 1 for route in state.routes.values()) or len(state.plans) > 0


async def test_each_customer_gets_exactly_one_message_of_each_kind(demo_day: DemoRun) -> None:
    state = demo_day.state
    assert state is not None
    sent = Counter(
        (m["order_id"], m["kind"], m["channel"]) for m in state.messages if m["state"] == "sent"
    )
    repeated = {key: n for key, n in sent.items() if key[1] in ONCE and n > 1}
    assert not repeated, repeated
    kinds_of: dict[str, set[str]] = {}
    for order_id, kind, _ in sent:
        kinds_of.setdefault(order_id, set()).add(kind)
    for order in state.orders.values():
        kinds = kinds_of.get(order.order_id, set())
        expected = {"confirmed"}
        if order.status in ("delivered", "failed"):
            expected.add(order.status)
        assert expected <= kinds, (order.external_id, order.status, kinds)
        # "Out for delivery" is told from route.started; the notifier drops it unsent when
        # "arriving" is due first (the first stops, at this speed-up), and an order a re-plan
        # moves onto a route already on the road is not in route.started at all.
        if order.order_id in state.started_orders:
            assert kinds & {"out_for_delivery", "arriving"}, (order.external_id, kinds)
        if order.status == "delivered":
            assert "failed" not in kinds


async def test_etas_told_30_minutes_ahead_are_close_to_the_arrival(demo_day: DemoRun) -> None:
    state = demo_day.state
    assert state is not None
    errors = state.eta_errors_s()
    assert len(errors) >= 10, f"only {len(errors)} arrivals had an ETA 30 minutes before"
    figures = state.figures()
    assert figures["eta_error_p50_min"] <= ETA_P50_TOLERANCE_MIN, figures
    assert figures["eta_error_p90_min"] <= ETA_P90_TOLERANCE_MIN, figures


async def test_the_day_in_figures(demo_day: DemoRun) -> None:
    figures = demo_day.figures  # type: ignore[attr-defined]
    print("\nthe demo day in figures:", figures)
    assert figures["routes"] >= 2
    assert figures["km"] > 5
    assert figures["on_time_rate"] is not None and figures["on_time_rate"] >= 0.6
    assert figures["messages"] >= 40 * 2
    assert figures["skipped"] == []


async def test_the_first_message_links_a_tracking_page_that_works(demo_day: DemoRun) -> None:
    services = demo_day.platform.services
    async with httpx.AsyncClient(timeout=10) as client:
        sink = (await client.get(f"{services['notifier']}/sink")).text
        links = sorted(set(re.findall(r"Track it: (http[^\s<]+)", html.unescape(sink))))
        assert links, sink[:2000]
        for link in links[:10]:  # confirmations: sent before any route existed
            assert link.startswith(f"{services['tracking']}/track/"), link
            page = await client.get(link.rstrip("."))
            assert page.status_code == 200, (link, page.text[:300])
