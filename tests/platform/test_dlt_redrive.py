"""`lastmile dlt list | show | replay` on the real broker: same event id back on the source topic,
only what was selected, and never twice unless asked."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from lastmile_common.events.envelope import Envelope, encode
from lastmile_common.events.topics import ORDERS, VEHICLE_ROUTES
from lastmile_common.kafka.admin import ensure_topics
from lastmile_common.kafka.dead_letter import send_to_dlt
from notifier.testing import events as ev

from lastmile.cli import main
from lastmile.dlt.letters import REPLAYED_FROM_HEADER
from lastmile.infra.platform import Infrastructure
from lastmile.testing.fixtures import TopicReader

pytestmark = [pytest.mark.integration]

KEY = "depot-1"  # the dead letters' key: replayed, they go back to its partition


async def _dead_letter(
    bootstrap: str, consumer: str, tenant: str, n: int, topic: str = ORDERS
) -> Envelope:
    """An order.created that `consumer` gave up on, as the consumer runner dead-letters it."""
    envelope = Envelope.wrap(ev.order_created(f"o-{tenant}-{n}"), source="tests", tenant=tenant)
    record = encode(envelope, KEY)
    original = ConsumerRecord(
        topic, 0, 1000 + n, 0, 0, record.key, record.value, None, 0, 0, tuple(record.headers)
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await send_to_dlt(producer, consumer, original, "database unavailable", attempts=5)
    finally:
        await producer.stop()
    return envelope


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    assert main(["dlt", *args]) == 0
    return capsys.readouterr().out.splitlines()


async def _on_source(bootstrap: str, ids: set[str]) -> list[Any]:
    """What is back on the source topic of `ids`: read through a marker on the dead letters'
    key, so a copy replayed twice would be read too."""
    async with TopicReader(bootstrap, ORDERS) as reader:
        await reader.read_through(ev.order_created("o-marker"), key=KEY)
        return [(e, r) for e, r in reader.records if e is not None and e.id in ids]


# size: list, show and replay told in the order an operator runs them
def test_list_show_and_replay_only_what_was_selected(
    infra: Infrastructure, capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap = infra.kafka_bootstrap
    asyncio.run(ensure_topics(bootstrap))
    tenant = uuid.uuid4().hex[:8]
    planner, notifier = f"planner-orders-{tenant}", f"notifier-{tenant}"
    sent = [
        asyncio.run(_dead_letter(bootstrap, group, tenant, n))
        for n, group in enumerate((planner, planner, notifier))
    ]

    listed = [
        json.loads(line)
        for line in _cli(capsys, "--bootstrap", bootstrap, "list", ORDERS, "--json")
    ]
    mine = [row for row in listed if row["consumer"] in (planner, notifier)]
    assert [row["event_id"] for row in mine] == [e.id for e in sent]
    assert all(row["replayed"] is None and row["attempts"] == "5" for row in mine)
    assert mine[0]["error"] == "database unavailable"
    assert mine[0]["source"] == f"{ORDERS}/0/1000"
    text = "\n".join(_cli(capsys, "--bootstrap", bootstrap, "list", ORDERS, "--consumer", planner))
    assert f"{planner} 2" in text and sent[2].id not in text
    shown = json.loads(
        "\n".join(_cli(capsys, "--bootstrap", bootstrap, "show", f"{ORDERS}.dlt", sent[0].id))
    )
    assert shown["value"]["order_id"] == f"o-{tenant}-0"
    assert shown["headers"]["dlt.consumer"] == planner

    # Nothing selected, nothing replayed.
    assert main(["dlt", "--bootstrap", bootstrap, "replay", ORDERS]) == 2
    capsys.readouterr()
    out = _cli(capsys, "--bootstrap", bootstrap, "replay", ORDERS, "--consumer", planner)
    assert out[-1] == "2 replayed, 0 replayed before and skipped"
    back = asyncio.run(_on_source(bootstrap, {e.id for e in sent}))
    assert sorted(e.id for e, _ in back) == sorted(e.id for e in sent[:2])
    for envelope, record in back:
        assert envelope.tenant == tenant
        assert dict(record.headers)[REPLAYED_FROM_HEADER].startswith(b"orders.v1.dlt/")
        assert not any(name.startswith("dlt.") for name, _ in record.headers)

    # The ledger remembers: the same selection again replays nothing.
    out = _cli(capsys, "--bootstrap", bootstrap, "replay", ORDERS, "--consumer", planner)
    assert out[-1] == "0 replayed, 2 replayed before and skipped"
    listed = [
        json.loads(line)
        for line in _cli(capsys, "--bootstrap", bootstrap, "list", ORDERS, "--json")
    ]
    state = {row["event_id"]: row["replayed"] for row in listed}
    assert state[sent[0].id] is not None and state[sent[2].id] is None
    assert state[sent[0].id]["target"].startswith(f"{ORDERS}/")

    # By offset range: the notifier's dead letter alone, found by its .dlt position.
    position = next(row for row in listed if row["event_id"] == sent[2].id)
    span = f"{position['offset']}-{position['offset']}"
    args = ["replay", ORDERS, "--partition", str(position["partition"]), "--offsets", span]
    out = _cli(capsys, "--bootstrap", bootstrap, *args, "--dry-run")
    assert out[-1].startswith("1 to replay")
    out = _cli(capsys, "--bootstrap", bootstrap, *args)
    assert out[-1] == "1 replayed, 0 replayed before and skipped"
    # By event id, asked again on purpose.
    out = _cli(
        capsys, "--bootstrap", bootstrap, "replay", ORDERS, "--event-id", sent[1].id, "--again"
    )
    assert out[-1] == "1 replayed, 0 replayed before and skipped"
    back = asyncio.run(_on_source(bootstrap, {e.id for e in sent}))
    assert sorted(e.id for e, _ in back) == sorted([sent[0].id, sent[1].id, sent[1].id, sent[2].id])


def test_the_list_of_every_topic_has_the_internal_topics_dead_letters(
    infra: Infrastructure, capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap = infra.kafka_bootstrap
    asyncio.run(ensure_topics(bootstrap))
    tenant = uuid.uuid4().hex[:8]
    group = f"tracking-pings-{tenant}"
    sent = asyncio.run(_dead_letter(bootstrap, group, tenant, 0, topic=VEHICLE_ROUTES))
    listed = [json.loads(line) for line in _cli(capsys, "--bootstrap", bootstrap, "list", "--json")]
    (mine,) = [row for row in listed if row["consumer"] == group]
    assert mine["event_id"] == sent.id
    assert mine["dlt"] == f"{VEHICLE_ROUTES}.dlt"
