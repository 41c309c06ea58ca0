"""Which errors are a dependency outage (waited out, 503) and which are the caller's own."""

from __future__ import annotations

from typing import cast

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, UnknownError
from aiokafka.structs import ConsumerRecord
from lastmile_common.kafka.processing import DependencyUnavailable, EventProcessor, unavailable
from lastmile_common.kafka.subscription import PermanentError, Subscription
from lastmile_common.outage import unavailable_dependency
from lastmile_common.settings import ServiceSettings


def _wrapped(cause: BaseException) -> Exception:
    try:
        raise cause
    except BaseException as exc:
        try:
            raise ValueError("handler failed") from exc
        except ValueError as outer:
            return outer


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (ConnectionRefusedError(111, "refused"), "database"),
        (TimeoutError(), "database"),  # a pool acquire that timed out
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed mid-operation"), "database"),
        (asyncpg.exceptions.CannotConnectNowError("starting up"), "database"),
        (asyncpg.exceptions.AdminShutdownError("terminating"), "database"),
        (asyncpg.exceptions.TooManyConnectionsError("too many"), "database"),
        (asyncpg.exceptions.InterfaceError("connection is closed"), "database"),
        (
            asyncpg.exceptions.InterfaceError(
                "cannot call Connection.fetch(): connection has been released back to the pool"
            ),
            "database",
        ),
        (KafkaConnectionError("no broker"), "broker"),
        (KafkaTimeoutError(), "broker"),
        (_wrapped(ConnectionResetError()), "database"),
        (ExceptionGroup("many", [ValueError(), KafkaConnectionError()]), "broker"),
        (asyncpg.exceptions.UniqueViolationError("duplicate"), None),
        (asyncpg.exceptions.QueryCanceledError("statement timeout"), None),
        (asyncpg.exceptions.InterfaceError("another operation is in progress"), None),
        (asyncpg.exceptions.CharacterNotInRepertoireError("NUL"), None),
        (UnknownError(), None),
        (ValueError("bad event"), None),
        (_wrapped(KeyError("x")), None),
    ],
)
def test_outages_are_told_from_the_callers_own_errors(
    error: BaseException, dependency: str | None
) -> None:
    assert unavailable_dependency(error) == dependency


def test_a_permanent_error_is_never_an_outage() -> None:
    error = PermanentError("cannot be handled")
    error.__cause__ = ConnectionRefusedError()
    assert unavailable(error) is None
    assert unavailable(ConnectionRefusedError()) is not None


class _UnreachableBroker:
    """A producer whose every send fails as when the broker cannot be reached."""

    def __init__(self) -> None:
        self.sends = 0

    async def send_and_wait(self, *_: object, **__: object) -> None:
        self.sends += 1
        raise KafkaConnectionError("no broker")


async def test_a_dead_letter_the_broker_cannot_take_is_waited_out_not_dropped() -> None:
    broker = _UnreachableBroker()
    settings = ServiceSettings(kafka_bootstrap_servers="127.0.0.1:9")
    processor = EventProcessor(
        Subscription("c", ("gps.pings.v1",), {}),
        cast("asyncpg.Pool", None),  # an undecodable record never reaches the database
        cast("AIOKafkaProducer", broker),
        settings.kafka(),
    )
    record = ConsumerRecord(
        "gps.pings.v1", 0, 7, 0, 0, b"k", b"not an event", None, 1, 12, [("x", b"y")]
    )
    with pytest.raises(DependencyUnavailable) as raised:
        await processor.process([record])
    assert raised.value.dependency == "broker"
    assert broker.sends == 1
