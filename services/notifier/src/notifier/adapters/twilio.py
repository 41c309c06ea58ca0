"""SMS through a Twilio-compatible Messages API (form-encoded POST, basic auth)."""

from __future__ import annotations

import logging

from notifier.adapters.form_client import Answer, FormClient, NoAnswer, NotSent
from notifier.domain.masking import mask_phone
from notifier.service_layer.channels import OutgoingMessage, SendResult

log = logging.getLogger(__name__)

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
        self._path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._sender = sender
        self._service = messaging_service_sid
        self._callback = status_callback
        self._http = FormClient(
            base_url,
            auth=(account_sid, auth_token),
            connections=connections,
            timeout_s=timeout_s,
        )

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
            answer = await self._http.post_form(self._path, form)
        except NotSent as exc:
            # The request never reached the provider: sending again cannot duplicate.
            return SendResult("retry", error=f"connect: {exc}")
        except NoAnswer as exc:
            log.warning(
                "sms outcome unknown", extra={"to": mask_phone(message.to), "error": str(exc)}
            )
            return SendResult("unknown", error=f"no answer: {exc}")
        return _classify(answer)

    async def close(self) -> None:
        """Close the provider connections."""
        await self._http.close()


def _classify(answer: Answer) -> SendResult:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if answer.status in (200, 201):
        return SendResult("sent", str(body.get("sid") or "") or None)
    code = body.get("code")
    error = f"HTTP {answer.status}" + (f" code {code}" if code else "")
    if body.get("message"):
        error += f": {body['message']}"
    if answer.status == 429 or answer.status >= 500:
        return SendResult("retry", error=error, retry_after_s=_retry_after(answer))
    # 4xx other than 429 (invalid number 21211 and friends): permanent, never retried.
    return SendResult("failed", error=error)


def _retry_after(answer: Answer) -> float | None:
    value = answer.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
