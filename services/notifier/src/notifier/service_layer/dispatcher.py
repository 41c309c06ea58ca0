"""The dispatcher: claims pending rows (committed as `sending` first), calls providers, records."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiolimiter import AsyncLimiter
from lastmile_common.events.notifications import NotificationFailed, NotificationSent
from lastmile_common.kafka.retry import backoff_delay
from prometheus_client import Counter, Histogram

from notifier.domain.masking import mask_address
from notifier.service_layer.channels import Channel, OutgoingMessage, SendResult
from notifier.service_layer.limits import RecipientWindow
from notifier.service_layer.ports import Finished, OutgoingEvent, Row, Transactions
from notifier.service_layer.tenant_cache import SendingConfigs

log = logging.getLogger(__name__)
CONFIG_TTL_S = 10.0
SENT = Counter("notifier_messages_total", "Send attempts by outcome", ["channel", "outcome"])
LATENCY = Histogram(
    "notifier_event_to_provider_seconds",
    "From the row's creation to the provider's answer",
    ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


@dataclass(frozen=True)
class DispatchSettings:
    """Knobs of the dispatcher loop."""

    batch_size: int = 200
    concurrency: int = 64
    poll_interval_s: float = 0.02
    max_attempts: int = 5
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 300.0
    sending_lease_s: float = 0.0


@dataclass(frozen=True)
class _Done:
    row: Row
    state: str
    result: SendResult
    next_at: datetime | None = None
    attempts_delta: int = 0


class Dispatcher:
    """One loop per process; several processes share the work through SKIP LOCKED."""

    def __init__(
        self,
        transactions: Transactions,
        channels: Mapping[str, Channel],
        buckets: Mapping[str, AsyncLimiter],
        settings: DispatchSettings,
        unsubscribe_url: Callable[[str, str], str] | None = None,
        on_claimed: Callable[[list[str]], None] | None = None,
    ) -> None:
        self._tx = transactions
        # Told the ids of each committed claim (the send journal), before any send begins.
        self._on_claimed = on_claimed
        self._unsubscribe_url = unsubscribe_url
        self._channels = channels
        self._buckets = buckets
        self._settings = settings
        self._recipients = RecipientWindow()
        # Read for every send: a change reaches the dispatcher within CONFIG_TTL_S.
        self._configs = SendingConfigs(transactions, CONFIG_TTL_S)
        self._stopping = asyncio.Event()
        self._slot_freed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._results: asyncio.Queue[_Done | None] = asyncio.Queue()

    async def start(self) -> None:
        """Resolve rows a crash left in `sending` (as `unknown`), then run the loop."""
        async with self._tx() as store:
            recovered = await store.notifications.recover_sending(self._settings.sending_lease_s)
        if recovered:
            log.warning("rows left in sending recorded as unknown", extra={"count": recovered})
        self._task = asyncio.create_task(self._run(), name="notifier-dispatcher")

    async def stop(self) -> None:
        """Stop claiming, finish the sends in flight, record them, close the channels."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        for channel in self._channels.values():
            await channel.close()

    @property
    def healthy(self) -> bool:
        """False once the loop died."""
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        recorder = asyncio.create_task(self._record_loop(), name="notifier-recorder")
        # Claim in batches: with sends in flight, wait until a quarter of the slots are free.
        threshold = max(1, self._settings.concurrency // 4)
        drained = False
        while not self._stopping.is_set():
            free = self._settings.concurrency - len(self._inflight)
            if not drained and free >= (threshold if self._inflight else 1):
                limit = min(free, self._settings.batch_size)
                try:
                    drained = await self._claim(limit) < limit
                except Exception:
                    log.exception("claiming failed; retrying")
                    drained = True
                continue
            await self._wait(poll=drained)
            drained = False
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        await self._results.put(None)
        await recorder

    async def _wait(self, *, poll: bool) -> None:
        """Until stop, the poll interval (nothing was due) or a freed send slot (busy)."""
        self._slot_freed.clear()
        waiters = [asyncio.ensure_future(self._stopping.wait())]
        if not poll and self._inflight:
            waiters.append(asyncio.ensure_future(self._slot_freed.wait()))
        _, pending = await asyncio.wait(
            waiters, timeout=self._settings.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in pending:
            waiter.cancel()

    async def _claim(self, limit: int) -> int:
        async with self._tx() as store:
            rows = await store.notifications.claim_due(limit)
        # Committed: every claimed row is `sending` before any provider sees it. Claims never
        # exceed the free send slots, so a crash leaves at most `concurrency` rows unknown.
        if rows and self._on_claimed is not None:
            self._on_claimed([str(row["id"]) for row in rows])
        for row in rows:
            task = asyncio.create_task(self._send_one(row))
            self._inflight.add(task)
            task.add_done_callback(self._finished)
        return len(rows)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        self._slot_freed.set()

    async def _send_one(self, row: Row) -> None:
        try:
            done = await self._send(row)
        except Exception as exc:
            log.exception("send failed", extra={"notification_id": str(row["id"])})
            done = _Done(row, "unknown", SendResult("unknown", error=type(exc).__name__))
        await self._results.put(done)

    async def _record_loop(self) -> None:
        """Record outcomes as they come, many per transaction."""
        while True:
            first = await self._results.get()
            batch = [first]
            while not self._results.empty() and len(batch) < 500:
                batch.append(self._results.get_nowait())
            finished = None in batch
            done = [d for d in batch if d is not None]
            while done:
                try:
                    await self._record(done)
                    break
                except Exception:
                    log.exception("recording outcomes failed; retrying")
                    await asyncio.sleep(0.5)
            if finished:
                return

    async def _send(self, row: Row) -> _Done:
        limit = (await self._configs.get(row["tenant_id"])).recipient_hourly_limit
        at = (row["event_time"] or row["created_at"]).timestamp()
        admission = self._recipients.admit(row["address"], row["kind"], limit, at)
        if not admission.send:
            limited = SendResult("retry", error="recipient rate limit")
            if admission.retry_in_s is None:
                return _Done(row, "dropped", limited, attempts_delta=-1)
            later = datetime.now(UTC) + timedelta(seconds=admission.retry_in_s)
            return _Done(row, "pending", limited, later, attempts_delta=-1)
        channel = self._channels[row["channel"]]
        await self._buckets[row["channel"]].acquire()
        message = OutgoingMessage(
            notification_id=str(row["id"]),
            to=row["address"],
            text=row["body_text"],
            subject=row["subject"],
            html=row["body_html"],
            headers=self._headers(row),
        )
        try:
            result = await channel.send(message)
        except Exception as exc:  # a provider adapter bug must not lose the row
            log.exception("channel raised", extra={"notification_id": str(row["id"])})
            result = SendResult("unknown", error=f"adapter error: {type(exc).__name__}")
        SENT.labels(row["channel"], result.outcome).inc()
        LATENCY.labels(row["channel"]).observe(
            (datetime.now(UTC) - row["created_at"]).total_seconds()
        )
        return self._classify(row, result)

    def _classify(self, row: Row, result: SendResult) -> _Done:
        if result.outcome != "retry":
            return _Done(row, result.outcome, result)
        if row["attempts"] >= self._settings.max_attempts:
            failed = SendResult(
                "failed", error=f"gave up after {row['attempts']} attempts: {result.error}"
            )
            return _Done(row, "failed", failed)
        delay = result.retry_after_s
        if delay is None:
            delay = backoff_delay(
                row["attempts"], self._settings.backoff_initial_s, self._settings.backoff_max_s
            )
        log.info(
            "provider asked to retry",
            extra={"to": mask_address(row["address"]), "error": result.error, "delay_s": delay},
        )
        return _Done(row, "pending", result, datetime.now(UTC) + timedelta(seconds=delay))

    async def _record(self, done: list[_Done]) -> None:
        now = datetime.now(UTC)
        outcomes: list[Finished] = [
            (
                str(d.row["id"]),
                d.state,
                d.result.provider_message_id,
                d.result.error,
                d.next_at,
                d.attempts_delta,
            )
            for d in done
        ]
        events = [
            outcome_event(d.row, d.state, d.result, now)
            for d in done
            if d.state in ("sent", "failed")
        ]
        async with self._tx() as store:
            await store.notifications.finish(outcomes)
            await store.publish(events)

    def _headers(self, row: Row) -> dict[str, str]:
        if row["channel"] != "email" or self._unsubscribe_url is None:
            return {}
        url = self._unsubscribe_url(row["tenant_id"], row["address"])
        # RFC 8058 one-click unsubscribe: mail clients POST to the same link.
        return {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


def outcome_event(row: Row, state: str, result: SendResult, now: datetime) -> OutgoingEvent:
    """The notification.sent or notification.failed event of a finished row."""
    common = {
        "notification_id": str(row["id"]),
        "order_id": row["order_id"],
        "kind": row["kind"],
        "channel": row["channel"],
        "version": row["version"],
    }
    data: NotificationSent | NotificationFailed
    if state == "sent":
        data = NotificationSent(
            **common, sent_at=now, provider_message_id=result.provider_message_id
        )
    else:
        data = NotificationFailed(**common, failed_at=now, reason=result.error)
    return OutgoingEvent(
        data, row["tenant_id"], row["order_id"], row["order_id"], row["traceparent"]
    )
