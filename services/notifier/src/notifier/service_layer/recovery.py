"""Deciding `unknown` messages: SMS by asking the provider what it created (every few seconds),
e-mail at start from the send journal a killed process left."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from prometheus_client import Counter as Metric

from notifier.domain.recovery import ProviderCopy, Undecided, Verdict, from_journal, judge
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


class UnknownResolver:
    """Asks the provider about settled `unknown` SMS and records what it says."""

    def __init__(
        self, tx: Transactions, sms: SentLookup, settle_s: float, interval_s: float
    ) -> None:
        self._tx = tx
        self._sms = sms
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
        """One round: ask about each settled recipient, record the verdicts; count them."""
        async with self._tx() as store:
            rows = await store.unknown.undecided("sms", self._settle_s, limit)
        by_recipient: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_recipient[row["address"]].append(row)
        counts: Counter[str] = Counter()
        for address, group in by_recipient.items():
            since = min(r["claimed_at"] for r in group)
            copies = await self._sms.sent_to(address, since - _SKEW)
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
    tx: Transactions, marks: dict[str, set[str]], domain: str
) -> Counter[str]:
    """At start: decide the e-mails earlier processes of this pod left unfinished.

    Their journal files are this pod's alone, so those processes are gone: a row they claimed
    is theirs even if still `sending` (a lease kept it from being recovered). Such an SMS
    becomes `unknown`, for the resolver to ask Twilio about.
    """
    async with tx() as store:
        rows = await store.unknown.open_among(list(marks))
        emails = [i for i, channel, _ in rows if channel == "email"]
        verdicts = from_journal(marks, emails, domain)
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
    tx: Transactions, channels: Mapping[str, object], settle_s: float, interval_s: float
) -> UnknownResolver | None:
    """A started resolver when the SMS provider can list what it sent (Twilio), else None."""
    sms = channels.get("sms")
    if not isinstance(sms, SentLookup):
        return None
    resolver = UnknownResolver(tx, sms, settle_s, interval_s)
    resolver.start()
    return resolver


def _result(row: Row) -> SendResult:
    return SendResult(row["state"], row["provider_message_id"], error=row["reason"])
