"""Which errors are a dependency outage (waited out, 503) and which are the caller's own."""

from __future__ import annotations

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, UnknownError
from lastmile_common.kafka.processing import unavailable
from lastmile_common.kafka.subscription import PermanentError
from lastmile_common.outage import unavailable_dependency


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
