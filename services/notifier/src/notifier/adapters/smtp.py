"""E-mail over SMTP (aiosmtplib): multipart text and HTML, STARTTLS and auth configurable."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from notifier.adapters.channels import OutgoingMessage, SendResult
from notifier.domain.masking import mask_email

log = logging.getLogger(__name__)


class SmtpChannel:
    """Sends one e-mail per connection; classifies SMTP replies into sent/retry/failed/unknown."""

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
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout_s

    def build(self, message: OutgoingMessage) -> EmailMessage:
        """The MIME message: text/plain with a text/html alternative."""
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(idstring=message.notification_id[:8], domain="lastmile")
        for name, value in message.headers.items():
            mail[name] = value
        mail.set_content(message.text)
        if message.html:
            mail.add_alternative(message.html, subtype="html")
        return mail

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Deliver to the SMTP server; never raises for server or network errors."""
        mail = self.build(message)
        try:
            await aiosmtplib.send(
                mail,
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                use_tls=False,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPConnectError as exc:
            return SendResult("retry", error=f"connect: {exc}")
        except aiosmtplib.SMTPRecipientsRefused:
            return SendResult("failed", error="recipient refused")
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                return SendResult("retry", error=f"SMTP {exc.code}")
            return SendResult("failed", error=f"SMTP {exc.code}")
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning(
                "email outcome unknown",
                extra={"to": mask_email(message.to), "error": type(exc).__name__},
            )
            return SendResult("unknown", error=f"no answer: {type(exc).__name__}")
        return SendResult("sent", str(mail["Message-ID"]))

    async def close(self) -> None:
        """Nothing pooled."""
