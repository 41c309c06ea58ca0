"""Tracking-link tokens: derived from the order id by any holder of the secret, unforgeable."""

from __future__ import annotations

import uuid

import pytest
from lastmile_common.tracking_links import link_token, order_of

SECRET = "s3cret"


@pytest.mark.parametrize("order_id", [str(uuid.uuid4()), "o-1234", "ORD/ü 7", "X" * 80])
def test_the_token_names_its_order_for_the_secret_holder(order_id: str) -> None:
    token = link_token(SECRET, order_id)
    assert token == link_token(SECRET, order_id)  # derived, not drawn: both sides agree
    assert order_of(SECRET, token) == order_id
    assert order_of("other", token) is None
    assert token.replace("-", "").replace("_", "").isalnum()


def test_a_uuid_order_gets_a_short_token() -> None:
    assert len(link_token(SECRET, str(uuid.uuid4()))) == 39


@pytest.mark.parametrize("token", ["", "u", "x" * 40, "u!!!!", "t" + "A" * 30, "tok-abc"])
def test_garbage_is_no_order(token: str) -> None:
    assert order_of(SECRET, token) is None


def test_a_tampered_token_is_refused() -> None:
    token = link_token(SECRET, str(uuid.uuid4()))
    flipped = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert order_of(SECRET, flipped) is None
