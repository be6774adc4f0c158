"""Waiting for eventually consistent effects in tests: poll with a deadline, never sleep blindly."""

from __future__ import annotations

import asyncio

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition


async def eventually(predicate, timeout: float = 30.0, what: str = "condition"):
    """Poll `predicate` (sync or async) until it is truthy; return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


async def committed(bootstrap: str, group: str, topic: str, partitions: int) -> int:
    """How many messages the group has committed past, over all partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return sum(
        max(meta.offset, 0)
        for tp, meta in offsets.items()
        if tp in {TopicPartition(topic, p) for p in range(partitions)}
    )
