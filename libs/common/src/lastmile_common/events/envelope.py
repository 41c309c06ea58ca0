"""CloudEvents 1.0 in Kafka binary mode: attributes in ce_* headers, JSON data as the value."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import trace
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import ValidationError

from lastmile_common.events.base import EventData
from lastmile_common.events.registry import lookup, type_of

TENANT_ATTR = "tenant"
TRACEPARENT_HEADER = "traceparent"
SOURCE_PREFIX = "/lastmile/"
Headers = list[tuple[str, bytes]]
_W3C = TraceContextTextMapPropagator()
_IDS = RandomIdGenerator()


def service_source(service: str) -> str:
    """The `ce_source` of every event a lastmile service publishes: `/lastmile/<service>`."""
    return f"{SOURCE_PREFIX}{service}"


def trace_context() -> str:
    """The W3C traceparent of the current span, or of a new trace when none is current."""
    context = None
    if not trace.get_current_span().get_span_context().is_valid:
        # Outside any span (a request without tracing, a background loop) the event starts a
        # trace; flagged sampled so that consumers exporting spans record its continuation.
        root = trace.SpanContext(
            _IDS.generate_trace_id(),
            _IDS.generate_span_id(),
            is_remote=False,
            trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
        )
        context = trace.set_span_in_context(trace.NonRecordingSpan(root))
    carrier: dict[str, str] = {}
    _W3C.inject(carrier, context)
    return carrier[TRACEPARENT_HEADER]


@contextmanager
def continuing(traceparent: str | None) -> Iterator[None]:
    """Make a stored trace context current, for work resumed later on behalf of the event that
    caused it (a queued notification sent); without one, leave the current context."""
    if not traceparent:
        yield
        return
    span = trace.get_current_span(_W3C.extract({TRACEPARENT_HEADER: traceparent}))
    with trace.use_span(span):
        yield


def stored_traceparent(headers: list[tuple[str, bytes]]) -> str | None:
    """The traceparent an encoded record carries (the last, as `decode` reads it)."""
    found = [raw for name, raw in headers if name == TRACEPARENT_HEADER and raw is not None]
    return found[-1].decode() if found else None


class UndecodableEvent(ValueError):
    """A Kafka record that is not a valid event of the registry; it goes to the DLT at once."""


@dataclass(frozen=True)
class Envelope:
    """An event with its CloudEvents attributes; `data` is the validated model."""

    type: str
    source: str
    tenant: str
    data: EventData
    subject: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None

    @classmethod
    def wrap(
        cls,
        data: EventData,
        *,
        source: str,
        tenant: str,
        subject: str | None = None,
    ) -> Envelope:
        """Build the envelope of a data model, taking its type from the registry and carrying
        the current trace context."""
        return cls(
            type=type_of(data).type,
            source=source,
            tenant=tenant,
            data=data,
            subject=subject,
            traceparent=trace_context(),
        )

    @property
    def topic(self) -> str:
        """The topic this event type travels on."""
        return lookup(self.type).topic


@dataclass(frozen=True)
class KafkaRecord:
    """What goes on the wire: key, value and headers."""

    key: bytes | None
    value: bytes
    headers: Headers


def encode(envelope: Envelope, key: str) -> KafkaRecord:
    """Encode an envelope in binary mode, with `ce_tenant` and W3C `traceparent` headers."""
    attributes: dict[str, Any] = {
        "id": envelope.id,
        "source": envelope.source,
        "type": envelope.type,
        "specversion": "1.0",
        "time": envelope.time,
        "datacontenttype": "application/json",
        TENANT_ATTR: envelope.tenant,
    }
    if envelope.subject:
        attributes["subject"] = envelope.subject
    event = CloudEvent(attributes=attributes, data=envelope.data.model_dump_json().encode())
    message = ce_kafka.to_binary_event(event)
    headers = list(message.headers.items())
    if envelope.traceparent:
        headers.append((TRACEPARENT_HEADER, envelope.traceparent.encode()))
    return KafkaRecord(key=key.encode(), value=message.value, headers=headers)


def decode(
    headers: Headers | tuple[tuple[str, bytes], ...], value: bytes | None, key: bytes | None = None
) -> Envelope:
    """Decode and validate a binary-mode record; raise UndecodableEvent with the reason."""
    header_map = {name: raw for name, raw in headers if raw is not None}
    if value is None:
        raise UndecodableEvent("empty value")
    try:
        event = ce_kafka.from_binary(
            ce_kafka.KafkaMessage(headers=header_map, key=None, value=b"{}"), _RAW_FORMAT
        )
    except Exception as exc:  # the SDK raises several types for bad attributes
        raise UndecodableEvent(f"invalid CloudEvents headers: {exc}") from exc
    attributes = event.get_attributes()
    event_type = str(attributes.get("type", ""))
    try:
        model = lookup(event_type).model
    except KeyError:
        raise UndecodableEvent(f"unknown event type {event_type!r}") from None
    tenant = attributes.get(TENANT_ATTR)
    if not tenant:
        raise UndecodableEvent("missing ce_tenant header")
    try:
        data = model.model_validate_json(value)
    except ValidationError as exc:
        raise UndecodableEvent(f"invalid {event_type} data: {_summarise(exc)}") from exc
    traceparent = header_map.get(TRACEPARENT_HEADER)
    time = attributes.get("time")
    return Envelope(
        type=event_type,
        source=str(attributes["source"]),
        tenant=str(tenant),
        data=data,
        subject=attributes.get("subject"),
        id=str(attributes["id"]),
        time=time if isinstance(time, datetime) else datetime.now(UTC),
        traceparent=traceparent.decode() if traceparent else None,
    )


def _summarise(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"]) or "(body)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


class _RawFormat(JSONFormat):
    """Leaves the data undecoded: the registry's model parses it."""

    def read_data(self, body: bytes, content_type: str | None) -> Any:
        return body


_RAW_FORMAT = _RawFormat()
