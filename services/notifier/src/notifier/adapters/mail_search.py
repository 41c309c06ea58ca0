"""Asking the mail relay which of our e-mails it holds, by Message-ID, through Mailpit's message
search API (`GET /api/v1/search?query=message-id:...`), which local relays and test sinks serve."""

from __future__ import annotations

from collections.abc import Sequence

from notifier.adapters.form_client import FormClient, NoAnswer, NotSent

SEARCH_PATH = "/api/v1/search"


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

    async def close(self) -> None:
        """Close the connections."""
        await self._http.close()
