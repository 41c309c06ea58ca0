"""Shopify: per-tenant integration settings and the signed `orders/create` webhook."""

from __future__ import annotations

import json
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Header, Request, Response
from lastmile_common.http.problems import Problem, field_errors
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from orders.domain import shopify
from orders.entrypoints.deps import Pool, TenantId
from orders.entrypoints.http_orders import accept

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
                    "depot_id": "berlin-mitte",
                    "time_zone": "Europe/Berlin",
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
async def configure_shopify(body: ShopifyIntegration, tenant: TenantId, pool: Pool) -> Response:
    """Set the webhook secret and depot for the tenant's Shopify orders."""
    await pool.execute(
        "INSERT INTO shopify_integrations (tenant_id, shop_domain, webhook_secret, depot_id,"
        " time_zone) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET"
        " shop_domain = $2, webhook_secret = $3, depot_id = $4, time_zone = $5, updated_at = now()",
        tenant,
        body.shop_domain,
        body.webhook_secret,
        body.depot_id,
        body.time_zone,
    )
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
    pool: Pool,
    x_shopify_hmac_sha256: Annotated[str | None, Header()] = None,
    x_shopify_webhook_id: Annotated[str | None, Header()] = None,
) -> dict[str, object]:
    """Receive a Shopify `orders/create` webhook; duplicates (same webhook id) are acknowledged."""
    body = await request.body()
    integration = await pool.fetchrow(
        "SELECT webhook_secret, depot_id, time_zone FROM shopify_integrations WHERE tenant_id = $1",
        tenant_id,
    )
    if integration is None or not shopify.signature_valid(
        integration["webhook_secret"], body, x_shopify_hmac_sha256
    ):
        raise Problem(
            401,
            "Unauthorized",
            "X-Shopify-Hmac-Sha256 does not match the body",
            errors=[{"field": "header.X-Shopify-Hmac-Sha256", "message": "invalid"}],
        )
    if not x_shopify_webhook_id:
        raise Problem(
            400,
            "Missing header",
            "X-Shopify-Webhook-Id is required",
            errors=[{"field": "header.X-Shopify-Webhook-Id", "message": "required"}],
        )
    seen = await pool.fetchval(
        "SELECT order_id FROM shopify_webhooks WHERE tenant_id = $1 AND webhook_id = $2",
        tenant_id,
        x_shopify_webhook_id,
    )
    if seen is not None:
        return {"order_id": seen, "duplicate": True}
    try:
        payload = json.loads(body)
        spec = shopify.parse(payload, integration["depot_id"], integration["time_zone"])
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
    accepted = await accept(pool, tenant_id, spec, None, "shopify")
    await pool.execute(
        "INSERT INTO shopify_webhooks (tenant_id, webhook_id, order_id) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        tenant_id,
        x_shopify_webhook_id,
        accepted.order.id,
    )
    return {"order_id": accepted.order.id, "duplicate": not accepted.created}
