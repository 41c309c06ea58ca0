"""Asking the relay by Message-ID (Mailpit's search), as the fake serves it and the adapter reads
it: held, not held, and a relay that cannot be asked ("cannot tell", not "absent")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from notifier.adapters.mail_search import MailpitSearch
from notifier.adapters.smtp import SmtpChannel
from notifier.domain.recovery import email_message_id
from notifier.service_layer.channels import OutgoingMessage
from notifier.testing.mail_search import FakeMailSearch
from notifier.testing.smtp_capture import SmtpCapture

ID = "0b1c2d3e-0000-4000-8000-000000000001"
OTHER = "0b1c2d3e-0000-4000-8000-000000000002"


@asynccontextmanager
async def _relay() -> AsyncIterator[tuple[FakeMailSearch, SmtpChannel, MailpitSearch]]:
    """A capturing SMTP relay with Mailpit's API, a channel sending to it and the search on it."""
    capture = SmtpCapture().start()
    relay = await FakeMailSearch(capture).start()
    channel = SmtpChannel("127.0.0.1", capture.port, "Shop <n@shop.example>", timeout_s=2)
    search = MailpitSearch(relay.base_url, timeout_s=2)
    try:
        yield relay, channel, search
    finally:
        await channel.close()
        await search.close()
        await relay.stop()
        await asyncio.to_thread(capture.stop)


async def test_the_relay_search_finds_a_sent_mail_by_its_message_id_and_only_that_one() -> None:
    async with _relay() as (relay, channel, search):
        message = OutgoingMessage(ID, "c@example.com", "Hello", subject="Hi")
        assert (await channel.send(message)).outcome == "sent"
        sent, never = email_message_id(ID, "shop.example"), email_message_id(OTHER, "shop.example")
        assert await search.holds([sent, never]) == {sent}
        # Another domain's Message-ID with the same local part is not ours.
        assert await search.holds([email_message_id(ID, "other.example")]) == set()
        assert relay.queries == [f"message-id:{ID}", f"message-id:{OTHER}", f"message-id:{ID}"]
        relay.unreachable = True
        assert await search.holds([sent]) is None
    nobody = MailpitSearch("http://127.0.0.1:9", timeout_s=0.5)
    assert await nobody.holds([email_message_id(ID, "shop.example")]) is None
    await nobody.close()


async def test_the_relay_says_since_when_it_keeps_messages() -> None:
    async with _relay() as (relay, channel, search):
        assert await search.kept_since() is None  # keeps nothing: cannot tell
        for notification_id in (ID, OTHER):
            message = OutgoingMessage(notification_id, "c@example.com", "Hello", subject="Hi")
            assert (await channel.send(message)).outcome == "sent"
            await asyncio.sleep(0.05)
        first = await search.kept_since()
        relay.dropped = 1  # the relay dropped its oldest message (Mailpit's message limit)
        second = await search.kept_since()
        assert first is not None and second is not None and second > first
        assert await search.holds([email_message_id(ID, "shop.example")]) == set()
