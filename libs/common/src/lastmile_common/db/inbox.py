"""The consumer inbox: which events a consumer already processed (exactly-once effects)."""

from __future__ import annotations

from lastmile_common.db.pool import Connection


async def claim(conn: Connection, consumer: str, event_ids: list[str]) -> set[str]:
    """Record events as processed in this transaction; return the ids that were new."""
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::text[]) "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        event_ids,
    )
    return {row["event_id"] for row in rows}


async def prune(conn: Connection, consumer: str, older_than_hours: float) -> int:
    """Forget a consumer's claims older than the longest a topic keeps an event; return how many."""
    status: str = await conn.execute(
        "DELETE FROM inbox WHERE consumer = $1"
        " AND processed_at < now() - make_interval(secs => $2)",
        consumer,
        older_than_hours * 3600.0,
    )
    return int(status.rsplit(" ", 1)[-1])
