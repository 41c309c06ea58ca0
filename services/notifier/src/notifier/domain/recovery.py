"""Deciding `unknown` messages later: SMS from what the provider holds, e-mail from how far
the send got (the journal) and, for those handed to the relay unanswered, from the relay's
message search; each ends sent, failed, to be sent again, or still unknown.

An SMS we may have handed over is matched on what the provider echoes of it (recipient, body,
created after we claimed it); a sid already recorded on another notification is never matched
again. Identical messages to one recipient are counted, not guessed at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

FAILED_STATUSES = {"failed", "undelivered", "canceled"}
UNDECIDED = "undecided"


@dataclass(frozen=True)
class ProviderCopy:
    """A message the provider holds: what its list API echoes back of our request."""

    sid: str
    body: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class Undecided:
    """An `unknown` notification: its id, recipient, text and when we claimed it."""

    id: str
    to: str
    body: str
    claimed_at: datetime


@dataclass(frozen=True)
class Verdict:
    """What an `unknown` notification turns out to be."""

    id: str
    state: Literal["sent", "failed", "pending", "unknown"]
    reason: str
    provider_message_id: str | None = None
    provider_status: str | None = None


def judge(
    rows: Iterable[Undecided],
    copies: Iterable[ProviderCopy],
    known_sids: set[str],
    skew: timedelta = timedelta(seconds=60),
) -> list[Verdict]:
    """Verdicts for one recipient's `unknown` rows, given the provider's messages to them."""
    free = [c for c in copies if c.sid not in known_sids]
    by_body: dict[str, list[Undecided]] = defaultdict(list)
    for row in rows:
        by_body[row.body].append(row)
    verdicts = []
    for body, group in by_body.items():
        group.sort(key=lambda r: r.claimed_at)
        since = group[0].claimed_at - skew  # the provider's clock may differ from ours
        matches = sorted(
            (c for c in free if c.body == body and c.created_at >= since),
            key=lambda c: c.created_at,
        )
        if not matches:
            reason = "the provider never created it: sent again"
            verdicts += [Verdict(r.id, "pending", reason) for r in group]
        elif len(matches) >= len(group):
            verdicts += [_found(r, c) for r, c in zip(group, matches, strict=False)]
        else:
            reason = (
                f"{UNDECIDED}: the provider has {len(matches)} of {len(group)} identical messages"
            )
            verdicts += [Verdict(r.id, "unknown", reason) for r in group]
    return verdicts


def _found(row: Undecided, copy: ProviderCopy) -> Verdict:
    if copy.status in FAILED_STATUSES:
        reason = f"found at the provider, status {copy.status}"
        return Verdict(row.id, "failed", reason, copy.sid, copy.status)
    return Verdict(row.id, "sent", "found at the provider", copy.sid, copy.status)


def from_journal(
    marks: dict[str, set[str]], ids: Iterable[str], domain: str, *, relay_searchable: bool = False
) -> list[Verdict]:
    """Verdicts for `unknown` e-mails from the marks a crashed process left (see send_journal).

    An e-mail handed to the relay without an answer stays `unknown`: for good when the relay
    cannot be searched, else until the relay is asked for its Message-ID (`from_relay`)."""
    verdicts = []
    for notification_id in ids:
        got = marks.get(notification_id)
        if got is None:
            continue  # not this process's send: nothing is known here
        if "A" in got:
            message_id = email_message_id(notification_id, domain)
            verdicts.append(Verdict(notification_id, "sent", "the relay accepted it", message_id))
        elif not got & {"C", "S"}:
            continue  # marks without the claim or the start: too little to decide on
        elif "H" not in got or "R" in got:
            reason = "the relay never accepted it: sent again"
            verdicts.append(Verdict(notification_id, "pending", reason))
        else:
            reason = "handed to the relay, no answer before the process died"
            if not relay_searchable:
                reason = f"{UNDECIDED}: {reason}"
            verdicts.append(Verdict(notification_id, "unknown", reason))
    return verdicts


def from_relay(ids: Iterable[str], held: set[str], domain: str) -> list[Verdict]:
    """Verdicts for settled `unknown` e-mails from the Message-IDs the relay says it holds.

    A relay stores a message before it answers 250, so once the send has settled, a
    Message-ID it does not hold was never taken: sending it again cannot duplicate."""
    verdicts = []
    for notification_id in ids:
        message_id = email_message_id(notification_id, domain)
        if message_id in held:
            reason = "found at the relay by its Message-ID"
            verdicts.append(Verdict(notification_id, "sent", reason, message_id))
        else:
            reason = "the relay holds no message with its Message-ID: sent again"
            verdicts.append(Verdict(notification_id, "pending", reason))
    return verdicts


def email_message_id(notification_id: str, domain: str) -> str:
    """The Message-ID of a notification's e-mail: the same for every attempt of the key."""
    return f"<{notification_id}@{domain}>"
