"""The SMTP channel: the MIME it writes, session reuse, and a dropped session replaced."""

from __future__ import annotations

import email
import socket
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from notifier.adapters.smtp import SmtpChannel
from notifier.service_layer.channels import OutgoingMessage


class _Recorder:
    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.rcpts: list[str] = []
        self.contents: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        self.rcpts.extend(envelope.rcpt_tos)
        self.contents.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _mail(n: int) -> OutgoingMessage:
    return OutgoingMessage(f"id-{n:08d}", f"r{n}@example.com", "text", "subject", "<p>html</p>")


async def test_sessions_are_reused_and_a_dropped_one_is_replaced() -> None:
    port = _free_port()
    recorder = _Recorder()
    server = Controller(recorder, hostname="127.0.0.1", port=port)
    server.start()
    channel = SmtpChannel("127.0.0.1", port, "lastmile <n@lastmile.local>", probe_after_s=0)
    try:
        results = [await channel.send(_mail(n)) for n in range(3)]
        assert [r.outcome for r in results] == ["sent"] * 3
        assert len(set(recorder.peers)) == 1
        # The server goes away and comes back: the idle session fails its NOOP, a new one is
        # opened, and the mail goes out once.
        server.stop()
        server = Controller(recorder, hostname="127.0.0.1", port=port)
        server.start()
        again = await channel.send(_mail(3))
        assert again.outcome == "sent"
        assert recorder.rcpts == [f"r{n}@example.com" for n in range(4)]
        assert len(set(recorder.peers)) == 2
    finally:
        await channel.close()
        server.stop()


async def test_no_server_is_a_retry() -> None:
    channel = SmtpChannel("127.0.0.1", _free_port(), "n@lastmile.local", timeout_s=2)
    result = await channel.send(_mail(1))
    assert result.outcome == "retry"


async def test_the_mail_has_both_parts_and_unfolded_utf8_headers() -> None:
    port = _free_port()
    recorder = _Recorder()
    server = Controller(recorder, hostname="127.0.0.1", port=port)
    server.start()
    channel = SmtpChannel("127.0.0.1", port, "Läden & Co <n@lastmile.local>")
    link = "<https://notifier.example/unsubscribe/" + "t" * 120 + ">"
    subject = "Acme: Lieferung bestätigt – " + "x" * 80
    message = OutgoingMessage(
        "id-12345678",
        "jo@example.com",
        "Grüße – Jane",
        subject,
        "<p>Grüße</p>",
        {"List-Unsubscribe": link, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    try:
        result = await channel.send(message)
    finally:
        await channel.close()
        server.stop()
    assert result.outcome == "sent"
    mail = email.message_from_bytes(recorder.contents[0], policy=default)
    assert (mail["Subject"], mail["From"], mail["To"]) == (
        subject,
        "Läden & Co <n@lastmile.local>",
        "jo@example.com",
    )
    assert mail["List-Unsubscribe"] == link
    assert mail["Message-ID"] == result.provider_message_id
    assert mail.get_body(("plain",)).get_content() == "Grüße – Jane"
    assert mail.get_body(("html",)).get_content() == "<p>Grüße</p>"
