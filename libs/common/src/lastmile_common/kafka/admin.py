"""Creating the platform's topics and their dead-letter twins; the code never relies on auto-creation."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from lastmile_common.events.topics import INTERNAL_TOPICS, TOPICS, TopicSpec, dlt_of

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap: str,
    specs: tuple[TopicSpec, ...] = TOPICS + INTERNAL_TOPICS,
    replication: int = 1,
    partitions: dict[str, int] | None = None,
) -> list[str]:
    """Create every topic and its `.dlt` that is missing; return the names created. A topic
    `partitioned_as` another gets that one's count (co-partitioned: same key, same partition)."""
    overrides = partitions or {}
    counts = {spec.name: overrides.get(spec.name, spec.partitions) for spec in TOPICS + specs}
    wanted = {}
    for spec in specs:
        count = counts[spec.partitioned_as or spec.name]
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
