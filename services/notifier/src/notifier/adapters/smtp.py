"""E-mail over SMTP (aiosmtplib): multipart text and HTML, STARTTLS and auth configurable."""

from __future__ import annotations

import asyncio
import logging
import time
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, make_msgid, parseaddr

import aiosmtplib

from notifier.domain.masking import mask_email
from notifier.service_layer.channels import OutgoingMessage, SendResult

log = logging.getLogger(__name__)
# Header lines are not folded (up to SMTP's 998): a folded List-Unsubscribe URL or subject
# would come back with a leading space in some parsers.
_POLICY = compat32.clone(max_line_length=998, linesep="\r\n")


class SmtpChannel:
    """Sends e-mail over a few reused SMTP connections; classifies replies into outcomes."""

    channel = "email"
    provider = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
        connections: int = 16,
        idle_s: float = 30.0,
        probe_after_s: float = 2.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1]
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout_s
        self._idle_s = idle_s
        self._probe_after_s = probe_after_s
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    def build(self, message: OutgoingMessage) -> Message:
        """The MIME message: text/plain with a text/html alternative, UTF-8 bodies."""
        # The compat32 MIME classes: EmailMessage's header registry re-parses every header and
        # cost about 1.5 ms of CPU per mail, more than everything else in the send path.
        mail: Message = MIMEText(message.text, "plain", "utf-8", policy=_POLICY)
        if message.html:
            mail = MIMEMultipart("alternative", policy=_POLICY)
            mail.attach(MIMEText(message.text, "plain", "utf-8", policy=_POLICY))
            mail.attach(MIMEText(message.html, "html", "utf-8", policy=_POLICY))
        mail["From"] = _address(self._sender)
        mail["To"] = message.to
        mail["Subject"] = _text(message.subject)
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = make_msgid(idstring=message.notification_id[:8], domain="lastmile")
        for name, value in message.headers.items():
            mail[name] = _text(value)
        return mail

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver to the SMTP server; never raises for server or network errors."""
        mail = self.build(message)
        raw = mail.as_bytes(policy=_POLICY)
        async with self._slots:
            try:
                client = await self._client()
            except (aiosmtplib.SMTPException, OSError) as exc:
                # No session (connect, EHLO, STARTTLS, auth): nothing of this mail was sent.
                return SendResult("retry", error=f"connect: {type(exc).__name__}: {exc}")
            try:
                await client.sendmail(self._envelope_from, [message.to], raw)
            except aiosmtplib.SMTPRecipientsRefused:
                client.close()
                return SendResult("failed", error="recipient refused")
            except aiosmtplib.SMTPResponseException as exc:
                client.close()  # the session is mid-transaction: start afresh next time
                if 400 <= exc.code < 500:
                    return SendResult("retry", error=f"SMTP {exc.code}")
                return SendResult("failed", error=f"SMTP {exc.code}")
            except (aiosmtplib.SMTPException, OSError) as exc:
                client.close()
                log.warning(
                    "email outcome unknown",
                    extra={"to": mask_email(message.to), "error": type(exc).__name__},
                )
                return SendResult("unknown", error=f"no answer: {type(exc).__name__}")
            self._idle.append((client, time.monotonic()))
        return SendResult("sent", str(mail["Message-ID"]))

    async def _client(self) -> aiosmtplib.SMTP:
        """An idle session that still answers, or a new one."""
        now = time.monotonic()
        while self._idle:
            client, used = self._idle.pop()
            if not client.is_connected or now - used > self._idle_s:
                client.close()
                continue
            if now - used >= self._probe_after_s:
                # A session quiet for a while may have been closed by the server; a failed
                # NOOP costs nothing, a mail written into a dead session would be `unknown`.
                try:
                    await client.noop()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()
                    continue
            return client
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            start_tls=self._starttls,
            use_tls=False,
            timeout=self._timeout,
        )
        await client.connect()
        return client

    async def close(self) -> None:
        """Say goodbye on the idle sessions."""
        while self._idle:
            client, _ = self._idle.pop()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def _text(value: str) -> str:
    """A header value on one line; RFC 2047 encoded-words when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode(linesep=" ")


def _address(value: str) -> str:
    """An address header whose display name may be non-ASCII."""
    name, address = parseaddr(value)
    return value if value.isascii() else formataddr((name, address), charset="utf-8")
