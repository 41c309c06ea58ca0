"""How the Twilio channel reads the provider's answers."""

from __future__ import annotations

import json

import pytest
from notifier.adapters.form_client import Answer
from notifier.adapters.twilio import _classify


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (201, {"sid": "SM1"}, "sent"),
        (500, {}, "retry"),
        (503, {}, "retry"),
        (429, {"code": 20429}, "retry"),
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, "failed"),
        (404, {}, "failed"),
    ],
)
def test_twilio_answers(status: int, body: dict[str, object], outcome: str) -> None:
    result = _classify(Answer(status, {}, json.dumps(body).encode()))
    assert result.outcome == outcome
    if outcome == "sent":
        assert result.provider_message_id == "SM1"
