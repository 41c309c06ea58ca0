"""The channel port every provider implements, and what a send attempt can end in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Outcome = Literal["sent", "retry", "failed", "unknown"]


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message for one address."""

    notification_id: str
    to: str
    text: str
    subject: str = ""
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    """What the provider said.

    `retry`: not accepted, safe to send again (5xx, 429, no connection);
    `failed`: refused for good (invalid number, 4xx); `unknown`: we cannot tell whether it
    went out (timeout after the request was written), so it is never sent again.
    """

    outcome: Outcome
    provider_message_id: str | None = None
    error: str = ""
    retry_after_s: float | None = None


class Channel(Protocol):
    """A way to reach a recipient (SMS, e-mail) through one provider."""

    channel: str
    provider: str

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Hand one message to the provider; never raises for provider errors."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
