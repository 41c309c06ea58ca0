"""SMS through a Twilio-compatible Messages API (form-encoded POST, basic auth), and asking
that API afterwards which messages it created (the Messages list, newest first)."""

from __future__ import annotations

import logging
from datetime import datetime
from email.utils import parsedate_to_datetime

from notifier.adapters.form_client import Answer, FormClient, NoAnswer, NotSent
from notifier.domain.masking import mask_phone
from notifier.domain.recovery import ProviderCopy
from notifier.service_layer.channels import OutgoingMessage, SendResult

log = logging.getLogger(__name__)

# Twilio error codes that no retry will fix (invalid or unreachable 'To', blocked, opted out).
PERMANENT_CODES = {21211, 21214, 21408, 21610, 21612, 21614}
LIST_PAGE_SIZE = 100
LIST_MAX_PAGES = 10


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

    async def sent_to(self, to: str, since: datetime) -> list[ProviderCopy] | None:
        """Messages from our sender to `to` created at or after `since`; None if it cannot tell.

        Twilio lists newest first and echoes `To`, `From`/`MessagingServiceSid`, `Body`, status
        and `date_created` (not the StatusCallback), so that is what a message is matched on.
        """
        query: dict[str, str] | None = {"To": to, "PageSize": str(LIST_PAGE_SIZE)}
        path: object = self._path
        copies: list[ProviderCopy] = []
        for _ in range(LIST_MAX_PAGES):
            try:
                answer = await self._http.get(str(path), query)
                page = answer.json() if answer.status == 200 else None
                found, done, path = self._page(page, since)
            except (NotSent, NoAnswer, ValueError, TypeError, KeyError):
                return None
            copies += found
            query = None  # the next page's URI carries the query
            if done or not path:
                return copies  # newest first: what follows is older still
        return None  # more pages than we read: do not guess

    def _page(self, page: object, since: datetime) -> tuple[list[ProviderCopy], bool, object]:
        """Our messages of one page created since `since`, whether older ones began, next page."""
        if not isinstance(page, dict):
            raise ValueError("not a Messages list page")
        found, older = [], False
        for message in page.get("messages") or ():
            if not self._ours(message):
                continue
            created = parsedate_to_datetime(str(message["date_created"]))
            if created < since:
                older = True
                continue
            body, status = str(message.get("body") or ""), str(message.get("status") or "")
            found.append(ProviderCopy(str(message["sid"]), body, status, created))
        return found, older, page.get("next_page_uri")

    def _ours(self, message: object) -> bool:
        if not isinstance(message, dict) or not message.get("sid"):
            return False
        if self._service:
            return bool(message.get("messaging_service_sid") == self._service)
        return bool(message.get("from") == self._sender)

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
