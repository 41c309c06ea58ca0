"""Every registered event round-trips through Kafka encoding; generated contracts match the code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lastmile_common.events import export
from lastmile_common.events.envelope import Envelope, decode, encode
from lastmile_common.events.registry import REGISTRY
from lastmile_common.events.topics import TOPICS
from opentelemetry import trace
from opentelemetry.propagate import extract
from pydantic import BaseModel

EXAMPLES_DIR = Path(__file__).parent / "examples"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def _example(event_type: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / f"{event_type}.json").read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_every_event_type_round_trips(event_type: str) -> None:
    entry = REGISTRY[event_type]
    data = entry.model.model_validate(_example(event_type))
    # Wrapped inside a span: the envelope carries that span's trace context.
    with trace.use_span(trace.get_current_span(extract({"traceparent": TRACEPARENT}))):
        envelope = Envelope.wrap(data, source="/tests", tenant="t-1", subject="s-1")
    record = encode(envelope, key="k")
    headers = dict(record.headers)
    assert headers["ce_type"] == event_type.encode()
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_tenant"] == b"t-1"
    assert headers["content-type"] == b"application/json"
    assert headers["traceparent"] == TRACEPARENT.encode()
    decoded = decode(record.headers, record.value, record.key)
    assert decoded.data == data
    assert decoded.id == envelope.id and decoded.type == event_type and decoded.tenant == "t-1"
    assert decoded.traceparent == TRACEPARENT


def test_every_event_type_has_an_example() -> None:
    missing = [t for t in REGISTRY if not (EXAMPLES_DIR / f"{t}.json").exists()]
    assert not missing


def test_every_topic_carries_registered_events() -> None:
    topics = {spec.name for spec in TOPICS}
    assert {entry.topic for entry in REGISTRY.values()} == topics


def test_models_are_frozen() -> None:
    for entry in REGISTRY.values():
        assert issubclass(entry.model, BaseModel)
        assert entry.model.model_config.get("frozen") is True, entry.type


def test_generated_schemas_and_asyncapi_are_current() -> None:
    stale = export.stale_files()
    assert not stale, "run `make contracts` and commit: " + ", ".join(p.name for p in stale)


def test_asyncapi_names_every_topic_and_dlt() -> None:
    document = export.asyncapi_document()
    addresses = {channel["address"] for channel in document["channels"].values()}
    for spec in TOPICS:
        assert spec.name in addresses and f"{spec.name}.dlt" in addresses
    assert document["asyncapi"].startswith("3.")
