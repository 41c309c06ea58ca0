"""Creating the platform's topics and their dead-letter twins; the code never relies on auto-creation."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from lastmile_common.events.topics import TOPICS, TopicSpec, dlt_of

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap: str,
    specs: tuple[TopicSpec, ...] = TOPICS,
    replication: int = 1,
    partitions: dict[str, int] | None = None,
) -> list[str]:
    """Create every topic and its `.dlt` that is missing; return the names created."""
    overrides = partitions or {}
    wanted = {}
    for spec in specs:
        count = overrides.get(spec.name, spec.partitions)
        retention = str(spec.retention_hours * 3600 * 1000)
        for name in (spec.name, dlt_of(spec.name)):
            wanted[name] = NewTopic(
                name, count, replication, topic_configs={"retention.ms": retention}
            )
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for name, topic in wanted.items() if name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                log.info("another process created the topics first")
        return [topic.name for topic in missing]
    finally:
        await admin.close()
