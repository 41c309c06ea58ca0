"""Builders of the events the notifier consumes, with sensible sample values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from lastmile_common.events.base import GeoPoint, TimeWindow
from lastmile_common.events.deliveries import (
    OrderDelivered,
    OrderDeliveryFailed,
    Proof,
    RouteStarted,
    StartedStop,
)
from lastmile_common.events.etas import EtaUpdated
from lastmile_common.events.orders import Address, Item, OrderCreated, Recipient
from lastmile_common.events.routes import Load, PlannedStop, RoutePlanned

BERLIN = GeoPoint(lat=52.52, lon=13.405)


def now() -> datetime:
    """The current UTC time."""
    return datetime.now(UTC)


def order_created(
    order_id: str,
    *,
    phone: str | None = "+4915112345656",
    email: str | None = "jane@example.com",
    channels: Sequence[str] = ("sms", "email"),
    locale: str = "en",
    depot_id: str = "depot-1",
) -> OrderCreated:
    """An accepted order with a recipient reachable by SMS and e-mail."""
    start = now() + timedelta(hours=2)
    return OrderCreated(
        order_id=order_id,
        external_id=f"EXT-{order_id[-6:]}",
        depot_id=depot_id,
        recipient=Recipient(
            name="Jane",
            phone=phone,
            email=email,
            channels=tuple(channels),
            locale=locale,
        ),
        address=Address(line1="Unter den Linden 1", city="Berlin", country="DE", location=BERLIN),
        windows=(TimeWindow(start=start, end=start + timedelta(hours=2)),),
        items=(Item(sku="sku-1", quantity=1, weight_kg=1.0),),
        status="pending",
        version=1,
        created_at=now(),
        total_weight_kg=1.0,
        total_volume_m3=0.0,
        total_parcels=1,
    )


def route_planned(
    route_id: str,
    order_ids: Sequence[str],
    *,
    time_zone: str = "Europe/Berlin",
    depot_id: str = "depot-1",
    first_arrival: datetime | None = None,
) -> RoutePlanned:
    """A route visiting the orders ten minutes apart."""
    first = first_arrival or now() + timedelta(hours=1)
    stops = tuple(
        PlannedStop(
            stop_id=f"{route_id}-s{i}",
            sequence=i + 1,
            order_id=oid,
            location=BERLIN,
            planned_arrival=first + timedelta(minutes=10 * i),
            planned_departure=first + timedelta(minutes=10 * i + 3),
            service_time_s=180,
        )
        for i, oid in enumerate(order_ids)
    )
    return RoutePlanned(
        plan_id=f"plan-{route_id}",
        route_id=route_id,
        depot_id=depot_id,
        vehicle_id="van-1",
        vehicle_kind="van",
        service_date=first.date().isoformat(),
        time_zone=time_zone,
        depot_location=BERLIN,
        start_time=first - timedelta(minutes=30),
        end_time=first + timedelta(hours=3),
        distance_m=1000.0,
        duration_s=3600.0,
        load=Load(),
        stops=stops,
    )


def route_started(
    route_id: str, stops: Sequence[tuple[str, datetime, str]], *, depot_id: str = "depot-1"
) -> RouteStarted:
    """A started route; each stop is (order id, ETA, tracking token), window ETA ± 30 min."""
    return RouteStarted(
        route_id=route_id,
        depot_id=depot_id,
        vehicle_id="van-1",
        started_at=now(),
        stops=tuple(
            StartedStop(
                order_id=oid,
                stop_id=f"{route_id}-{oid}",
                eta=eta,
                eta_window_start=eta - timedelta(minutes=30),
                eta_window_end=eta + timedelta(minutes=30),
                tracking_token=token,
            )
            for oid, eta, token in stops
        ),
    )


def eta_updated(
    order_id: str,
    route_id: str,
    eta: datetime,
    *,
    stops_away: int,
    sequence: int,
    token: str | None = None,
) -> EtaUpdated:
    """A new ETA with a ±15 minute window."""
    return EtaUpdated(
        order_id=order_id,
        route_id=route_id,
        stop_id=f"{route_id}-{order_id}",
        vehicle_id="van-1",
        eta=eta,
        window_start=eta - timedelta(minutes=15),
        window_end=eta + timedelta(minutes=15),
        stops_away=stops_away,
        computed_at=now(),
        tracking_token=token,
        sequence=sequence,
    )


def delivered(order_id: str, route_id: str, *, token: str | None = None) -> OrderDelivered:
    """Handed over to the recipient, with a photo."""
    return OrderDelivered(
        order_id=order_id,
        route_id=route_id,
        stop_id=f"{route_id}-{order_id}",
        delivered_at=now(),
        proof=Proof(photo_ref="photo-1", recipient_name="Jane"),
        tracking_token=token,
    )


def delivery_failed(
    order_id: str, route_id: str, *, token: str | None = None
) -> OrderDeliveryFailed:
    """Nobody was home."""
    return OrderDeliveryFailed(
        order_id=order_id,
        route_id=route_id,
        stop_id=f"{route_id}-{order_id}",
        failed_at=now(),
        reason_code="nobody_home",
        next_step="We will try again tomorrow.",
        tracking_token=token,
    )
