"""Deciding `unknown` SMS from the provider's list: found, never created, or not decidable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.adapters.twilio import TwilioChannel
from notifier.domain.recovery import ProviderCopy, Undecided, judge
from notifier.testing.fake_twilio import FakeTwilio

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _row(n: int, body: str = "Your order is confirmed", at: datetime = T0) -> Undecided:
    return Undecided(f"id-{n}", "+4915100000001", body, at)


def _copy(sid: str, body: str = "Your order is confirmed", status: str = "sent") -> ProviderCopy:
    return ProviderCopy(sid, body, status, T0 + timedelta(seconds=1))


def test_a_message_the_provider_holds_is_sent_with_its_sid() -> None:
    (verdict,) = judge([_row(1)], [_copy("SM1")], known_sids=set())
    assert (verdict.state, verdict.provider_message_id) == ("sent", "SM1")


def test_a_message_the_provider_never_created_goes_out_again() -> None:
    (verdict,) = judge([_row(1)], [_copy("SM1", body="another text")], known_sids=set())
    assert verdict.state == "pending"


def test_a_sid_recorded_on_another_notification_is_not_matched_twice() -> None:
    (verdict,) = judge([_row(1)], [_copy("SM1")], known_sids={"SM1"})
    assert verdict.state == "pending"


def test_a_message_created_before_the_claim_is_not_ours() -> None:
    old = ProviderCopy("SM0", "Your order is confirmed", "sent", T0 - timedelta(minutes=5))
    (verdict,) = judge([_row(1)], [old], known_sids=set())
    assert verdict.state == "pending"


def test_fewer_identical_copies_than_rows_stay_unknown() -> None:
    verdicts = judge([_row(1), _row(2)], [_copy("SM1")], known_sids=set())
    assert [v.state for v in verdicts] == ["unknown", "unknown"]
    assert verdicts[0].reason.startswith("undecided")
    both = judge([_row(1), _row(2)], [_copy("SM1"), _copy("SM2")], known_sids=set())
    assert sorted(v.provider_message_id or "" for v in both) == ["SM1", "SM2"]


def test_a_copy_the_provider_failed_is_failed() -> None:
    (verdict,) = judge([_row(1)], [_copy("SM1", status="undelivered")], known_sids=set())
    assert verdict.state == "failed"


async def test_the_twilio_list_api_of_the_fake_answers_what_was_created() -> None:
    twilio = await FakeTwilio(account_sid="AC1", auth_token="secret").start()
    channel = TwilioChannel(twilio.base_url, "AC1", "secret", "+1500", timeout_s=2)
    try:
        since = datetime.now(UTC) - timedelta(seconds=5)
        for i in range(130):  # more than one page of 100
            twilio.answer(
                "/2010-04-01/Accounts/AC1/Messages.json",
                twilio_auth(),
                f"To=%2B4915100000001&From=%2B1500&Body=text+{i}".encode(),
            )
        twilio.answer(
            "/2010-04-01/Accounts/AC1/Messages.json",
            twilio_auth(),
            b"To=%2B4915100000002&From=%2B1500&Body=other",
        )
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


def twilio_auth() -> str:
    import base64

    return "Basic " + base64.b64encode(b"AC1:secret").decode()
