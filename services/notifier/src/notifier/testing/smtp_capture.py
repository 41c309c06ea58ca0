"""A local SMTP server (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class CapturedMail:
    """One received message."""

    rcpt_tos: list[str]
    message: Message
    received_at: float


@dataclass
class SmtpCapture:
    """aiosmtpd on 127.0.0.1 and a free port; `mails` fills as messages arrive."""

    mails: list[CapturedMail] = field(default_factory=list)
    port: int = 0
    # How long the relay takes to answer 250 once it has the message (a real one writes its
    # queue to disk first): the window in which a sender cannot know whether it was accepted.
    delay_s: float = 0.0
    _controller: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """aiosmtpd hook: keep the message."""
        message = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.mails.append(CapturedMail(list(envelope.rcpt_tos), message, time.monotonic()))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        return "250 Message accepted"

    def to(self, address: str) -> list[CapturedMail]:
        """Messages for one recipient."""
        with self.lock:
            return [m for m in self.mails if address in m.rcpt_tos]

    def start(self) -> SmtpCapture:
        """Start the server thread."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server thread."""
        if self._controller is not None:
            self._controller.stop()
