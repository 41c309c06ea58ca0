"""Mailpit's message search (`GET /api/v1/search?query=message-id:...`) over an `SmtpCapture`,
so the notifier can ask the local relay which e-mails it took, as it asks Twilio about SMS."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from time import monotonic
from urllib.parse import parse_qsl

from notifier.testing.json_http import JsonHttpServer
from notifier.testing.smtp_capture import CapturedMail, SmtpCapture

SEARCH = "/api/v1/search"


@dataclass
class FakeMailSearch:
    """Answers searches over what `capture` received; `unreachable` answers 503."""

    capture: SmtpCapture
    unreachable: bool = False
    queries: list[str] = field(default_factory=list)
    _server: JsonHttpServer | None = None

    @property
    def base_url(self) -> str:
        """Where to point NOTIFIER_EMAIL_SEARCH_URL."""
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.port}"

    def search(self, query: str) -> dict[str, object]:
        """Mailpit's answer: messages whose Message-ID contains each `message-id:` term."""
        self.queries.append(query)
        terms = [
            t.partition(":")[2].strip("\"'<>")
            for t in query.split()
            if t.lower().startswith("message-id:")
        ]
        with self.capture.lock:
            mails = list(self.capture.mails)
        found = [m for m in reversed(mails) if all(t in _message_id(m) for t in terms)]
        return {
            "total": len(mails),
            "messages_count": len(found),
            "count": len(found),
            "start": 0,
            "messages": [_summary(m) for m in found],
        }

    async def _handle(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, object]:
        resource, _, query = path.partition("?")
        if method != "GET" or resource != SEARCH:
            return 404, {"error": "not found"}
        if self.unreachable:
            return 503, {"error": "unavailable"}
        return 200, self.search(dict(parse_qsl(query)).get("query", ""))

    async def start(self) -> FakeMailSearch:
        """Serve on a free local port in the running event loop."""
        self._server = JsonHttpServer(self._handle)
        await self._server.start()
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            await self._server.stop()


def _message_id(mail: CapturedMail) -> str:
    # Mailpit keeps the Message-ID without its angle brackets.
    return str(mail.message.get("Message-ID", "")).strip().strip("<>")


def _summary(mail: CapturedMail) -> dict[str, object]:
    created = datetime.now(UTC) - timedelta(seconds=monotonic() - mail.received_at)
    return {
        "ID": str(uuid.uuid5(uuid.NAMESPACE_URL, _message_id(mail) + str(mail.received_at))),
        "MessageID": _message_id(mail),
        "To": [{"Name": "", "Address": a} for a in mail.rcpt_tos],
        "Subject": str(mail.message.get("Subject", "")),
        "Created": created.isoformat(),
    }
