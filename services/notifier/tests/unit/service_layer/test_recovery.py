"""Deciding `unknown` messages on the in-memory store: the provider's list for SMS, the send
journal for e-mail, each verdict with its event."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from lastmile_common.events.notifications import NotificationSent
from notifier.domain.recovery import ProviderCopy
from notifier.service_layer.ports import NewNotification, NotifierStore
from notifier.service_layer.recovery import RelayLookup, UnknownResolver, decide_from_journal

from ...fakes import FakeStore

NOW = datetime.now(UTC)


def _tx(store: FakeStore):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def transaction() -> AsyncIterator[NotifierStore]:
        yield store  # type: ignore[misc]

    return transaction


async def _in_flight(store: FakeStore, channel: str, order: str, *, state: str) -> str:
    """A row claimed before a crash: `sending`, or already `unknown` (recovered at start)."""
    address = f"+49151{order}" if channel == "sms" else f"{order}@example.com"
    row = NewNotification(
        "t1", f"o{order}", "confirmed", "", 1, channel, address, "", f"Hi {order}", "", 1,
        "pending", "", NOW, None, None,
    )  # fmt: skip
    [notification_id] = await store.notifications.insert_many([row])
    await store.notifications.claim_due(100)
    claimed = NOW - timedelta(minutes=1)
    store.notifications.rows[notification_id].update(
        state=state, claimed_at=claimed, finished_at=claimed, reason="dispatcher stopped"
    )
    return notification_id


class _Twilio:
    def __init__(self, copies: dict[str, list[ProviderCopy]] | None) -> None:
        self.copies = copies

    async def sent_to(self, to: str, since: datetime) -> list[ProviderCopy] | None:
        return None if self.copies is None else self.copies.get(to, [])


async def test_the_resolver_records_what_twilio_holds_and_resends_what_it_never_got() -> None:
    store = FakeStore()
    found = await _in_flight(store, "sms", "001", state="unknown")
    missing = await _in_flight(store, "sms", "002", state="unknown")
    copy = ProviderCopy("SM1", "Hi 001", "sent", NOW - timedelta(seconds=50))
    resolver = UnknownResolver(_tx(store), _Twilio({"+49151001": [copy]}), 30.0, 1.0)
    counts = await resolver.resolve_once()
    assert counts == {"sent": 1, "pending": 1}
    rows = store.notifications.rows
    assert (rows[found]["state"], rows[found]["provider_message_id"]) == ("sent", "SM1")
    assert rows[missing]["state"] == "pending"
    [event] = store.published
    assert isinstance(event.data, NotificationSent) and event.data.notification_id == found
    assert await resolver.resolve_once() == {}  # nothing left to ask about


async def test_an_unreachable_provider_changes_nothing() -> None:
    store = FakeStore()
    row = await _in_flight(store, "sms", "003", state="unknown")
    counts = await UnknownResolver(_tx(store), _Twilio(None), 30.0, 1.0).resolve_once()
    assert counts == {"unreachable": 1}
    assert store.notifications.rows[row]["state"] == "unknown" and not store.published


async def test_the_journal_decides_e_mails_also_those_a_lease_kept_in_sending() -> None:
    store = FakeStore()
    accepted = await _in_flight(store, "email", "a", state="unknown")
    never = await _in_flight(store, "email", "b", state="sending")
    handed = await _in_flight(store, "email", "c", state="unknown")
    sms = await _in_flight(store, "sms", "004", state="sending")
    marks = {
        accepted: {"C", "S", "H", "A"},
        never: {"C"},
        handed: {"C", "S", "H"},
        sms: {"C", "S"},
    }
    counts = await decide_from_journal(_tx(store), marks, "shop.example")
    rows = store.notifications.rows
    assert rows[accepted]["state"] == "sent"
    assert rows[accepted]["provider_message_id"] == f"<{accepted}@shop.example>"
    assert rows[never]["state"] == "pending"
    assert rows[handed]["state"] == "unknown"
    assert rows[handed]["reason"].startswith("undecided: handed to the relay")
    # An SMS its dead predecessor left in `sending`: unknown, for the resolver to ask Twilio.
    assert rows[sms]["state"] == "unknown"
    assert counts == {"sent": 1, "pending": 1, "unknown": 2}
    assert [e.data.notification_id for e in store.published] == [accepted]  # type: ignore[attr-defined]


class _Relay:
    def __init__(self, held: set[str] | None) -> None:
        self.held = held
        self.asked: list[str] = []

    async def holds(self, message_ids: Sequence[str]) -> set[str] | None:
        self.asked += message_ids
        return None if self.held is None else self.held & set(message_ids)


async def test_the_resolver_asks_the_relay_about_e_mails_the_journal_left_unknown() -> None:
    store = FakeStore()
    taken = await _in_flight(store, "email", "d", state="sending")
    lost = await _in_flight(store, "email", "e", state="sending")
    handed = {"C", "S", "H"}
    await decide_from_journal(
        _tx(store), {taken: handed, lost: handed}, "shop.example", relay_searchable=True
    )
    rows = store.notifications.rows
    for notification_id in (taken, lost):  # settled: as if the restart was a while ago
        rows[notification_id]["finished_at"] = NOW - timedelta(minutes=1)
    down = UnknownResolver(_tx(store), None, 30.0, 1.0, RelayLookup(_Relay(None), "shop.example"))
    assert await down.resolve_once() == {"unreachable": 2}
    assert rows[taken]["state"] == rows[lost]["state"] == "unknown"
    relay = _Relay({f"<{taken}@shop.example>"})
    resolver = UnknownResolver(_tx(store), None, 30.0, 1.0, RelayLookup(relay, "shop.example"))
    assert await resolver.resolve_once() == {"sent": 1, "pending": 1}
    assert (rows[taken]["state"], rows[taken]["provider_message_id"]) == (
        "sent",
        f"<{taken}@shop.example>",
    )
    assert rows[lost]["state"] == "pending"  # the relay never took it: sent again, once
    assert [e.data.notification_id for e in store.published] == [taken]  # type: ignore[attr-defined]
    assert await resolver.resolve_once() == {}
