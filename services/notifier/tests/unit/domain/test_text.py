"""Segment counting, masking and signatures."""

from __future__ import annotations

import pytest
from notifier.domain.masking import mask_email, mask_phone, redact
from notifier.domain.segments import count_segments
from notifier.domain.signing import (
    read_unsubscribe_token,
    twilio_signature,
    twilio_signature_valid,
    unsubscribe_token,
)


@pytest.mark.parametrize(
    ("body", "encoding", "segments"),
    [
        ("", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 2),
        ("ü" * 160, "GSM-7", 1),  # in the GSM basic table
        ("ł" * 70, "UCS-2", 1),
        ("ł" * 71, "UCS-2", 2),
        ("ł" * 134, "UCS-2", 2),
        ("ł" * 135, "UCS-2", 3),
        ("🚚" * 35, "UCS-2", 1),  # outside the BMP: two UTF-16 units each
        ("🚚" * 36, "UCS-2", 2),
    ],
)
def test_segments(body: str, encoding: str, segments: int) -> None:
    count = count_segments(body)
    assert (count.encoding, count.segments) == (encoding, segments)


def test_masks() -> None:
    assert mask_phone("+4915112345656") == "+49******56"
    assert mask_email("jane.doe@example.com") == "j***@example.com"
    text = redact("sent to +4915112345656 and jane.doe@example.com")
    assert "+4915112345656" not in text
    assert "jane.doe@" not in text
    assert "+49******56" in text
    assert "j***@example.com" in text


def test_twilio_signature_matches_the_documented_example() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = [
        ("To", "+18005551212"),
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
    ]
    assert twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio_signature_valid("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    tampered = [*params[:-1], ("From", "+10000000000")]
    assert not twilio_signature_valid("12345", url, tampered, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio_signature_valid("other", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


def test_unsubscribe_token_round_trip_and_forgery() -> None:
    token = unsubscribe_token("secret", "t1", "jane@example.com")
    assert read_unsubscribe_token("secret", token) == ("t1", "jane@example.com")
    assert read_unsubscribe_token("other-secret", token) is None
    _, _, mac = token.partition(".")
    forged = unsubscribe_token("secret", "t2", "jane@example.com").split(".")[0] + "." + mac
    assert read_unsubscribe_token("secret", forged) is None
    assert read_unsubscribe_token("secret", "garbage") is None
