"""`uv run python -m bench.notifier.crash [--orders 1000] [--rounds 3] [--kill-at 0.3]
[--no-recovery] [--no-relay-search] [--json]`: kill -9 of the notifier in the middle of a burst,
then a restart.

Each round: a fresh tenant, `--orders` order.created published at once (an SMS and an e-mail
each), the notifier killed with SIGKILL once `--kill-at` of the SMS reached the Twilio fake,
then started again until every notification is final or judged undecidable. It counts what
reached each provider per address (duplicates), what stays `unknown` (undecided) and how the
messages in flight were decided. `--no-recovery` runs the notifier as before the recovery
work: no send journal and a settle time no round waits for, so nothing in flight is decided;
`--no-relay-search` keeps the journal but does not ask the relay (Mailpit's search API, served
over the capture) about e-mails it had been handed unanswered.
The Twilio fake answers after `--twilio-delay-ms`, the SMTP relay after `--relay-delay-ms`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, cast

import asyncpg
from aiokafka import AIOKafkaProducer
from notifier.testing.fake_twilio import FakeTwilio
from notifier.testing.mail_search import FakeMailSearch
from notifier.testing.smtp_capture import SmtpCapture

from bench.notifier.measure import configure_tenant, records
from lastmile.infra.platform import Infrastructure, start_infrastructure
from lastmile.infra.ports import free_port
from lastmile.testing.processes import service_process, wait_ready
from lastmile.testing.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".lastmile" / "bench-notifier-crash"


def _settings(
    twilio: FakeTwilio, smtp: SmtpCapture, recovery: bool, relay: FakeMailSearch | None
) -> dict[str, str]:
    settings = {
        "CONSUMER_GROUP": f"notifier-crash-{uuid.uuid4().hex[:8]}",
        "REQUIRE_TENANT_SETTINGS": "true",
        "SMS_PROVIDER": "twilio",
        "TWILIO_BASE_URL": twilio.base_url,
        "TWILIO_ACCOUNT_SID": "ACbench",
        "EMAIL_PROVIDER": "smtp",
        "SMTP_PORT": str(smtp.port),
        "SMS_RATE_PER_S": "5000",
        "EMAIL_RATE_PER_S": "5000",
        "UNKNOWN_SETTLE_S": "2" if recovery else "86400",
        "UNKNOWN_CHECK_INTERVAL_S": "0.5",
    }
    if recovery:
        settings["SEND_JOURNAL_DIR"] = str(STATE / f"journal-{uuid.uuid4().hex[:8]}")
    if recovery and relay is not None:
        settings["EMAIL_SEARCH_URL"] = relay.base_url
    return settings


async def _settled(database_url: str, tenant: str, expected: int, recovery: bool) -> list[Any]:
    """The tenant's rows once all are written and none will change any more."""
    conn = await asyncpg.connect(database_url)
    try:

        async def check() -> list[Any] | None:
            rows = await conn.fetch(
                "SELECT address, channel, state, reason, attempts FROM notifier.notifications"
                " WHERE tenant_id = $1",
                tenant,
            )
            final = all(
                r["state"] in ("sent", "failed") or _final_unknown(r, recovery) for r in rows
            )
            return list(rows) if len(rows) == expected and final else None

        rows = await eventually(check, timeout=300, interval=0.5, what="the burst settled")
        return cast(list[Any], rows)
    finally:
        await conn.close()


def _final_unknown(row: Any, recovery: bool) -> bool:
    """Without recovery an `unknown` row never changes; with it, one is decided (from the
    journal, the provider's list, the relay's search) until only `undecided` ones are left."""
    if row["state"] != "unknown":
        return False
    return not recovery or row["reason"].startswith("undecided")


async def _round(
    infra: Infrastructure,
    orders: int,
    kill_at: float,
    recovery: bool,
    twilio: FakeTwilio,
    smtp: SmtpCapture,
    relay: FakeMailSearch | None,
    producer: AIOKafkaProducer,
) -> dict[str, Any]:
    port = free_port()
    settings = _settings(twilio, smtp, recovery, relay)
    with (STATE / "notifier.log").open("ab") as log:
        with service_process("notifier", infra, port, settings=settings, output=log) as proc:
            await wait_ready(proc, port)
            tenant = await configure_tenant(port, "Crash")
            batch = records(tenant, orders, True, uuid.uuid4().hex[:6])
            for _, _, record in batch:
                await producer.send(
                    "orders.v1", value=record.value, key=record.key, headers=record.headers
                )
            await producer.flush()
            phones = {phone for phone, _, _ in batch}
            await eventually(
                lambda: sum(r.to in phones for r in twilio.requests) >= kill_at * orders,
                timeout=120,
                interval=0.005,
                what="the burst started",
            )
            proc.kill()
            proc.wait()
        killed_after = sum(r.to in phones for r in twilio.requests)
        with service_process(
            "notifier", infra, port, settings=settings, output=log, graceful=True
        ) as proc:
            await wait_ready(proc, port)
            rows = await _settled(infra.database_url, tenant, 2 * orders, recovery)
    return _figures(rows, batch, twilio, smtp, killed_after)


def _figures(
    rows: list[Any], batch: list[Any], twilio: FakeTwilio, smtp: SmtpCapture, killed_after: int
) -> dict[str, Any]:
    at_provider = Counter(r.to for r in twilio.requests if r.sid)
    for mail in smtp.mails:
        at_provider.update(mail.rcpt_tos)
    addresses = [a for phone, email, _ in batch for a in (phone, email)]
    states = {r["address"]: r for r in rows}
    unknown = [r for r in rows if r["state"] == "unknown"]
    return {
        "orders": len(batch),
        "messages": len(rows),
        "killed_after_sms": killed_after,
        "duplicates": sum(max(0, at_provider[a] - 1) for a in addresses),
        "sent_but_missing": sum(
            1 for a in addresses if states[a]["state"] == "sent" and at_provider[a] == 0
        ),
        # Never handed over before the kill (claimed again after the restart), sent once now.
        "resent_sms": sum(r["channel"] == "sms" and r["attempts"] > 1 for r in rows),
        "resent_email": sum(r["channel"] == "email" and r["attempts"] > 1 for r in rows),
        "undecided_sms": sum(r["channel"] == "sms" for r in unknown),
        "undecided_email": sum(r["channel"] == "email" for r in unknown),
        "undecided_pct": round(100 * len(unknown) / len(rows), 3),
        "decided": dict(
            Counter(
                f"{r['channel']}: {r['reason']}"
                for r in rows
                if r["reason"] and r["state"] != "unknown"
            )
        ),
    }


async def run(infra: Infrastructure, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Start the fakes and a producer, then one kill-and-restart round after another."""
    twilio = await FakeTwilio(account_sid="ACbench", delay_s=args.twilio_delay_ms / 1000).start()
    smtp = SmtpCapture(delay_s=args.relay_delay_ms / 1000).start()
    relay = None if args.no_relay_search else await FakeMailSearch(smtp).start()
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, linger_ms=2, acks=1)
    await producer.start()
    try:
        return [
            await _round(
                infra,
                args.orders,
                args.kill_at,
                not args.no_recovery,
                twilio,
                smtp,
                relay,
                producer,
            )
            for _ in range(args.rounds)
        ]
    finally:
        await producer.stop()
        await twilio.stop()
        if relay is not None:
            await relay.stop()
        smtp.stop()


def main() -> None:
    """Parse arguments, start the infrastructure, run the rounds, print one line per round."""
    parser = argparse.ArgumentParser(prog="python -m bench.notifier.crash")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kill-at", type=float, default=0.3, help="share of SMS sent at the kill")
    parser.add_argument("--twilio-delay-ms", type=float, default=50)
    parser.add_argument("--relay-delay-ms", type=float, default=20)
    parser.add_argument("--no-recovery", action="store_true", help="as before: nothing decided")
    parser.add_argument(
        "--no-relay-search", action="store_true", help="do not ask the relay by Message-ID"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    STATE.mkdir(parents=True, exist_ok=True)
    infra = start_infrastructure(STATE, fresh_database=True)
    try:
        results = asyncio.run(run(infra, args))
    finally:
        infra.stop()
    for row in results:
        print(
            json.dumps(row)
            if args.json
            else f"{row['orders']} orders, killed after {row['killed_after_sms']} SMS:"
            f" duplicates {row['duplicates']}, undecided SMS {row['undecided_sms']},"
            f" e-mail {row['undecided_email']} ({row['undecided_pct']}% of"
            f" {row['messages']}), decided {row['decided']}"
        )


if __name__ == "__main__":
    main()
