"""A Twilio-compatible Messages API on a local port: records requests, fails on command."""

from __future__ import annotations

import asyncio
import base64
import socket
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass(frozen=True)
class SmsRequest:
    """One request the fake received and what it answered."""

    to: str
    body: str
    form: dict[str, str]
    status: int
    sid: str | None
    received_at: float


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
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """Where to point NOTIFIER_TWILIO_BASE_URL."""
        return f"http://127.0.0.1:{self.port}"

    def to(self, number: str) -> list[SmsRequest]:
        """Requests for one recipient."""
        return [r for r in self.requests if r.to == number]

    async def _messages(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"code": 20003, "message": "Authenticate"}, status_code=401)
        form = dict(parse_qsl((await request.body()).decode()))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        to = form.get("To", "")
        status, payload = 201, {}
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
            SmsRequest(to, form.get("Body", ""), form, status, sid, time.monotonic())
        )
        return JSONResponse(payload, status_code=status)

    async def start(self) -> FakeTwilio:
        """Serve on a free local port in the running event loop."""
        path = "/2010-04-01/Accounts/{sid}/Messages.json"
        app = Starlette(routes=[Route(path, self._messages, methods=["POST"])])
        sock = socket.socket()
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:  # noqa: ASYNC110 - uvicorn exposes only a flag
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
