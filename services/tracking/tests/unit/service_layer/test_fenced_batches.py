"""A fenced replica's batches leave nothing behind: no ping rows, positions or stream messages
from the batch that found the fence, no handler run at all after it, nothing flushed at revoke."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lastmile_common.events.topics import GPS_PINGS
from lastmile_common.kafka.partitioning import partition_for
from lastmile_common.kafka.subscription import Assignment, Fenced
from tracking.adapters import ownership as ownership_module
from tracking.adapters.ownership import Ownership
from tracking.entrypoints.consumers import BatchWriter
from tracking.service_layer.config import TrackerConfig
from tracking.service_layer.state import TrackingState
from tracking.service_layer.tracker import Tracker
from tracking.simulation import planned_route, route_trace

from ...fakes import FakeSink, FakeStore, FakeStream

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
COUNT = 4
PARTITION = partition_for("v1", COUNT)


class _Epochs:
    """The connection of a batch's transaction: the current epoch of each partition."""

    def __init__(self, epochs: dict[int, int]) -> None:
        self.epochs = epochs

    async def fetch(self, query: str, *args: Any) -> list[dict[str, int]]:
        return [{"partition": p, "epoch": e} for p, e in self.epochs.items()]


class _Writer:
    """The ping buffer's flush: takes what the sink was given."""

    def __init__(self, sink: FakeSink) -> None:
        self.sink, self.flushed = sink, list[Any]()

    async def flush(self) -> int:
        rows, self.sink.rows = self.sink.rows, []
        self.flushed += rows
        return len(rows)


async def _batch(writer: BatchWriter, tracker: Tracker, fixes: list[Any]) -> None:
    writer.begin()
    for fix in fixes:
        await tracker.pings(None, "t1", "v1", [fix], fix.time + timedelta(seconds=1), writer.batch)


async def test_a_fenced_replica_adds_no_rows_positions_or_alerts_and_flushes_none() -> None:
    sink, stream = FakeSink(), FakeStream()
    tracker = Tracker(TrackingState(), FakeStore(), sink, stream, TrackerConfig())
    flusher = _Writer(sink)
    ownership = Ownership(tracker.state, None, flusher, keep_s=3600)  # type: ignore[arg-type]
    await ownership.assigned(Assignment(frozenset(), {GPS_PINGS: COUNT}))
    ownership.partitions, ownership.epochs = {PARTITION}, {PARTITION: 1}
    event = planned_route("r1", "v1", T0, stops=3)
    await tracker.route_planned(None, "t1", event)
    fixes = route_trace(event, T0)
    half = len(fixes) // 2
    writer = BatchWriter(tracker, ownership)

    await _batch(writer, tracker, fixes[:half])
    await writer.before_commit(_Epochs({PARTITION: 1}))  # type: ignore[arg-type]
    committed, told = len(sink.rows), len(stream.messages)
    assert committed == half and told  # a batch that holds its partitions lets its effects out

    await _batch(writer, tracker, fixes[half:])
    with pytest.raises(Fenced):
        await writer.before_commit(_Epochs({PARTITION: 2}))  # type: ignore[arg-type]
    writer.rolled_back()
    assert (len(sink.rows), len(stream.messages)) == (committed, told)

    with pytest.raises(Fenced):
        writer.begin()  # refused before any handler runs

    await ownership.revoked(Assignment(frozenset({(GPS_PINGS, PARTITION)}), {GPS_PINGS: COUNT}))
    assert len(flusher.flushed) == committed  # the committed batch's rows only


class _DownPool:
    """A database that cannot be reached."""

    def acquire(self) -> Any:
        raise ConnectionRefusedError("database down")


async def test_partitions_whose_load_gave_up_are_refused_until_revoked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ownership_module, "LOAD_ATTEMPTS", 1)
    ownership = Ownership(TrackingState(), _DownPool(), _Writer(FakeSink()), keep_s=3600)  # type: ignore[arg-type]
    given = Assignment(frozenset({(GPS_PINGS, PARTITION)}), {GPS_PINGS: COUNT})
    with pytest.raises(ConnectionRefusedError):
        await ownership.assigned(given)
    with pytest.raises(Fenced):
        ownership.refuse()  # no epoch, no state: the batches would follow its vehicles blind
    await ownership.revoked(given)
    ownership.refuse()  # the partition went elsewhere, and with it the refusal and the retry
