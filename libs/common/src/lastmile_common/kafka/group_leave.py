"""Leaving a consumer group whose first generation is numbered 0 (the local Tansu broker)."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError
from aiokafka.protocol.group import LeaveGroupRequest

log = logging.getLogger(__name__)


async def leave_first_generation(consumer: AIOKafkaConsumer) -> bool:
    """Send LeaveGroup for a member of generation 0; True when it was sent.

    aiokafka leaves the group on stop only when its generation is above 0, since Apache Kafka
    numbers a group's first generation 1. Tansu numbers it 0, so a service stopping in the first
    generation kept its partitions until its session expired, and the next member (the same
    service restarted, or a rolling deploy's new pod) waited that long to be assigned them.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    # A consumer without a group (manual assignment) has a coordinator with no generation.
    if getattr(coordinator, "generation", None) != 0 or not getattr(coordinator, "member_id", ""):
        return False
    assert coordinator is not None
    request = LeaveGroupRequest(coordinator.group_id, coordinator.member_id)
    try:
        await coordinator._send_req(request)
    except KafkaError as err:
        log.warning("leaving group %s failed: %s", coordinator.group_id, err)
        return False
    return True
