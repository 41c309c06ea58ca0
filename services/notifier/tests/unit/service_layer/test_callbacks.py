"""Provider status callbacks, STOP/START keywords and unsubscribe links on the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime

from lastmile_common.events.notifications import NotificationDelivered, NotificationFailed
from notifier.domain.signing import unsubscribe_token
from notifier.service_layer import callbacks
from notifier.service_layer.ports import NewNotification

from ...fakes import FakeStore

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _row(channel: str = "sms", address: str = "+4915112345678") -> NewNotification:
    return NewNotification(
        "t1", "o1", "confirmed", "", 1, channel, address, "", "Hi", "", 1, "pending", "", NOW,
        None, None,
    )  # fmt: skip


async def _sent(store: FakeStore, sid: str) -> str:
    [notification_id] = await store.notifications.insert_many([_row()])
    await store.notifications.claim_due(10)
    await store.notifications.finish([(notification_id, "sent", sid, "", None, 0)])
    return notification_id


async def test_delivered_is_recorded_once_with_its_event_in_one_transaction() -> None:
    store = FakeStore()
    notification_id = await _sent(store, "SM1")
    assert await callbacks.record_status(store, "SM1", "delivered", None)
    assert await callbacks.record_status(store, "SM1", "undelivered", "30003")  # too late
    row = store.notifications.rows[notification_id]
    assert (row["state"], row["provider_status"]) == ("delivered", "delivered")
    [event] = store.published
    assert isinstance(event.data, NotificationDelivered)
    assert (event.tenant_id, event.key, event.subject) == ("t1", "o1", "o1")
    assert store.transactions == 2


async def test_failed_carries_the_error_and_intermediate_statuses_only_note() -> None:
    store = FakeStore()
    notification_id = await _sent(store, "SM2")
    assert await callbacks.record_status(store, "SM2", "queued", None)
    assert store.notifications.rows[notification_id]["state"] == "sent" and not store.published
    assert await callbacks.record_status(store, "SM2", "undelivered", "30003")
    [event] = store.published
    assert isinstance(event.data, NotificationFailed)
    assert event.data.reason == "undelivered (error 30003)"
    assert not await callbacks.record_status(store, "SM-unknown", "delivered", None)


async def test_stop_and_start_keywords_apply_to_every_tenant() -> None:
    store = FakeStore()
    assert await callbacks.inbound_sms(store, "+4915112345678", " stop ") == "opted_out"
    assert store.opt_outs.entries == {("*", "sms", "+4915112345678")}
    [suppressed] = await store.notifications.insert_many([_row()])
    assert store.notifications.rows[suppressed]["state"] == "suppressed"
    assert await callbacks.inbound_sms(store, "+4915112345678", "START") == "opted_in"
    assert store.opt_outs.entries == set()
    assert await callbacks.inbound_sms(store, "+4915112345678", "hello") is None


async def test_an_unsubscribe_link_opts_out_only_its_tenant_and_address() -> None:
    store = FakeStore()
    token = unsubscribe_token("secret", "t1", "ada@example.com")
    assert await callbacks.unsubscribe(store, "secret", token) == ("t1", "ada@example.com")
    assert store.opt_outs.entries == {("t1", "email", "ada@example.com")}
    assert await callbacks.unsubscribe(store, "other-secret", token) is None
