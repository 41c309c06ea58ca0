"""Which errors mean a dependency (database or broker) is unavailable, rather than an event or a
request at fault: the consumer runner waits those out and HTTP answers them with 503."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from aiokafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError

# SQLSTATE classes of a server that cannot serve now: 08 connection exception, 53 insufficient
# resources (too many connections, out of memory, disk full), 57P0x shutting down or starting
# up, 58 system error (I/O). A query cancelled by statement_timeout (57014) is not among them.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P0", "58")
# asyncpg reports a connection it lost, or a pool that is closing, as an InterfaceError. A
# pooled connection the server dropped is released by asyncpg itself, so the request that still
# holds it gets "released back to the pool" (seen under `pg_ctl -m immediate` in tests/faults).
_UNAVAILABLE_INTERFACE_MESSAGES = (
    "connection is closed",
    "connection was closed",
    "pool is closing",
    "connection has been released back to the pool",
)


def unavailable_dependency(exc: BaseException) -> str | None:
    """ "database" or "broker" if `exc`, or an error that caused it, is that dependency being
    unreachable, overloaded or shutting down; None when the error is the caller's own."""
    for error in _chain(exc):
        found = _classify(error)
        if found is not None:
            return found
    return None


def _classify(error: BaseException) -> str | None:
    if isinstance(error, asyncpg.PostgresError):
        sqlstate = getattr(error, "sqlstate", None) or ""
        return "database" if sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES) else None
    if isinstance(error, asyncpg.InterfaceError):
        message = str(error)
        return "database" if any(m in message for m in _UNAVAILABLE_INTERFACE_MESSAGES) else None
    if isinstance(error, (KafkaConnectionError, KafkaTimeoutError)):
        return "broker"
    if isinstance(error, KafkaError):
        return "broker" if error.retriable else None
    # Refused, reset or timed-out sockets (asyncio's TimeoutError of a pool acquire is an
    # OSError too); aiokafka wraps its own socket errors, so a bare one is the database's.
    if isinstance(error, OSError):
        return "database"
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The error, what caused it (explicitly or while handling), and a group's members."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        error = stack.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        yield error
        if isinstance(error, BaseExceptionGroup):
            stack.extend(error.exceptions)
        for linked in (error.__cause__, error.__context__):
            if linked is not None:
                stack.append(linked)
