"""kill -9 in the middle of a burst, restart: every notification key reaches the provider at most
once; SMS in flight at the kill are decided by asking the provider (none left unknown), e-mails by
the send journal (only those the relay had been handed but had not answered stay unknown)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
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
from notifier.testing.smtp_capture import SmtpCapture

from lastmile.infra.ports import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BURST = 300


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "notifier"], env=env, stdout=out, stderr=out)


async def _ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            assert proc.poll() is None, "notifier exited"
            try:
                if (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("notifier not ready")


async def test_kill_9_mid_burst_then_restart_sends_no_duplicates(
    infra: Any, producer: Any, tmp_path: Path
) -> None:
    twilio = await FakeTwilio(account_sid="ACtest", delay_s=0.05).start()
    smtp = SmtpCapture(delay_s=0.02).start()
    port = free_port()
    tenant = uuid.uuid4().hex
    env = {
        **os.environ,
        "NOTIFIER_DATABASE_URL": infra.database_url,
        "NOTIFIER_KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "NOTIFIER_HTTP_PORT": str(port),
        "NOTIFIER_CONSUMER_GROUP": f"notifier-crash-{uuid.uuid4().hex[:8]}",
        "NOTIFIER_REQUIRE_TENANT_SETTINGS": "true",
        "NOTIFIER_SMS_PROVIDER": "twilio",
        "NOTIFIER_TWILIO_BASE_URL": twilio.base_url,
        "NOTIFIER_TWILIO_ACCOUNT_SID": "ACtest",
        "NOTIFIER_EMAIL_PROVIDER": "smtp",
        "NOTIFIER_SMTP_PORT": str(smtp.port),
        "NOTIFIER_SEND_JOURNAL_DIR": str(tmp_path / "journal"),
        "NOTIFIER_DISPATCH_CONCURRENCY": "16",
        "NOTIFIER_DISPATCH_BATCH_SIZE": "50",
        "NOTIFIER_UNKNOWN_SETTLE_S": "1",
        "NOTIFIER_UNKNOWN_CHECK_INTERVAL_S": "0.5",
    }
    log = tmp_path / "notifier.log"
    proc = _start(env, log)
    try:
        await _ready(port, proc)
        key = issue(env.get("LASTMILE_API_KEY_SECRET", "dev-api-key-secret-change-me"), tenant)
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

        mine = set(phones)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while sum(r.to in mine for r in twilio.requests) < BURST // 4:
            assert loop.time() < deadline, "burst did not start"
            await asyncio.sleep(0.01)
        proc.kill()  # SIGKILL: no shutdown, rows may be left in `sending`
        proc.wait()
        killed_at = sum(r.to in mine for r in twilio.requests)
        assert killed_at < BURST, "the burst finished before the kill"

        proc = _start(env, log)
        await _ready(port, proc)
        conn = await asyncpg.connect(infra.database_url)
        try:
            while True:
                rows = await conn.fetch(
                    "SELECT address, channel, state, reason FROM notifier.notifications"
                    " WHERE tenant_id = $1",
                    tenant,
                )
                if len(rows) == 2 * BURST and all(_settled(r) for r in rows):
                    break
                assert loop.time() < deadline + 90, f"not settled: {len(rows)} rows"
                await asyncio.sleep(0.2)
        finally:
            await conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        await twilio.stop()
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
    sms = [r for r in rows if r["channel"] == "sms"]
    assert all(r["state"] == "sent" for r in sms), "an SMS was left undecided"
    assert len(twilio.requests) == BURST
    # E-mails left `unknown` are only those the relay was handed and had not answered: at most
    # one per SMTP session, and each of those did reach the relay once.
    undecided = [r["address"] for r in rows if r["state"] == "unknown"]
    assert all(
        r["reason"].startswith("undecided: handed to the relay")
        for r in rows
        if r["state"] == "unknown"
    )
    assert len(undecided) <= 16
    assert all(per_address[a] <= 1 for a in undecided)
    text = log.read_text()
    assert not any(p in text for p in phones), "a phone number reached the logs"
    assert not any(_email(p) in text for p in phones), "an e-mail address reached the logs"


def _settled(row: Any) -> bool:
    """Final, or unknown and judged undecidable: nothing more will happen to it."""
    return row["state"] in ("sent", "failed") or (
        row["state"] == "unknown" and row["reason"].startswith("undecided")
    )


def _email(phone: str) -> str:
    return f"c{phone[1:]}@crash.example"
