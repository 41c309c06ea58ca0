"""Asking the relay by Message-ID (Mailpit's search), as the fake serves it and the adapter reads
it: held, not held, and a relay that cannot be asked ("cannot tell", not "absent")."""

from __future__ import annotations

import asyncio

from notifier.adapters.mail_search import MailpitSearch
from notifier.adapters.smtp import SmtpChannel
from notifier.domain.recovery import email_message_id
from notifier.service_layer.channels import OutgoingMessage
from notifier.testing.mail_search import FakeMailSearch
from notifier.testing.smtp_capture import SmtpCapture

ID = "0b1c2d3e-0000-4000-8000-000000000001"
OTHER = "0b1c2d3e-0000-4000-8000-000000000002"


async def test_the_relay_search_finds_a_sent_mail_by_its_message_id_and_only_that_one() -> None:
    capture = SmtpCapture().start()
    relay = await FakeMailSearch(capture).start()
    channel = SmtpChannel("127.0.0.1", capture.port, "Shop <n@shop.example>", timeout_s=2)
    search = MailpitSearch(relay.base_url, timeout_s=2)
    try:
        message = OutgoingMessage(ID, "c@example.com", "Hello", subject="Hi")
        assert (await channel.send(message)).outcome == "sent"
        sent, never = email_message_id(ID, "shop.example"), email_message_id(OTHER, "shop.example")
        assert await search.holds([sent, never]) == {sent}
        # Another domain's Message-ID with the same local part is not ours.
        assert await search.holds([email_message_id(ID, "other.example")]) == set()
        assert relay.queries == [f"message-id:{ID}", f"message-id:{OTHER}", f"message-id:{ID}"]
        relay.unreachable = True
        assert await search.holds([sent]) is None
    finally:
        await channel.close()
        await search.close()
        await relay.stop()
        await asyncio.to_thread(capture.stop)
    nobody = MailpitSearch("http://127.0.0.1:9", timeout_s=0.5)
    assert await nobody.holds([email_message_id(ID, "shop.example")]) is None
    await nobody.close()
