"""Shopify: per-tenant integration settings and the signed `orders/create` webhook."""

from __future__ import annotations

import json
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Header, Request, Response
from lastmile_common.http.problems import Problem, field_errors
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orders.domain.geocoding import AddressNotPlaced
from orders.domain.on_map import OutsideMap
from orders.domain.shopify import ShopifySettings
from orders.entrypoints.deps import (
    GeocoderDep,
    MapBoundsDep,
    StoreDep,
    TenantDep,
    outside_map_problem,
)
from orders.entrypoints.http_orders import address_problem, create_problem
from orders.service_layer import handlers, integrations

router = APIRouter(tags=["shopify"])


class ShopifyIntegration(BaseModel):
    """How a tenant's Shopify store reaches lastmile."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "shop_domain": "example.myshopify.com",
                    "webhook_secret": "shpss_0123456789abcdef",
                    "depot_id": "schaan-hub",
                    "time_zone": "Europe/Vaduz",
                }
            ]
        },
    )

    shop_domain: str = Field(min_length=3, max_length=200)
    webhook_secret: str = Field(min_length=8, max_length=200)
    depot_id: str = Field(min_length=1, max_length=100)
    time_zone: str = "UTC"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("unknown IANA time zone")
        return value


@router.put("/v1/integrations/shopify", status_code=204)
async def configure_shopify(
    body: ShopifyIntegration, tenant: TenantDep, store: StoreDep
) -> Response:
    """Set the webhook secret and depot for the tenant's Shopify orders."""
    settings = ShopifySettings(body.shop_domain, body.webhook_secret, body.depot_id, body.time_zone)
    await integrations.configure_shopify(store, tenant, settings)
    return Response(status_code=204)


@router.post(
    "/v1/webhooks/shopify/{tenant_id}/orders-create",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "example": {
                        "id": 820982911946154508,
                        "email": "jon@example.com",
                        "created_at": "2026-11-23T10:00:00-05:00",
                        "shipping_address": {
                            "name": "Jon Snow",
                            "address1": "123 Amoebobacterium St",
                            "city": "Ottawa",
                            "zip": "K2P 1L4",
                            "country_code": "CA",
                            "phone": "+16135550135",
                            "latitude": 45.41634,
                            "longitude": -75.6868,
                        },
                        "line_items": [
                            {
                                "sku": "IPOD2008RED",
                                "title": "IPod Nano",
                                "quantity": 1,
                                "grams": 200,
                            }
                        ],
                    },
                }
            },
        }
    },
)
async def shopify_order_created(
    tenant_id: str,
    request: Request,
    store: StoreDep,
    bounds: MapBoundsDep,
    geocoder: GeocoderDep,
    x_shopify_hmac_sha256: Annotated[str | None, Header()] = None,
    x_shopify_webhook_id: Annotated[str | None, Header()] = None,
) -> dict[str, object]:
    """Receive a Shopify `orders/create` webhook; duplicates (same webhook id) are acknowledged."""
    try:
        received = await integrations.receive_shopify_order(
            store,
            tenant_id,
            await request.body(),
            x_shopify_hmac_sha256,
            x_shopify_webhook_id,
            bounds=bounds,
            geocoder=geocoder,
        )
    except integrations.SignatureInvalid:
        raise Problem(
            401,
            "Unauthorized",
            "X-Shopify-Hmac-Sha256 does not match the body",
            errors=[{"field": "header.X-Shopify-Hmac-Sha256", "message": "invalid"}],
        ) from None
    except integrations.WebhookIdMissing:
        raise Problem(
            400,
            "Missing header",
            "X-Shopify-Webhook-Id is required",
            errors=[{"field": "header.X-Shopify-Webhook-Id", "message": "required"}],
        ) from None
    except json.JSONDecodeError as exc:
        raise Problem(400, "Malformed JSON body", exc.msg) from None
    except ValidationError as exc:
        errors = field_errors(list(exc.errors()))
        raise Problem(
            422,
            "Order cannot be mapped",
            f"{errors[0]['field']}: {errors[0]['message']}",
            errors=errors,
        ) from None
    except AddressNotPlaced as exc:
        raise address_problem(exc) from None
    except (handlers.IdempotencyConflict, handlers.DuplicateExternalId) as exc:
        raise create_problem(exc) from None
    except OutsideMap as exc:  # Shopify's fields: the shipping address's latitude/longitude
        raise outside_map_problem(exc, "body.shipping_address") from None
    return {"order_id": received.order_id, "duplicate": received.duplicate}
