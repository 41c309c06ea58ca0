"""SMS through a Twilio-compatible Messages API (form-encoded POST, basic auth)."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys

import httpx

from notifier.adapters.channels import OutgoingMessage, SendResult
from notifier.domain.masking import mask_phone

log = logging.getLogger(__name__)

# httpcore tries `import sniffio` on every request; without sniffio installed each attempt
# walks sys.path (about 0.4 ms). A None entry makes the failed import instant.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

# Twilio error codes that no retry will fix (invalid or unreachable 'To', blocked, opted out).
PERMANENT_CODES = {21211, 21214, 21408, 21610, 21612, 21614}


class TwilioChannel:
    """Sends SMS with the Messages resource; classifies answers into sent/retry/failed/unknown."""

    channel = "sms"
    provider = "twilio"

    def __init__(
        self,
        base_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        *,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        timeout_s: float = 10.0,
        connections: int = 16,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._sender = sender
        self._service = messaging_service_sid
        self._callback = status_callback
        self._client = httpx.AsyncClient(
            auth=(account_sid, auth_token),
            timeout=timeout_s,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        # Requests queued inside httpcore's pool cost CPU per queued request on every state
        # change; waiting here instead keeps the pool's queue empty.
        self._slots = asyncio.Semaphore(connections)

    async def send(self, message: OutgoingMessage) -> SendResult:
        """POST one message; never raises for provider or network errors."""
        form = {"To": message.to, "Body": message.text}
        if self._service:
            form["MessagingServiceSid"] = self._service
        else:
            form["From"] = self._sender
        if self._callback:
            form["StatusCallback"] = self._callback
        try:
            async with self._slots:
                response = await self._client.post(self._url, data=form)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never reached the provider: sending again cannot duplicate.
            return SendResult("retry", error=f"connect: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            log.warning(
                "sms outcome unknown",
                extra={"to": mask_phone(message.to), "error": type(exc).__name__},
            )
            return SendResult("unknown", error=f"no answer: {type(exc).__name__}")
        return _classify(response)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _classify(response: httpx.Response) -> SendResult:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code in (200, 201):
        return SendResult("sent", str(body.get("sid") or "") or None)
    code = body.get("code")
    error = f"HTTP {response.status_code}" + (f" code {code}" if code else "")
    if body.get("message"):
        error += f": {body['message']}"
    if response.status_code == 429 or response.status_code >= 500:
        return SendResult("retry", error=error, retry_after_s=_retry_after(response))
    # 4xx other than 429 (invalid number 21211 and friends): permanent, never retried.
    return SendResult("failed", error=error)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
