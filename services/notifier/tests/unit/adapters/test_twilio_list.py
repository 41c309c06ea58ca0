"""Twilio's Messages list, as the fake serves it and the channel reads it (paged, newest first)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from notifier.adapters.twilio import TwilioChannel
from notifier.testing.fake_twilio import FakeTwilio

MESSAGES = "/2010-04-01/Accounts/AC1/Messages.json"
AUTH = "Basic " + base64.b64encode(b"AC1:secret").decode()


async def test_the_twilio_list_api_of_the_fake_answers_what_was_created() -> None:
    twilio = await FakeTwilio(account_sid="AC1", auth_token="secret").start()
    channel = TwilioChannel(twilio.base_url, "AC1", "secret", "+1500", timeout_s=2)
    try:
        since = datetime.now(UTC) - timedelta(seconds=5)
        for i in range(130):  # more than one page of 100
            body = f"To=%2B4915100000001&From=%2B1500&Body=text+{i}"
            twilio.answer(MESSAGES, AUTH, body.encode())
        twilio.answer(MESSAGES, AUTH, b"To=%2B4915100000002&From=%2B1500&Body=other")
        copies = await channel.sent_to("+4915100000001", since)
        assert copies is not None
        assert sorted(c.body for c in copies) == sorted(f"text {i}" for i in range(130))
        assert await channel.sent_to("+4915100000001", datetime.now(UTC) + timedelta(hours=1)) == []
    finally:
        await channel.close()
        await twilio.stop()
    broken = TwilioChannel("http://127.0.0.1:9", "AC1", "secret", "+1500", timeout_s=0.5)
    assert await broken.sent_to("+4915100000001", since) is None  # cannot tell: not "absent"
    await broken.close()
