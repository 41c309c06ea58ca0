"""A Twilio-compatible Messages API on a local port: records requests, fails on command.

`POST Messages.json` creates a message; `GET Messages.json` lists them as Twilio does (newest
first, `To`/`From` filters, `PageSize`, `next_page_uri`), so the notifier can ask what it sent.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import parse_qsl, urlencode

from notifier.testing.json_http import JsonHttpServer


@dataclass(frozen=True)
class SmsRequest:
    """One request the fake received and what it answered."""

    to: str
    body: str
    form: dict[str, str]
    status: int
    sid: str | None
    received_at: float
    created_at: float = 0.0  # wall clock, for the list API's date_created


@dataclass
class FakeTwilio:
    """Answers like Twilio; `fail_next` statuses are used first, `invalid_numbers` get 21211."""

    account_sid: str = "ACtest"
    auth_token: str = "dev-twilio-auth-token"
    delay_s: float = 0.0
    fail_next: deque[int] = field(default_factory=deque)
    invalid_numbers: set[str] = field(default_factory=set)
    requests: list[SmsRequest] = field(default_factory=list)
    port: int = 0
    _server: JsonHttpServer | None = None

    @property
    def base_url(self) -> str:
        """Where to point NOTIFIER_TWILIO_BASE_URL."""
        return f"http://127.0.0.1:{self.port}"

    def to(self, number: str) -> list[SmsRequest]:
        """Requests for one recipient."""
        return [r for r in self.requests if r.to == number]

    def answer(
        self, path: str, authorization: str, body: bytes, method: str = "POST"
    ) -> tuple[int, dict[str, object]]:
        """The status and JSON a request gets (and record it)."""
        resource, _, query = path.partition("?")
        if resource != self._messages:
            return 404, {"code": 20404, "message": "Not found"}
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"code": 20003, "message": "Authenticate"}
        if method == "GET":
            return 200, self.page(dict(parse_qsl(query)))
        form = dict(parse_qsl(body.decode()))
        to = form.get("To", "")
        status: int = 201
        payload: dict[str, object] = {}
        if self.fail_next:
            status = self.fail_next.popleft()
            payload = {"code": 20500, "message": "Internal error", "status": status}
        elif to in self.invalid_numbers:
            status = 400
            payload = {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
        sid = None
        if status == 201:
            sid = f"SM{uuid.uuid4().hex}"
            payload = {"sid": sid, "status": "queued", "to": to}
        self.requests.append(
            SmsRequest(to, form.get("Body", ""), form, status, sid, time.monotonic(), time.time())
        )
        return status, payload

    @property
    def _messages(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def page(self, query: dict[str, str]) -> dict[str, object]:
        """One page of the Messages list: created messages, newest first, filtered."""
        size = min(1000, max(1, int(query.get("PageSize", "50"))))
        number = max(0, int(query.get("Page", "0")))
        wanted = [
            r
            for r in reversed(self.requests)
            if r.sid is not None
            and query.get("To", r.to) == r.to
            and query.get("From", r.form.get("From", "")) == r.form.get("From", "")
        ]
        chunk = wanted[number * size : (number + 1) * size]
        next_uri = None
        if len(wanted) > (number + 1) * size:
            next_uri = f"{self._messages}?{urlencode({**query, 'Page': number + 1})}"
        return {
            "messages": [self._resource(r) for r in chunk],
            "page": number,
            "page_size": size,
            "next_page_uri": next_uri,
            "uri": f"{self._messages}?{urlencode(query)}",
        }

    def _resource(self, request: SmsRequest) -> dict[str, object]:
        created = formatdate(request.created_at, usegmt=True).replace("GMT", "+0000")
        return {
            "sid": request.sid,
            "account_sid": self.account_sid,
            "to": request.to,
            "from": request.form.get("From"),
            "messaging_service_sid": request.form.get("MessagingServiceSid"),
            "body": request.body,
            "status": "sent",
            "direction": "outbound-api",
            "date_created": created,
            "date_sent": created,
            "error_code": None,
        }

    async def _handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, object]:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        return self.answer(path, headers.get("authorization", ""), body, method)

    async def start(self) -> FakeTwilio:
        """Serve on a free local port (or `port`) in the running event loop."""
        self._server = JsonHttpServer(self._handle)
        self.port = await self._server.start(self.port)
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            await self._server.stop()
