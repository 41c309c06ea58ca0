"""The Shopify webhook use case on an in-memory store: signature, webhook id, dedupe."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from orders.domain.shopify import ShopifySettings
from orders.service_layer import integrations

from ...fakes import MAP, NO_MAP, FakeOrdersStore
from ..domain.test_domain_rules import SHOPIFY_ORDER

SECRET = "shpss_secret"
BODY = json.dumps(SHOPIFY_ORDER).encode()


def _sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


async def _configured() -> FakeOrdersStore:
    store = FakeOrdersStore()
    settings = ShopifySettings("acme.myshopify.com", SECRET, "d1", "Europe/Berlin")
    await integrations.configure_shopify(store, "t1", settings)
    return store


async def test_a_tenant_without_integration_or_a_wrong_signature_is_refused() -> None:
    with pytest.raises(integrations.SignatureInvalid):
        await integrations.receive_shopify_order(
            FakeOrdersStore(), "t1", BODY, _sign(SECRET, BODY), "w1", bounds=MAP, geocoder=NO_MAP
        )
    store = await _configured()
    with pytest.raises(integrations.SignatureInvalid):
        await integrations.receive_shopify_order(
            store, "t1", BODY, _sign("wrong", BODY), "w1", bounds=MAP, geocoder=NO_MAP
        )
    with pytest.raises(integrations.SignatureInvalid):
        await integrations.receive_shopify_order(
            store, "t2", BODY, _sign(SECRET, BODY), "w1", bounds=MAP, geocoder=NO_MAP
        )
    assert store.orders == {}


async def test_a_delivery_without_webhook_id_is_refused_after_the_signature() -> None:
    store = await _configured()
    with pytest.raises(integrations.WebhookIdMissing):
        await integrations.receive_shopify_order(
            store, "t1", BODY, _sign(SECRET, BODY), None, bounds=MAP, geocoder=NO_MAP
        )
    assert store.orders == {}


async def test_a_redelivered_webhook_names_the_first_order_and_creates_nothing() -> None:
    store = await _configured()
    first = await integrations.receive_shopify_order(
        store, "t1", BODY, _sign(SECRET, BODY), "w1", bounds=MAP, geocoder=NO_MAP
    )
    again = await integrations.receive_shopify_order(
        store, "t1", BODY, _sign(SECRET, BODY), "w1", bounds=MAP, geocoder=NO_MAP
    )
    assert not first.duplicate and again == integrations.WebhookReceived(first.order_id, True)
    assert store.orders[first.order_id].spec.external_id == "shopify-42"
    assert len(store.published) == 1
    # Another delivery id of the same Shopify order: the external id makes it a duplicate.
    other = await integrations.receive_shopify_order(
        store, "t1", BODY, _sign(SECRET, BODY), "w2", bounds=MAP, geocoder=NO_MAP
    )
    assert other == integrations.WebhookReceived(first.order_id, True)


async def test_a_body_that_is_not_json_is_refused() -> None:
    store = await _configured()
    with pytest.raises(json.JSONDecodeError):
        await integrations.receive_shopify_order(
            store, "t1", b"{", _sign(SECRET, b"{"), "w1", bounds=MAP, geocoder=NO_MAP
        )
