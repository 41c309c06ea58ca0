"""Joining a consumer group once it has settled: with eager rebalancing every member gives up
all its partitions whenever one joins, so a member joining while the group is still rebalancing
(a rolling deploy starts the next replica as the last old one leaves) makes the two pauses one
long one: the partitions handed back a moment before are taken away again before their backlog
was worked off, and (Tansu) partitions assigned to a member still joining wait for it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from lastmile_common.settings import KafkaSettings

log = logging.getLogger(__name__)
# Apache Kafka says PreparingRebalance or CompletingRebalance while a group rebalances; Tansu
# says Assigning or Unknown (a forming group with or without a leader). Only Stable is calm.
CALM = "Stable"
NO_MEMBERS = frozenset({"Empty", "Dead", ""})
POLL_S = 0.25


async def group_state(admin: AIOKafkaAdminClient, group: str) -> str:
    """The group's state as the broker describes it (e.g. Stable, PreparingRebalance, Empty)."""
    (described,) = await admin.describe_consumer_groups([group])
    return str(described.groups[0][2])


@asynccontextmanager
async def admin_client(kafka: KafkaSettings) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client, closed on exit."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def settled(
    state: Callable[[], Awaitable[str]], calm_s: float, longest_s: float, poll_s: float = POLL_S
) -> bool:
    """Wait until the group has no members or has been stable for `calm_s`, at most
    `longest_s`; True when it settled (False: gave up, or the broker could not say)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + longest_s
    calm_since: float | None = None
    while True:
        try:
            current = await state()
        except KafkaError as err:
            log.warning("could not describe the group; joining now: %s", err)
            return False
        now = loop.time()
        if current in NO_MEMBERS:
            return True
        if current != CALM:
            calm_since = None
        elif calm_since is None:
            calm_since = now
        if calm_since is not None and now - calm_since >= calm_s:
            return True
        if now >= deadline:
            log.warning("the group was still rebalancing after %.0f s; joining now", longest_s)
            return False
        await asyncio.sleep(poll_s)
