"""The tracker: route events and pings in, progress and ETA events out (through the outbox)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lastmile_common.events.envelope import trace_context
from lastmile_common.events.routes import RouteCancelled, RoutePlanned
from lastmile_common.tracking_links import link_token

from tracking.domain import progress as prog
from tracking.domain.eta import StopEta
from tracking.domain.fixes import Fix, Verdict, in_order, too_old
from tracking.domain.route import RouteState, RouteStatus, replan, route_from_event
from tracking.domain.tokens import token_expiry
from tracking.domain.travel import Travel
from tracking.service_layer import messages
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.effects import (
    Batch,
    Effects,
    emit_completed,
    stream_position,
    stream_stop,
)
from tracking.service_layer.holding import HeldSink, HeldStream
from tracking.service_layer.learning import learn_arrival
from tracking.service_layer.ports import PingSink, Roads, Store, Stream, TokenRow
from tracking.service_layer.state import TrackingState, Vehicle
from tracking.service_layer.telling import etas_due, etas_of_moved, measure_arrival, tell_etas
from tracking.service_layer.watching import watch_vehicle
from tracking.service_layer.writing import forget, write

_STORED = (Verdict.ACCEPTED, Verdict.OUT_OF_ORDER, Verdict.INACCURATE, Verdict.JUMP)


class Tracker:
    """Applies route events, pings and completions to the live state and emits events.

    Each call either writes its effects at once on `conn`, or, given a `Batch`, adds them to it
    (with their undo) for the consumer runner to write once before its transaction commits.
    """

    def __init__(
        self,
        state: TrackingState,
        store: Store,
        sink: PingSink,
        stream: Stream,
        config: TrackerConfig,
        roads: Roads | None = None,
    ) -> None:
        self.state = state
        self.roads = roads
        # Without a map (tests on synthetic coordinates, a region without roads): straight lines.
        self.travel: Travel = roads or config.travel
        self.store = store
        # Held while a consumer batch runs: only a batch that commits lets them out.
        self.sink: PingSink = HeldSink(sink)
        self.stream: Stream = HeldStream(stream)
        self.config = config
        self.verdicts: dict[Verdict, int] = dict.fromkeys(Verdict, 0)
        self._transient: dict[str, tuple[str | None, datetime | None, str | None]] = {}

    async def route_planned(
        self, conn: Any, tenant_id: str, event: RoutePlanned, batch: Batch | None = None
    ) -> None:
        """A new route or a newer version of one; older versions are ignored."""
        old = await self._current(conn, event.route_id, batch)
        if old is not None and (old.version >= event.version or old.tenant_id != tenant_id):
            return
        tokens = {s.order_id: s.token for s in old.stops if s.token} if old else {}
        for stop in event.stops:
            tokens.setdefault(stop.order_id, link_token(self.config.link_secret, stop.order_id))
        route = route_from_event(tenant_id, event, tokens)
        if route.geometry is None and self.roads is not None:
            # A planner without a map sent none: ask the roads once, at the route's start.
            route.geometry = self.roads.geometry(route)
        if old is not None:
            route = replan(old, route)
            if old.status is RouteStatus.CANCELLED:
                route.status = RouteStatus.PLANNED
        self.state.add_route(route)
        effects = Effects(changed={route.route_id: route})
        if route.status is RouteStatus.COMPLETED and any(not s.resolved for s in route.stops):
            # The re-plan crossed the vehicle's return: a finished route is never reopened, so
            # its new stops go back to the planner as unserved.
            emit_completed(self.stream, route, effects)
        expires = token_expiry(route.end_time, self.config.token_ttl_s)
        rows: list[TokenRow] = [
            (s.token, s.order_id, route.route_id, s.stop_id, expires)
            for s in route.stops
            if s.token
        ]
        await self.store.save_tokens(conn, tenant_id, rows)
        vehicle = self.state.vehicle(tenant_id, route.vehicle_id)
        waiting, before = list(vehicle.pending), vehicle.filter.last
        self._replay_pending(vehicle, route, effects)
        if route.status is RouteStatus.STARTED and vehicle.last is not None:
            self.refresh_etas(route, vehicle.last, effects, force=False)

        def undo() -> None:
            # Rolled back: the retry must find the old version and the waiting pings again.
            if old is None:
                self.state.routes.pop(route.route_id, None)
                if route.route_id in vehicle.route_ids:
                    vehicle.route_ids.remove(route.route_id)
            else:
                self.state.routes[route.route_id] = old
            vehicle.pending.extend(waiting)
            vehicle.filter.last = before
            self.undo(effects.in_memory())

        await self._finish(conn, effects, undo, batch)

    async def route_cancelled(
        self, conn: Any, tenant_id: str, event: RouteCancelled, batch: Batch | None = None
    ) -> None:
        """A cancelled route stops being followed (unless a newer version already replaced it)."""
        route = await self._current(conn, event.route_id, batch)
        if route is None or route.tenant_id != tenant_id or route.version > event.version:
            return
        route.status = RouteStatus.CANCELLED
        effects = Effects(changed={route.route_id: route})
        await self._finish(conn, effects, lambda: self.undo(effects), batch)
        self.stream.publish(tenant_id, "route", {"route_id": route.route_id, "status": "cancelled"})

    async def pings(
        self,
        conn: Any,
        tenant_id: str,
        vehicle_id: str,
        fixes: list[Fix],
        received_at: datetime,
        batch: Batch | None = None,
    ) -> None:
        """The hot path: clean, store (buffered), move the vehicle along its route."""
        vehicle = self.state.vehicle(tenant_id, vehicle_id)
        await self._reload_stale(conn, vehicle, batch)
        judge, sink, verdicts = vehicle.filter.judge, self.sink, self.verdicts
        retention = self.config.retention_days
        effects = Effects()
        moved: Fix | None = None
        before = vehicle.filter.last
        # Geofence progress that is never saved on its own (dwell in progress): kept so that
        # a reload after a failed write resumes exactly where the committed pings left it.
        transient = {
            r: _transient(self.state.routes[r]) for r in vehicle.route_ids if r in self.state.routes
        }
        for raw in in_order(fixes) if len(fixes) > 1 else fixes:
            verdict, fix = judge(raw, received_at)
            verdicts[verdict] += 1
            if verdict in _STORED and not too_old(fix, received_at, retention):
                sink.add(tenant_id, vehicle_id, fix, received_at, verdict)
            if verdict is Verdict.ACCEPTED:
                moved = fix
                self._advance(vehicle, fix, effects)
        if moved is not None:
            # Off-route once per call, from the newest fix: not per ping of a burst. ETAs too,
            # or, in a consumer batch, once per vehicle when the batch ends (`batch_etas`).
            route = watch_vehicle(self.state, self.stream, self.config, vehicle, moved, effects)
            if batch is not None:
                batch.moved[(tenant_id, vehicle_id)] = (vehicle, moved, trace_context())
            elif route is not None and etas_due(self.state, self.config, route, moved, effects):
                self.refresh_etas(route, moved, effects, force=False)
            sink.position(tenant_id, vehicle_id, moved)
            stream_position(self.stream, vehicle, moved, self.config.stream_interval_s)

        def undo() -> None:
            # The transaction rolled back: make the retry see these pings afresh.
            vehicle.filter.rewind(before, [f.time for f in fixes] + [received_at])
            self.undo(effects)
            self._transient.update(transient)

        await self._finish(conn, effects, undo, batch)

    async def _finish(
        self, conn: Any, effects: Effects, undo: Callable[[], None], batch: Batch | None
    ) -> None:
        """Write a call's effects now (undoing it if that fails), or leave them to its batch."""
        if batch is not None:
            batch.add(effects, undo)
            return
        if not effects.to_write:
            return
        try:
            await self.write(conn, effects)
        except BaseException:
            undo()
            raise

    def undo(self, effects: Effects) -> None:
        """Forget what a failed write would have recorded; its routes reload on next use."""
        forget(self.state, effects)

    async def _current(self, conn: Any, route_id: str, batch: Batch | None) -> RouteState | None:
        """The route a change builds on: reloaded when stale, from the snapshots if not here."""
        if batch is None:
            self.state.between_batches()  # a call of its own is a transaction of its own
        if route_id in self.state.stale or route_id not in self.state.routes:
            await self.reload_route(conn, route_id)
        return self.state.routes.get(route_id)

    async def _reload_stale(self, conn: Any, vehicle: Vehicle, batch: Batch | None) -> None:
        if batch is None:
            self.state.between_batches()  # a call of its own is a transaction of its own
        for route_id in [r for r in vehicle.route_ids if r in self.state.stale]:
            await self.reload_route(conn, route_id)

    async def reload_route(self, conn: Any, route_id: str) -> None:
        """Replace a route's in-memory state by its last committed one."""
        self.state.stale.discard(route_id)
        old = self.state.routes.get(route_id)
        route = await self.store.load_route(conn, route_id)
        if route is not None:
            kept = self._transient.pop(route_id, None)
            if kept is not None:
                route.candidate_stop, route.inside_since, route.heading_to = kept
            self.state.add_route(route)
        elif old is not None:
            self.state.routes.pop(route_id, None)
            vehicle = self.state.vehicle(old.tenant_id, old.vehicle_id)
            if route_id in vehicle.route_ids:
                vehicle.route_ids.remove(route_id)

    def _advance(self, vehicle: Vehicle, fix: Fix, effects: Effects) -> None:
        early = self.config.progress.early_start_s
        route = self.state.current_route(vehicle, fix.time, early)
        if route is None:
            if not self.state.has_active_route(vehicle) and self.config.pending_max:
                vehicle.pending.append(fix)
                if len(vehicle.pending) > self.config.pending_max:
                    vehicle.pending.popleft()
            return
        happened = prog.apply_fix(route, fix, self.config.progress)
        if happened:
            effects.changed[route.route_id] = route
            self._handle(route, happened, fix, effects)

    def batch_etas(self, batch: Batch) -> None:
        """ETAs of the vehicles that moved in a consumer batch, once each (`etas_of_moved`)."""
        effects = etas_of_moved(self.state, self.sink, self.config, self.travel, batch)
        batch.add(effects, lambda: self.undo(effects))

    def _replay_pending(self, vehicle: Vehicle, route: RouteState, effects: Effects) -> None:
        """Pings that came before their route, oldest first (ETAs once after, from the newest)."""
        waiting = list(vehicle.pending)
        vehicle.pending.clear()
        for fix in waiting:
            self._advance(vehicle, fix, effects)

    def _handle(
        self, route: RouteState, happened: list[prog.Progress], fix: Fix, effects: Effects
    ) -> None:
        tenant = route.tenant_id
        for item in happened:
            if isinstance(item, prog.RouteStarted):
                etas = self.refresh_etas(route, fix, effects, force=True)
                started = messages.route_started(route, item.at, etas)
                effects.emit(started, tenant, route.route_id, subject=route.route_id)
                self.stream.publish(
                    tenant, "route", {"route_id": route.route_id, "status": "started"}
                )
            elif isinstance(item, prog.StopArrived):
                effects.emit(
                    messages.stop_arrived(route, item),
                    tenant,
                    item.stop.order_id,
                    subject=item.stop.order_id,
                )
                measure_arrival(self.state, tenant, item.stop.order_id, item.at, effects)
                learn_arrival(self.state, self.config, route, item.stop.order_id, item.at)
                stream_stop(self.stream, route, item.stop.stop_id, "arrived", item.at)
            elif isinstance(item, prog.StopDeparted):
                stream_stop(self.stream, route, item.stop.stop_id, "departed", item.at)
            elif isinstance(item, prog.RouteCompleted):
                emit_completed(self.stream, route, effects)

    def refresh_etas(
        self, route: RouteState, fix: Fix, effects: Effects, *, force: bool
    ) -> list[StopEta]:
        """Compute ETAs of the route's open stops; publish those that moved enough."""
        return tell_etas(
            self.state, self.sink, self.config, self.travel, route, fix, effects, force=force
        )

    async def write(self, conn: Any, effects: Effects) -> None:
        """Write what calls changed (`writing.write`)."""
        await write(self.store, self.state, conn, effects)


def _transient(route: RouteState) -> tuple[str | None, datetime | None, str | None]:
    return route.candidate_stop, route.inside_since, route.heading_to
