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
from email.utils import formataddr, formatdate, parseaddr

import aiosmtplib

from notifier.adapters.send_journal import ACCEPTED, HANDING, REFUSED, STARTED, SendJournal
from notifier.domain.masking import mask_email
from notifier.domain.recovery import email_message_id
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
        journal: SendJournal | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1]
        self.domain = self._envelope_from.rpartition("@")[2] or "lastmile"
        self._journal = journal
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
        # The same Message-ID for every attempt of a notification key: a relay or mailbox that
        # deduplicates on it sees a resend as the same message.
        mail["Message-ID"] = email_message_id(message.notification_id, self.domain)
        for name, value in message.headers.items():
            mail[name] = _text(value)
        return mail

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver to the SMTP server; never raises for server or network errors."""
        mail = self.build(message)
        raw = mail.as_bytes(policy=_POLICY)
        self._mark(STARTED, message)
        async with self._slots:
            try:
                client = await self._client()
            except (aiosmtplib.SMTPException, OSError) as exc:
                # No session (connect, EHLO, STARTTLS, auth): nothing of this mail was sent.
                return SendResult("retry", error=f"connect: {type(exc).__name__}: {exc}")
            result = await self._transaction(client, message, raw)
            if result is None:
                self._idle.append((client, time.monotonic()))
                return SendResult("sent", str(mail["Message-ID"]))
            client.close()  # mid-transaction or broken: start afresh next time
            return result

    async def _transaction(
        self, client: aiosmtplib.SMTP, message: OutgoingMessage, raw: bytes
    ) -> SendResult | None:
        """MAIL, RCPT, then DATA; None when the relay accepted the message."""
        try:
            await client.mail(self._envelope_from)
            await client.rcpt(message.to)
        except aiosmtplib.SMTPResponseException as exc:
            return _refused(exc)
        except (aiosmtplib.SMTPException, OSError) as exc:
            # Before DATA the relay cannot have taken the message: sending again is safe.
            return SendResult("retry", error=f"before data: {type(exc).__name__}")
        self._mark(HANDING, message)
        try:
            await client.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            self._mark(REFUSED, message)
            return _refused(exc)
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning(
                "email outcome unknown",
                extra={"to": mask_email(message.to), "error": type(exc).__name__},
            )
            return SendResult("unknown", error=f"no answer: {type(exc).__name__}")
        self._mark(ACCEPTED, message)
        return None

    def _mark(self, kind: str, message: OutgoingMessage) -> None:
        if self._journal is not None:
            self._journal.mark(kind, message.notification_id)

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


def _refused(exc: aiosmtplib.SMTPResponseException) -> SendResult:
    """A relay's explicit no: 4xx try again later, 5xx (a refused recipient too) for good."""
    if 400 <= exc.code < 500:
        return SendResult("retry", error=f"SMTP {exc.code}")
    return SendResult(
        "failed",
        error=f"SMTP {exc.code}"
        + (" recipient refused" if isinstance(exc, aiosmtplib.SMTPRecipientRefused) else ""),
    )


def _text(value: str) -> str:
    """A header value on one line; RFC 2047 encoded-words when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode(linesep=" ")


def _address(value: str) -> str:
    """An address header whose display name may be non-ASCII."""
    name, address = parseaddr(value)
    return value if value.isascii() else formataddr((name, address), charset="utf-8")
