"""kill -9 in the middle of a burst, restart: every notification key reaches the provider at most
once; SMS in flight at the kill are decided by asking the provider, e-mails by the send journal
and, those the relay had been handed but had not answered, by the relay's Message-ID search:
none is left unknown."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from lastmile_common.api_keys import issue
from lastmile_common.events.envelope import Envelope, encode
from notifier.testing import events as ev
from notifier.testing.fake_twilio import FakeTwilio
from notifier.testing.mail_search import FakeMailSearch
from notifier.testing.smtp_capture import SmtpCapture

from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process, wait_ready
from lastmile.testing.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BURST = 300


SETTINGS = {
    "LOG_LEVEL": "INFO",  # the logs are checked for phone numbers: keep them as chatty as usual
    "REQUIRE_TENANT_SETTINGS": "true",
    "SMS_PROVIDER": "twilio",
    "TWILIO_ACCOUNT_SID": "ACtest",
    "EMAIL_PROVIDER": "smtp",
    "DISPATCH_CONCURRENCY": "16",
    "DISPATCH_BATCH_SIZE": "50",
    "UNKNOWN_SETTLE_S": "1",
    "UNKNOWN_CHECK_INTERVAL_S": "0.5",
}


async def _burst(producer: Any, tenant: str, port: int) -> list[str]:
    """Configure the tenant, then publish BURST order.created on one key; return the phones."""
    key = issue(os.environ.get("LASTMILE_API_KEY_SECRET", "dev-api-key-secret-change-me"), tenant)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        settings = await client.put(
            "/v1/settings",
            json={"brand_name": "Crash"},
            headers={"Authorization": f"Bearer {key.raw}"},
        )
        assert settings.status_code == 200, settings.text
    phones = [f"+49151{i:08d}" for i in range(10_000_000, 10_000_000 + BURST)]
    order_ids = [f"crash-{tenant[:6]}-{i}" for i in range(BURST)]
    for order_id, phone in zip(order_ids, phones, strict=True):
        data = ev.order_created(order_id, phone=phone, email=_email(phone))
        envelope = Envelope.wrap(data, source="tests", tenant=tenant)
        record = encode(envelope, "depot-1")
        await producer.send(
            envelope.topic, value=record.value, key=record.key, headers=record.headers
        )
    await producer.flush()
    return phones


async def _settled_rows(infra: Any, tenant: str) -> list[Any]:
    """The tenant's notification rows once all BURST are written and none is in flight."""
    conn = await asyncpg.connect(infra.database_url)
    try:

        async def settled() -> list[Any] | None:
            rows = await conn.fetch(
                "SELECT address, channel, state, reason FROM notifier.notifications"
                " WHERE tenant_id = $1",
                tenant,
            )
            done = len(rows) == 2 * BURST and all(_settled(r) for r in rows)
            return list(rows) if done else None

        return await eventually(settled, timeout=150, interval=0.2, what="the burst settled")
    finally:
        await conn.close()


# size: one scenario (burst, kill -9, restart, recovery, counts) read top to bottom
async def test_kill_9_mid_burst_then_restart_sends_no_duplicates(
    infra: Any, producer: Any, tmp_path: Path
) -> None:
    twilio = await FakeTwilio(account_sid="ACtest", delay_s=0.05).start()
    smtp = SmtpCapture(delay_s=0.02).start()
    relay = await FakeMailSearch(smtp).start()
    port = free_port()
    tenant = uuid.uuid4().hex
    settings = {
        **SETTINGS,
        "TWILIO_BASE_URL": twilio.base_url,
        "CONSUMER_GROUP": f"notifier-crash-{uuid.uuid4().hex[:8]}",
        "SMTP_PORT": str(smtp.port),
        "SEND_JOURNAL_DIR": str(tmp_path / "journal"),
        "EMAIL_SEARCH_URL": relay.base_url,
    }
    log = tmp_path / "notifier.log"
    try:
        with (
            log.open("ab") as out,
            service_process("notifier", infra, port, settings=settings, output=out) as proc,
        ):
            await wait_ready(proc, port)
            phones = await _burst(producer, tenant, port)
            mine = set(phones)
            await eventually(
                lambda: sum(r.to in mine for r in twilio.requests) >= BURST // 4,
                timeout=60,
                interval=0.01,
                what="the burst started",
            )
            proc.kill()  # SIGKILL: no shutdown, rows may be left in `sending`
            proc.wait()
        killed_at = sum(r.to in mine for r in twilio.requests)
        assert killed_at < BURST, "the burst finished before the kill"
        with (
            log.open("ab") as out,
            service_process(
                "notifier", infra, port, settings=settings, output=out, graceful=True
            ) as proc,
        ):
            await wait_ready(proc, port)
            rows = await _settled_rows(infra, tenant)
    finally:
        await twilio.stop()
        await relay.stop()
        smtp.stop()

    per_address = {p: len(twilio.to(p)) for p in phones}
    per_address |= {_email(p): len(smtp.to(_email(p))) for p in phones}
    assert max(per_address.values()) == 1, "a notification key reached the provider twice"
    states = {r["address"]: r["state"] for r in rows}
    assert all(per_address[a] == 1 for a, s in states.items() if s == "sent")
    assert all(s != "failed" for s in states.values())
    # What was in flight at the kill was decided after the restart: found at the provider or
    # accepted by the relay (sent, not resent), or never handed over (sent now, once).
    decided = Counter((r["channel"], r["reason"]) for r in rows if r["reason"])
    print(f"killed after {killed_at} of {BURST} orders; decided after restart: {dict(decided)}")
    assert sum(decided.values()) >= 1, "nothing was in flight at the kill"
    assert all(r["state"] == "sent" for r in rows if r["channel"] == "sms"), "an SMS is undecided"
    # Only this burst's numbers: the restarted consumer group reads the topics from the start,
    # so another test's order still due a message may reach this fake Twilio too.
    assert sum(r.to in mine for r in twilio.requests) == BURST
    # E-mails the relay had been handed but had not answered were asked about by Message-ID.
    assert [r for r in rows if r["state"] == "unknown"] == [], "a message stayed undecided"
    assert all(r["state"] == "sent" for r in rows)
    text = log.read_text()
    assert not any(p in text for p in phones), "a phone number reached the logs"
    assert not any(_email(p) in text for p in phones), "an e-mail address reached the logs"


def _email(phone: str) -> str:
    return f"c{phone[1:]}@crash.example"


def _settled(row: Any) -> bool:
    """Final, or unknown and judged undecidable: nothing more will happen to it."""
    return row["state"] in ("sent", "failed") or (
        row["state"] == "unknown" and row["reason"].startswith("undecided")
    )
