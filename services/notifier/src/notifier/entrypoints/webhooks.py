"""Provider webhooks (Twilio-signed status callbacks and inbound SMS) and e-mail unsubscribe."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from lastmile_common.http.problems import Problem

from notifier.domain.signing import twilio_signature_valid
from notifier.entrypoints.deps import SettingsDep, StoreDep
from notifier.service_layer import callbacks
from notifier.service_layer.ports import NotifierStore
from notifier.settings import NotifierSettings

# A callback whose signature does not match is refused, in the plumbing's problem+json.
SIGNED: dict[int | str, dict[str, Any]] = {
    403: {"description": "X-Twilio-Signature does not match"}
}
router = APIRouter(tags=["webhooks"])


def _form_body(example: dict[str, str]) -> dict[str, object]:
    """OpenAPI for a signed form body (the signature header is required too)."""
    schema = {"type": "object", "properties": {k: {"type": "string"} for k in example}}
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {"schema": schema, "example": example}
            },
        },
        "parameters": [
            {
                "name": "X-Twilio-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": "HMAC-SHA1 of URL + sorted params",
            }
        ],
    }


_TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _signed_form(request: Request, settings: NotifierSettings) -> dict[str, str]:
    """The form params of a request whose X-Twilio-Signature is valid, else 403."""
    params = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    # Twilio signs the URL it called; behind proxies that is the public one, not ours.
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token.get_secret_value()
    if not signature or not twilio_signature_valid(token, url, params, signature):
        raise Problem(403, "Forbidden", "X-Twilio-Signature does not match this request")
    return dict(params)


@router.post(
    "/v1/webhooks/sms/status",
    summary="Twilio message status callback (signed)",
    status_code=204,
    responses=SIGNED,
    openapi_extra=_form_body(
        {
            "MessageSid": "SM0123456789abcdef0123456789abcdef",
            "MessageStatus": "delivered",
            "AccountSid": "ACdev0000000000000000000000000000",
            "To": "+4915112345678",
        }
    ),
)
async def sms_status(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    """Record delivered / undelivered / failed for the message named by MessageSid."""
    form = await _signed_form(request, settings)
    sid, status = form.get("MessageSid") or form.get("SmsSid"), form.get("MessageStatus")
    if not sid or not status:
        raise Problem(
            422,
            "Invalid request",
            "MessageSid and MessageStatus are required",
            errors=[{"field": "MessageSid", "message": "required"}],
        )
    known = await callbacks.record_status(store, sid, status, form.get("ErrorCode"))
    if not known:
        raise Problem(404, "Not Found", "no notification has this MessageSid")
    return Response(status_code=204)


@router.post(
    "/v1/webhooks/sms/inbound",
    summary="Inbound SMS (signed): STOP / START keywords",
    responses=SIGNED,
    openapi_extra=_form_body({"From": "+4915112345678", "To": "+15005550006", "Body": "STOP"}),
)
async def sms_inbound(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    """Opt the sender out (STOP) or back in (START); answer with empty TwiML."""
    form = await _signed_form(request, settings)
    sender = form.get("From")
    if not sender:
        raise Problem(
            422,
            "Invalid request",
            "From is required",
            errors=[{"field": "From", "message": "required"}],
        )
    await callbacks.inbound_sms(store, sender, form.get("Body", ""))
    return Response(_TWIML_EMPTY, media_type="application/xml")


async def _unsubscribe(
    settings: NotifierSettings, store: NotifierStore, token: str
) -> tuple[str, str]:
    secret = settings.unsubscribe_secret.get_secret_value()
    found = await callbacks.unsubscribe(store, secret, token)
    if found is None:
        raise Problem(404, "Not Found", "this unsubscribe link is not valid")
    return found


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, summary="E-mail unsubscribe link")
async def unsubscribe(settings: SettingsDep, store: StoreDep, token: str) -> HTMLResponse:
    """Opt the address out of this tenant's e-mails and say so."""
    _, email = await _unsubscribe(settings, store, token)
    return HTMLResponse(
        "<!doctype html><title>Unsubscribed</title>"
        f"<p>{html.escape(email)} will no longer receive delivery e-mails.</p>"
    )


@router.post("/unsubscribe/{token}", status_code=204, summary="One-click unsubscribe (RFC 8058)")
async def unsubscribe_one_click(settings: SettingsDep, store: StoreDep, token: str) -> Response:
    """The List-Unsubscribe-Post form of the same link."""
    await _unsubscribe(settings, store, token)
    return Response(status_code=204)
