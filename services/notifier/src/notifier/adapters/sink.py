"""The local sink channel: messages kept in memory for a person to read at GET /sink."""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

from notifier.service_layer.channels import OutgoingMessage, SendResult


@dataclass(frozen=True)
class SinkEntry:
    """One message as the sink received it."""

    id: str
    channel: str
    to: str
    subject: str
    text: str
    html: str
    received_at: datetime


class SinkBox:
    """A bounded in-memory mailbox shared by the SMS and e-mail sinks."""

    def __init__(self, max_messages: int) -> None:
        self._entries: deque[SinkEntry] = deque(maxlen=max_messages)

    def add(self, channel: str, message: OutgoingMessage) -> SinkEntry:
        """Keep a message."""
        entry = SinkEntry(
            id=f"sink-{uuid.uuid4().hex[:16]}",
            channel=channel,
            to=message.to,
            subject=message.subject,
            text=message.text,
            html=message.html,
            received_at=datetime.now(UTC),
        )
        self._entries.append(entry)
        return entry

    def newest_first(self) -> list[SinkEntry]:
        """Every kept message, newest first."""
        return list(reversed(self._entries))


class SinkChannel:
    """A channel that delivers into the sink box."""

    provider = "sink"

    def __init__(self, channel: str, box: SinkBox) -> None:
        self.channel = channel
        self._box = box

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Keep the message; always accepted."""
        entry = self._box.add(self.channel, message)
        return SendResult("sent", entry.id)

    async def close(self) -> None:
        """Nothing to release."""
