"""What the customer saw of a day: ETA error and window hits per horizon, and the messages the
notifier's own rules would send for the ETAs tracking published."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from lastmile_common.events.deliveries import RouteStarted
from lastmile_common.events.etas import EtaUpdated
from notifier.domain import triggers
from notifier.domain.config import Triggers
from notifier.domain.model import OrderView

from bench.eta.day import TENANT, Truth

HORIZONS_MIN = (60, 30, 10)
NARROW_MIN = 30.0


def _in_force(told: list[EtaUpdated], cutoff: datetime) -> EtaUpdated | None:
    before = [e for e in told if e.computed_at <= cutoff]
    return max(before, key=lambda e: (e.computed_at, e.sequence)) if before else None


Row = tuple[float, float, bool, bool]


def horizon_rows(events: list[Any], truth: Truth) -> dict[int, list[Row]]:
    """Per horizon: (error s, window width min, arrival inside the window, arrival before the
    planned service start) of every stop with an ETA told that long before its arrival (error =
    ETA - arrival: positive when the van came earlier than told)."""
    told: dict[str, list[EtaUpdated]] = {}
    for event in events:
        if isinstance(event, EtaUpdated):
            told.setdefault(event.order_id, []).append(event)
    out: dict[int, list[Row]] = {h: [] for h in HORIZONS_MIN}
    for order_id, arrived in truth.arrivals.items():
        for minutes in HORIZONS_MIN:
            eta = _in_force(told.get(order_id, []), arrived - timedelta(minutes=minutes))
            if eta is None:
                continue
            width = (eta.window_end - eta.window_start).total_seconds() / 60
            inside = eta.window_start <= arrived <= eta.window_end
            ahead = arrived < truth.planned_start[order_id]
            out[minutes].append(((eta.eta - arrived).total_seconds(), width, inside, ahead))
    return out


def eta_changed_counts(events: list[Any], config: Triggers) -> dict[str, int]:
    """The "ETA changed" messages per order, by the notifier's triggers on tracking's events in order
    (each decided at once: the provider's pacing and quiet hours are not modelled)."""
    views: dict[str, OrderView] = {}
    counts: dict[str, int] = {}
    for event in events:
        if isinstance(event, RouteStarted):
            for stop in event.stops:
                views[stop.order_id] = OrderView(TENANT, stop.order_id, notified_eta=stop.eta)
                counts.setdefault(stop.order_id, 0)
        elif isinstance(event, EtaUpdated):
            order = views.get(event.order_id) or OrderView(TENANT, event.order_id)
            counts.setdefault(event.order_id, 0)
            if event.sequence <= order.eta_sequence:
                continue
            intent = triggers.eta_update(event, order, config)
            memory = triggers.remember(event, order, intent, False)
            views[event.order_id] = memory.applied_to(order, event.sequence)
            if intent is not None and intent.kind == "eta_changed":
                counts[event.order_id] += 1
    return counts


def eta_updated_per_order(events: list[Any]) -> float:
    """`eta.updated` events tracking published per order (what the notifier and pages consume)."""
    told = [e.order_id for e in events if isinstance(e, EtaUpdated)]
    return len(told) / len(set(told)) if told else 0.0


def on_time_rate(truth: Truth) -> float:
    """Share of arrivals inside the order's delivery window."""
    hits = [opens <= truth.arrivals[o] <= closes for o, (opens, closes) in truth.windows.items()]
    return sum(hits) / len(hits) if hits else 0.0


def summary(rows: list[Row]) -> dict[str, float | int]:
    """p50/p90 absolute error and bias (minutes), window hit rate and mean width, and the share
    of misses where the van came before the plan's service start (no ETA is told before it)."""
    if not rows:
        return {"stops": 0}
    errors = sorted(abs(r[0]) / 60 for r in rows)
    narrow = [inside and width <= NARROW_MIN for _, width, inside, _ in rows]
    missed = [ahead for _, _, inside, ahead in rows if not inside]
    return {
        "stops": len(rows),
        "p50_min": round(_pct(errors, 0.5), 1),
        "p90_min": round(_pct(errors, 0.9), 1),
        "bias_min": round(statistics.fmean(r[0] for r in rows) / 60, 1),
        "hit_rate": round(sum(r[2] for r in rows) / len(rows), 3),
        "mean_width_min": round(statistics.fmean(r[1] for r in rows), 1),
        "hit_narrow_rate": round(sum(narrow) / len(rows), 3),
        "misses_ahead_of_plan": sum(missed),
        "misses": len(missed),
    }


def _pct(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
