"""One contract for the tracking Store port, run against the in-memory fake (unit) and the
PostgreSQL store (integration): a route saved with its events reads back as it was saved."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from lastmile_common.events.envelope import Envelope
from tracking.domain.route import RouteState, RouteStatus, route_from_event
from tracking.service_layer.ports import RouteChanged, Store
from tracking.simulation import planned_route

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def route(version: int = 1, route_id: str | None = None) -> RouteState:
    """A three-stop route of a fresh id (or the given one)."""
    event = planned_route(route_id or f"r-{uuid.uuid4().hex[:8]}", "v1", T0, version=version)
    return route_from_event("t1", event, {})


def routed(state: RouteState) -> tuple[Envelope, str]:
    """The route's planned event as an outbox entry."""
    data = planned_route(state.route_id, "v1", T0, version=state.version)
    return Envelope.wrap(data, source="/lastmile/tracking", tenant="t1"), state.route_id


class StoreContract:
    """The tests; a subclass provides `store` and `conn` (what the port's calls are given)."""

    async def test_a_saved_route_reads_back_as_saved(self, store: Store, conn: Any) -> None:
        state = route()
        await store.save_routes_and_events(conn, [state], [routed(state)])
        loaded = await store.load_route(conn, state.route_id)
        assert loaded is not None and loaded.to_json() == state.to_json()

    async def test_an_unknown_route_is_none(self, store: Store, conn: Any) -> None:
        assert await store.load_route(conn, f"r-{uuid.uuid4().hex}") is None

    async def test_a_newer_version_replaces_the_saved_route(self, store: Store, conn: Any) -> None:
        first = route()
        await store.save_routes_and_events(conn, [first], [])
        newer = route(version=2, route_id=first.route_id)
        newer.revision = first.revision  # built on the stored route, as `replan` does
        await store.save_routes_and_events(conn, [newer], [routed(newer)])
        loaded = await store.load_route(conn, first.route_id)
        assert loaded is not None and loaded.version == 2
        assert loaded.to_json() == newer.to_json()

    async def test_several_routes_in_one_write(self, store: Store, conn: Any) -> None:
        states = [route(), route()]
        await store.save_routes_and_events(conn, states, [routed(s) for s in states])
        for state in states:
            loaded = await store.load_route(conn, state.route_id)
            assert loaded is not None and loaded.to_json() == state.to_json()

    async def test_each_write_raises_the_revision(self, store: Store, conn: Any) -> None:
        state = route()
        await store.save_routes_and_events(conn, [state], [])
        await store.save_routes_and_events(conn, [state], [])
        loaded = await store.load_route(conn, state.route_id, lock=True)
        assert state.revision == 2 and loaded is not None and loaded.revision == 2
        # Beside the snapshot, never in it: a release before the revision reads snapshots too.
        assert "revision" not in loaded.to_json()

    async def test_a_write_from_an_older_copy_is_refused(self, store: Store, conn: Any) -> None:
        """Two writers read revision 1; the second to write would undo the first's change."""
        state = route()
        await store.save_routes_and_events(conn, [state], [])
        mine = await store.load_route(conn, state.route_id)
        theirs = await store.load_route(conn, state.route_id)
        assert mine is not None and theirs is not None
        await store.save_routes_and_events(conn, [theirs], [])
        mine.status = RouteStatus.CANCELLED
        other = route()
        with pytest.raises(RouteChanged) as refused:
            await store.save_routes_and_events(conn, [other, mine], [])
        assert refused.value.route_ids == [mine.route_id]
        loaded = await store.load_route(conn, state.route_id)
        assert loaded is not None and loaded.status is not RouteStatus.CANCELLED
