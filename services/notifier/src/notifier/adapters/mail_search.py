"""Asking the mail relay which of our e-mails it holds, by Message-ID, through Mailpit's message
search API (`GET /api/v1/search?query=message-id:...`), which local relays and test sinks serve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from notifier.adapters.form_client import FormClient, NoAnswer, NotSent

SEARCH_PATH = "/api/v1/search"
MESSAGES_PATH = "/api/v1/messages"  # newest first


class MailpitSearch:
    """A Mailpit-compatible search: which Message-IDs the relay received."""

    def __init__(
        self, base_url: str, *, auth: tuple[str, str] | None = None, timeout_s: float = 10.0
    ) -> None:
        self._http = FormClient(base_url, auth=auth, connections=4, timeout_s=timeout_s)

    async def holds(self, message_ids: Sequence[str]) -> set[str] | None:
        """Those of `message_ids` the relay holds; None when it cannot be asked (not "none")."""
        held = set()
        for message_id in message_ids:
            bare = message_id.strip("<>")
            # The search matches a substring; the local part is plain (a UUID), then compare exactly.
            query = {"query": f"message-id:{bare.partition('@')[0]}", "limit": "50"}
            try:
                answer = await self._http.get(SEARCH_PATH, query)
                page = answer.json() if answer.status == 200 else None
                found = page["messages"] if isinstance(page, dict) else None
                if not isinstance(found, list):
                    return None
            except (NotSent, NoAnswer, ValueError, KeyError):
                return None
            if any(
                isinstance(m, dict) and str(m.get("MessageID")).strip("<>") == bare for m in found
            ):
                held.add(message_id)
        return held

    async def kept_since(self) -> datetime | None:
        """When the oldest message the relay keeps arrived (its `Created`); None when it cannot
        be asked or keeps none."""
        try:
            first = await self._http.get(MESSAGES_PATH, {"limit": "1"})
            total = int(first.json()["total"]) if first.status == 200 else 0
            if total <= 0:
                return None
            last = await self._http.get(MESSAGES_PATH, {"start": str(total - 1), "limit": "1"})
            oldest = last.json()["messages"][0] if last.status == 200 else None
            created = datetime.fromisoformat(str(oldest["Created"])) if oldest else None
        except (NotSent, NoAnswer, ValueError, KeyError, IndexError, TypeError):
            return None
        return created if created is None or created.tzinfo else created.replace(tzinfo=UTC)

    async def close(self) -> None:
        """Close the connections."""
        await self._http.close()
