"""Deciding `unknown` SMS from the provider's list: found, never created, or not decidable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notifier.domain.recovery import (
    UNDECIDED,
    ProviderCopy,
    Undecided,
    email_message_id,
    from_journal,
    from_relay,
    judge,
)

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


def test_an_e_mail_the_relay_holds_is_sent_and_one_it_never_took_goes_out_again() -> None:
    held = {email_message_id("id-1", "shop.example")}
    claims = [("id-1", T0), ("id-2", T0)]
    kept_since = T0 - timedelta(hours=1)
    verdicts = {v.id: v for v in from_relay(claims, held, "shop.example", kept_since)}
    assert (verdicts["id-1"].state, verdicts["id-1"].provider_message_id) == (
        "sent",
        "<id-1@shop.example>",
    )
    assert verdicts["id-2"].state == "pending"


def test_an_e_mail_older_than_what_the_relay_keeps_is_never_sent_again() -> None:
    """Mailpit drops its oldest messages past its limit: one claimed before the oldest kept
    message may have been taken and dropped since; it stays unknown (asked again)."""
    held = {email_message_id("id-1", "shop.example")}
    claims = [("id-1", T0 - timedelta(hours=2)), ("id-2", T0 - timedelta(hours=2))]
    verdicts = from_relay(claims, held, "shop.example", kept_since=T0 - timedelta(hours=1))
    assert [(v.id, v.state) for v in verdicts] == [("id-1", "sent")]
    within_margin = [("id-2", T0 - timedelta(hours=1) + timedelta(seconds=1))]
    assert from_relay(within_margin, set(), "shop.example", T0 - timedelta(hours=1)) == []


def test_an_e_mail_handed_to_the_relay_waits_for_the_search_only_when_there_is_one() -> None:
    marks = {"id-1": {"C", "S", "H"}}
    [final] = from_journal(marks, ["id-1"], "shop.example")
    [asked] = from_journal(marks, ["id-1"], "shop.example", relay_searchable=True)
    assert final.state == asked.state == "unknown"
    assert final.reason.startswith(UNDECIDED) and not asked.reason.startswith(UNDECIDED)
