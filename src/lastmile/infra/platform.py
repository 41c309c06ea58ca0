"""The infrastructure a run needs: configured endpoints, or embedded ones started here."""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lastmile_common.kafka.admin import ensure_topics

from lastmile.infra.broker import EmbeddedBroker, start_broker
from lastmile.infra.postgres import EmbeddedPostgres, start_postgres


@dataclass
class Infrastructure:
    """Where Kafka and PostgreSQL are, and what was started here (to stop it later)."""

    kafka_bootstrap: str
    database_url: str
    broker: EmbeddedBroker | None = None
    postgres: EmbeddedPostgres | None = None
    pids: dict[str, int] = field(default_factory=dict)

    def stop(self) -> None:
        """Stop whatever was started here."""
        if self.broker is not None:
            self.broker.stop()
        if self.postgres is not None:
            self.postgres.stop()


def start_infrastructure(state_dir: Path, *, fresh_database: bool = False) -> Infrastructure:
    """Use KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set, else start embedded servers."""
    state_dir.mkdir(parents=True, exist_ok=True)
    broker = postgres = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    database_url = os.environ.get("DATABASE_URL")
    try:
        if not bootstrap:
            broker = start_broker(state_dir / "logs")
            bootstrap = broker.bootstrap
        if not database_url:
            data_dir = state_dir / "pgdata"
            if fresh_database and data_dir.exists():
                shutil.rmtree(data_dir)
            postgres = start_postgres(data_dir)
            database_url = postgres.url
        asyncio.run(ensure_topics(bootstrap))
    except BaseException:
        if broker is not None:
            broker.stop()
        if postgres is not None:
            postgres.stop()
        raise
    infra = Infrastructure(bootstrap, database_url, broker, postgres)
    if broker is not None:
        infra.pids["broker"] = broker.process.pid
    return infra
