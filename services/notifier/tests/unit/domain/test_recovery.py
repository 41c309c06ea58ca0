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
    verdicts = {v.id: v for v in from_relay(["id-1", "id-2"], held, "shop.example")}
    assert (verdicts["id-1"].state, verdicts["id-1"].provider_message_id) == (
        "sent",
        "<id-1@shop.example>",
    )
    assert verdicts["id-2"].state == "pending"


def test_an_e_mail_handed_to_the_relay_waits_for_the_search_only_when_there_is_one() -> None:
    marks = {"id-1": {"C", "S", "H"}}
    [final] = from_journal(marks, ["id-1"], "shop.example")
    [asked] = from_journal(marks, ["id-1"], "shop.example", relay_searchable=True)
    assert final.state == asked.state == "unknown"
    assert final.reason.startswith(UNDECIDED) and not asked.reason.startswith(UNDECIDED)
