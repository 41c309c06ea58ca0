"""Deciding `unknown` messages: SMS by asking the provider what it created (every few seconds),
e-mail at start from the send journal a killed process left, then those the journal cannot
decide (handed to the relay, unanswered) by asking the relay's search for their Message-ID."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from prometheus_client import Counter as Metric

from notifier.domain.recovery import (
    ProviderCopy,
    Undecided,
    Verdict,
    email_message_id,
    from_journal,
    from_relay,
    judge,
)
from notifier.service_layer.channels import SendResult
from notifier.service_layer.dispatcher import outcome_event
from notifier.service_layer.ports import NotifierStore, Row, Transactions

log = logging.getLogger(__name__)
# The provider's clock may run behind ours: list a minute further back than the claim.
_SKEW = timedelta(seconds=60)
LEFT_SENDING = "dispatcher stopped before the provider answered"
DECIDED = Metric("notifier_unknown_decided_total", "unknown messages decided later", ["state"])


@runtime_checkable
class SentLookup(Protocol):
    """A provider that can list what it created for a recipient (Twilio's Messages list)."""

    async def sent_to(self, to: str, since: datetime) -> list[ProviderCopy] | None:
        """Messages to `to` created since `since`; None when the provider cannot be asked."""
        ...


class RelaySearch(Protocol):
    """A mail relay that can say which Message-IDs it received (Mailpit's search)."""

    async def holds(self, message_ids: Sequence[str]) -> set[str] | None:
        """Those of `message_ids` the relay holds; None when it cannot be asked."""
        ...


@dataclass(frozen=True)
class RelayLookup:
    """The relay's search and the domain our Message-IDs carry."""

    search: RelaySearch
    domain: str


class UnknownResolver:
    """Asks the SMS provider (and the mail relay) about settled `unknown` messages and records
    what they say."""

    def __init__(
        self,
        tx: Transactions,
        sms: SentLookup | None,
        settle_s: float,
        interval_s: float,
        relay: RelayLookup | None = None,
    ) -> None:
        self._tx = tx
        self._sms = sms
        self._relay = relay
        self._settle_s = settle_s
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run in the background until `stop`."""
        self._task = asyncio.create_task(self._run(), name="notifier-unknown-resolver")

    async def stop(self) -> None:
        """Stop between rounds."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            try:
                await self.resolve_once()
            except Exception:
                log.exception("deciding unknown messages failed; retrying")
            await asyncio.sleep(self._interval_s)

    async def resolve_once(self, limit: int = 200) -> Counter[str]:
        """One round: ask about each settled message, record the verdicts; count them."""
        counts: Counter[str] = Counter()
        if self._sms is not None:
            counts += await self._resolve_sms(self._sms, limit)
        if self._relay is not None:
            counts += await self._resolve_email(self._relay, limit)
        return counts

    async def _resolve_email(self, relay: RelayLookup, limit: int) -> Counter[str]:
        async with self._tx() as store:
            rows = await store.unknown.undecided("email", self._settle_s, limit)
        if not rows:
            return Counter()
        ids = [str(r["id"]) for r in rows]
        held = await relay.search.holds([email_message_id(i, relay.domain) for i in ids])
        if held is None:
            return Counter({"unreachable": len(ids)})  # the relay could not be asked: next round
        verdicts = from_relay(ids, held, relay.domain)
        async with self._tx() as store:
            await apply_verdicts(store, verdicts)
        counts: Counter[str] = Counter(v.state for v in verdicts)
        log.warning("unknown e-mails asked about", extra={"outcomes": dict(counts)})
        return counts

    async def _resolve_sms(self, sms: SentLookup, limit: int) -> Counter[str]:
        async with self._tx() as store:
            rows = await store.unknown.undecided("sms", self._settle_s, limit)
        by_recipient: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_recipient[row["address"]].append(row)
        counts: Counter[str] = Counter()
        for address, group in by_recipient.items():
            since = min(r["claimed_at"] for r in group)
            copies = await sms.sent_to(address, since - _SKEW)
            if copies is None:
                counts["unreachable"] += len(group)
                continue  # the provider could not be asked: next round
            undecided = [
                Undecided(str(r["id"]), r["address"], r["body_text"], r["claimed_at"])
                for r in group
            ]
            async with self._tx() as store:
                known = await store.unknown.known_sids([c.sid for c in copies])
                verdicts = judge(undecided, copies, known)
                await apply_verdicts(store, verdicts)
            counts.update(v.state for v in verdicts)
        if rows:
            log.warning("unknown messages asked about", extra={"outcomes": dict(counts)})
        return counts


async def apply_verdicts(store: NotifierStore, verdicts: Sequence[Verdict]) -> None:
    """Record verdicts on rows still `unknown`, with their events, in the store's transaction."""
    changed = await store.unknown.record(verdicts)
    now = datetime.now(UTC)
    await store.publish(
        [
            outcome_event(r, r["state"], _result(r), now)
            for r in changed
            if r["state"] in ("sent", "failed")
        ]
    )
    for state, count in Counter(v.state for v in verdicts).items():
        DECIDED.labels(state).inc(count)


async def decide_from_journal(
    tx: Transactions, marks: dict[str, set[str]], domain: str, *, relay_searchable: bool = False
) -> Counter[str]:
    """At start: decide the e-mails earlier processes of this pod left unfinished.

    Their journal files are this pod's alone, so those processes are gone: a row they claimed
    is theirs even if still `sending` (a lease kept it from being recovered). Such an SMS
    becomes `unknown`, for the resolver to ask Twilio about.
    """
    async with tx() as store:
        rows = await store.unknown.open_among(list(marks))
        emails = [i for i, channel, _ in rows if channel == "email"]
        verdicts = from_journal(marks, emails, domain, relay_searchable=relay_searchable)
        verdicts += [
            Verdict(i, "unknown", LEFT_SENDING)
            for i, channel, state in rows
            if channel == "sms" and state == "sending"
        ]
        await apply_verdicts(store, verdicts)
    counts: Counter[str] = Counter(v.state for v in verdicts)
    if verdicts:
        log.warning("unknown messages decided from the journal", extra={"outcomes": dict(counts)})
    return counts


def unknown_resolver(
    tx: Transactions,
    channels: Mapping[str, object],
    settle_s: float,
    interval_s: float,
    relay: RelayLookup | None = None,
) -> UnknownResolver | None:
    """A started resolver when the SMS provider can list what it sent (Twilio) or the relay can
    be searched, else None."""
    sms = channels.get("sms")
    lookup = sms if isinstance(sms, SentLookup) else None
    if lookup is None and relay is None:
        return None
    resolver = UnknownResolver(tx, lookup, settle_s, interval_s, relay)
    resolver.start()
    return resolver


def _result(row: Row) -> SendResult:
    return SendResult(row["state"], row["provider_message_id"], error=row["reason"])
