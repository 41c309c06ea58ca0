"""Schema migrations: numbered SQL files applied once per schema, recorded with their versions."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from lastmile_common.db.pool import Connection

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")
PLUMBING_PACKAGE = "lastmile_common.db.sql"


@dataclass(frozen=True)
class Migration:
    """One SQL file: `source:version` identifies it within a schema."""

    source: str
    version: str
    name: str
    sql: str

    @property
    def key(self) -> str:
        """The identifier recorded in schema_migrations."""
        return f"{self.source}:{self.version}"


def load_migrations(package: str, source: str) -> list[Migration]:
    """The migrations shipped in a package folder, ordered by version."""
    root: Traversable = resources.files(package)
    found = []
    for entry in root.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(source, match.group(1), entry.name, entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


async def migrate(conn: Connection, schema: str, package: str) -> list[str]:
    """Apply the plumbing and the service's migrations to `schema`; return what was applied."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError(f"invalid schema name {schema!r}")
    migrations = load_migrations(PLUMBING_PACKAGE, "plumbing") + load_migrations(package, "service")
    applied: list[str] = []
    # One migrator per schema at a time, even with several replicas or a Kubernetes Job racing.
    lock_id = int.from_bytes(hashlib.sha256(schema.encode()).digest()[:7], "big")
    await conn.execute("SELECT pg_advisory_lock($1)", lock_id)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations ("
            " key text PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["key"] for r in await conn.fetch(f"SELECT key FROM {schema}.schema_migrations")}
        for migration in migrations:
            if migration.key in done:
                continue
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path TO {schema}, public")
                await conn.execute(migration.sql)
                await conn.execute(
                    f"INSERT INTO {schema}.schema_migrations (key, name) VALUES ($1, $2)",
                    migration.key,
                    migration.name,
                )
            log.info("applied migration", extra={"schema": schema, "migration": migration.key})
            applied.append(migration.key)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", lock_id)
    return applied
