"""The e-mail send journal: how far each send got, and what a restart decides from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from notifier.adapters.send_journal import SendJournal
from notifier.adapters.smtp import SmtpChannel
from notifier.domain.recovery import from_journal
from notifier.service_layer.channels import OutgoingMessage
from notifier.testing.smtp_capture import SmtpCapture

from lastmile.infra.ports import free_port


class _RefuseRecipient:
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return "550 no such user"


def _mail(n: int) -> OutgoingMessage:
    return OutgoingMessage(f"id-{n}", f"r{n}@example.com", "text", "subject")


async def test_an_accepted_mail_is_journaled_as_handed_then_accepted(tmp_path: Path) -> None:
    capture = SmtpCapture().start()
    journal = SendJournal(tmp_path)
    channel = SmtpChannel("127.0.0.1", capture.port, "lastmile <n@shop.example>", journal=journal)
    try:
        result = await channel.send(_mail(1))
        again = await channel.send(_mail(1))
    finally:
        await channel.close()
        capture.stop()
        journal.close()
    assert result.outcome == "sent"
    # The Message-ID comes from the notification id: the same for every attempt of the key.
    assert result.provider_message_id == again.provider_message_id == "<id-1@shop.example>"
    assert capture.mails[0].message["Message-ID"] == "<id-1@shop.example>"
    assert journal.path.read_text().split("\n")[:3] == ["S id-1", "H id-1", "A id-1"]


async def test_a_refused_recipient_never_reaches_data(tmp_path: Path) -> None:
    port = free_port()
    controller = Controller(_RefuseRecipient(), hostname="127.0.0.1", port=port)
    controller.start()
    journal = SendJournal(tmp_path)
    channel = SmtpChannel("127.0.0.1", port, "n@shop.example", journal=journal)
    try:
        result = await channel.send(_mail(2))
    finally:
        await channel.close()
        controller.stop()
        journal.close()
    assert result.outcome == "failed"
    assert journal.path.read_text() == "S id-2\n"


def test_a_restart_decides_from_what_the_previous_process_wrote(tmp_path: Path) -> None:
    crashed = SendJournal(tmp_path)
    crashed.claimed(["a", "b", "c", "d", "f"])
    for line in ("S a", "H a", "A a", "S b", "S c", "H c", "S d", "H d", "R d"):
        kind, _, notification_id = line.partition(" ")
        crashed.mark(kind, notification_id)
    crashed.close()
    restarted = SendJournal(tmp_path)
    marks = restarted.previous_marks()
    ids = ["a", "b", "c", "d", "e", "f"]
    verdicts = {v.id: v for v in from_journal(marks, ids, "shop.example")}
    assert verdicts["a"].state == "sent" and verdicts["a"].provider_message_id == "<a@shop.example>"
    assert verdicts["b"].state == "pending"  # never handed to the relay: sent again
    assert verdicts["f"].state == "pending"  # claimed, the send never began
    assert verdicts["c"].state == "unknown"  # handed over, no answer: cannot be known
    assert verdicts["d"].state == "pending"  # the relay said no
    assert "e" not in verdicts  # not this pod's send: nothing known here
    restarted.forget_previous()
    assert [p.name for p in tmp_path.iterdir()] == [restarted.path.name]
    restarted.close()
