"""`lastmile dlt list | show | replay`: the operator's dead-letter runbook."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from lastmile_common.events.topics import INTERNAL_TOPICS, TOPICS, dlt_of

from lastmile.dlt import broker
from lastmile.dlt.letters import DeadLetter, Selection, dlt_name, offset_range


def add_parser(commands: Any) -> None:
    """Register `lastmile dlt ...` on the top-level subcommands."""
    dlt = commands.add_parser("dlt", help="list, show and replay dead letters")
    dlt.add_argument("--bootstrap", help="Kafka bootstrap (default: env, then run.json)")
    sub = dlt.add_subparsers(dest="dlt_command", required=True)
    listing = sub.add_parser("list", help="dead letters per topic and consumer group")
    listing.add_argument(
        "topic", nargs="?", help="a topic or its .dlt (default: every topic, internal ones too)"
    )
    listing.add_argument("--consumer", help="only this consumer group's")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    show = sub.add_parser("show", help="one dead letter: headers, error and the message")
    show.add_argument("topic")
    show.add_argument("position", help="PARTITION:OFFSET in the .dlt topic, or an event id")
    again = sub.add_parser("replay", help="re-publish selected dead letters to the source topic")
    again.add_argument("topic")
    again.add_argument("--consumer", help="those this consumer group gave up on")
    again.add_argument("--partition", type=int, help="of this .dlt partition")
    again.add_argument("--offsets", type=offset_range, help="FIRST-LAST .dlt offsets (inclusive)")
    again.add_argument("--event-id", action="append", default=[], help="this event (repeatable)")
    again.add_argument("--all", action="store_true", help="every dead letter of the topic")
    again.add_argument("--again", action="store_true", help="also those replayed before")
    again.add_argument("--dry-run", action="store_true", help="say what would be replayed")


def run(args: argparse.Namespace, run_file: Path) -> int:
    """Run one `lastmile dlt` command."""
    bootstrap = args.bootstrap or _bootstrap(run_file)
    handlers = {"list": _list, "show": _show, "replay": _replay}
    return asyncio.run(handlers[args.dlt_command](bootstrap, args))


def _bootstrap(run_file: Path) -> str:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        return os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    if run_file.exists():
        return str(json.loads(run_file.read_text())["kafka_bootstrap"])
    raise SystemExit("lastmile dlt: no broker (set KAFKA_BOOTSTRAP_SERVERS or run `lastmile up`)")


def _summary(letter: DeadLetter, entry: broker.Replayed | None) -> dict[str, Any]:
    topic, partition, offset = letter.source
    return {
        "dlt": letter.dlt_topic,
        "partition": letter.partition,
        "offset": letter.offset,
        "consumer": letter.consumer,
        "event_id": letter.event_id,
        "type": letter.event_type,
        "source": f"{topic}/{partition}/{offset}",
        "attempts": letter.attempts,
        "error": letter.error,
        "replayed": None if entry is None else entry.__dict__,
    }


async def _list(bootstrap: str, args: argparse.Namespace) -> int:
    every = [dlt_of(spec.name) for spec in TOPICS + INTERNAL_TOPICS]  # a service's own too
    topics = [dlt_name(args.topic)] if args.topic else every
    entries = await broker.ledger(bootstrap)
    for topic in topics:
        letters = [
            letter
            for letter in await broker.dead_letters(bootstrap, topic)
            if args.consumer is None or letter.consumer == args.consumer
        ]
        rows = [_summary(letter, broker.replayed(entries, letter)) for letter in letters]
        if args.json:
            for row in rows:
                print(json.dumps(row))
            continue
        if not rows:
            continue
        groups = Counter(row["consumer"] for row in rows)
        waiting = sum(row["replayed"] is None for row in rows)
        print(f"{topic}: {len(rows)} dead letters, {waiting} not replayed; by consumer: ", end="")
        print(", ".join(f"{name or '?'} {count}" for name, count in sorted(groups.items())))
        for row in rows:
            mark = "replayed" if row["replayed"] else "-"
            print(
                f"  {row['partition']}:{row['offset']:<6} {row['consumer']:<20}"
                f" {row['type'] or '(not an event)':<22} {row['event_id'] or '-':<36}"
                f" from {row['source']}  tries {row['attempts'] or '?'}  {mark}"
                f"  {row['error'][:80]}"
            )
    return 0


async def _show(bootstrap: str, args: argparse.Namespace) -> int:
    letters = await broker.dead_letters(bootstrap, dlt_name(args.topic))
    partition, colon, offset = args.position.partition(":")
    found = [
        letter
        for letter in letters
        if (colon and f"{letter.partition}:{letter.offset}" == f"{partition}:{offset}")
        or (not colon and letter.event_id == args.position)
    ]
    if not found:
        print(
            f"lastmile dlt: no dead letter {args.position} in {dlt_name(args.topic)}",
            file=sys.stderr,
        )
        return 1
    entries = await broker.ledger(bootstrap)
    for letter in found:
        row = _summary(letter, broker.replayed(entries, letter))
        row["key"] = (letter.key or b"").decode(errors="replace")
        row["headers"] = {k: v.decode(errors="replace") for k, v in letter.headers}
        try:
            row["value"] = json.loads(letter.value)
        except ValueError:
            row["value"] = letter.value.decode(errors="replace")
        print(json.dumps(row, indent=2))
    return 0


async def _replay(bootstrap: str, args: argparse.Namespace) -> int:
    first, last = args.offsets or (None, None)
    selection = Selection(
        consumer=args.consumer,
        partition=args.partition,
        first_offset=first,
        last_offset=last,
        event_ids=frozenset(args.event_id),
        everything=args.all,
    )
    if selection.empty:
        print(
            "lastmile dlt replay: say what to replay (--consumer, --partition,"
            " --offsets, --event-id, or --all)",
            file=sys.stderr,
        )
        return 2
    entries = await broker.ledger(bootstrap)
    chosen = [
        letter
        for letter in await broker.dead_letters(bootstrap, dlt_name(args.topic))
        if selection.picks(letter)
    ]
    fresh = [letter for letter in chosen if args.again or not broker.replayed(entries, letter)]
    skipped = len(chosen) - len(fresh)
    if args.dry_run:
        for letter in fresh:
            print(f"would replay {letter.position} {letter.event_id or '(not an event)'}")
        print(f"{len(fresh)} to replay, {skipped} replayed before (use --again to include them)")
        return 0
    done = await broker.replay(bootstrap, fresh)
    for entry in done:
        print(f"replayed {entry.position} {entry.event_id or '(not an event)'} -> {entry.target}")
    print(f"{len(done)} replayed, {skipped} replayed before and skipped")
    return 0
