"""Waiting for eventually consistent effects in tests: poll with a deadline, never sleep blindly."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition


async def eventually(check: Callable[[], Any], timeout: float = 90.0, what: str = "condition") -> Any:
    """Run `check` (sync or async) until it returns a truthy value without raising AssertionError, and return
    that value; fail after `timeout` seconds with the last assertion or value. The one contract for every test:
    a predicate returns a truth value (or the thing it waits for), a check that asserts ends with `return True`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            value = check()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
            last = f"the last value was {value!r}"
        except AssertionError as exc:
            last = str(exc) or repr(exc)
        if loop.time() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}; {last}")
        await asyncio.sleep(0.2)


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
