"""Shopify: a tenant's integration settings and its signed `orders/create` webhook."""

from __future__ import annotations

import json
from dataclasses import dataclass

from lastmile_common.routing import Bounds

from orders.domain import shopify
from orders.domain.shopify import ShopifySettings
from orders.service_layer.handlers import place_order
from orders.service_layer.locating import AddressPlacer, locate
from orders.service_layer.ports import OrdersStore


class SignatureInvalid(Exception):
    """The tenant has no Shopify integration, or the body's signature does not match its secret."""


class WebhookIdMissing(Exception):
    """The delivery carries no webhook id, so a redelivery could not be recognised."""


@dataclass(frozen=True)
class WebhookReceived:
    """The order a webhook delivery names, and whether an earlier delivery created it."""

    order_id: str
    duplicate: bool


async def configure_shopify(store: OrdersStore, tenant_id: str, settings: ShopifySettings) -> None:
    """Set the webhook secret, depot and time zone of the tenant's Shopify orders."""
    await store.save_shopify_settings(tenant_id, settings)


async def receive_shopify_order(
    store: OrdersStore,
    tenant_id: str,
    body: bytes,
    signature: str | None,
    webhook_id: str | None,
    *,
    bounds: Bounds,
    geocoder: AddressPlacer,
) -> WebhookReceived:
    """Accept a signed `orders/create` delivery once per webhook id.

    Raises SignatureInvalid, WebhookIdMissing, json.JSONDecodeError or pydantic's
    ValidationError (a body that maps to no valid order), AddressNotPlaced (no coordinates and
    an address the geocoder cannot place), or what place_order raises.
    """
    settings = await store.shopify_settings(tenant_id)
    if settings is None or not shopify.signature_valid(settings.webhook_secret, body, signature):
        raise SignatureInvalid(tenant_id)
    if not webhook_id:
        raise WebhookIdMissing(tenant_id)
    seen = await store.shopify_webhook_order(tenant_id, webhook_id)
    if seen is not None:
        return WebhookReceived(seen, duplicate=True)
    request = shopify.parse(json.loads(body), settings.depot_id, settings.time_zone)
    spec, note = locate(geocoder, request)
    accepted = await place_order(store, tenant_id, spec, bounds=bounds, source="shopify", note=note)
    await store.remember_shopify_webhook(tenant_id, webhook_id, accepted.order.id)
    return WebhookReceived(accepted.order.id, duplicate=not accepted.created)
