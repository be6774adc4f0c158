"""Driving the one consumer path (services/plumbing/consumer.py) without a broker: Kafka records as aiokafka
hands them over, and a Consumer on a pool, so a test decides a batch exactly as the service would."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
from aiokafka.structs import ConsumerRecord

from services.plumbing.consumer import Consumer, Handler
from services.plumbing.kafka import TopicNames
from shared.events import topics
from shared.events.dead_letter import DeadLetter


def record(
    topic: topics.Topic | str, offset: int, value: bytes, key: UUID | bytes = b"k", partition: int = 0
) -> ConsumerRecord:
    name = topic if isinstance(topic, str) else topic.name
    k = key if isinstance(key, bytes) else str(key).encode()
    return ConsumerRecord(
        topic=name,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=k,
        value=value,
        checksum=None,
        serialized_key_size=len(k),
        serialized_value_size=len(value),
        headers=(),
    )


def consumer_for(
    pool: asyncpg.Pool,
    handler: Handler,
    topics_in: Sequence[topics.Topic],
    *,
    name: str = "test",
    service: str = "test",
) -> Consumer:
    consumer = Consumer(
        service=service,
        name=name,
        topics_in=topics_in,
        handler=handler,
        names=TopicNames(),
        group_id=f"{service}-group",
    )
    consumer._pool_of = lambda: pool
    return consumer


async def dead_letters(pool: asyncpg.Pool) -> list[DeadLetter]:
    """The dead letters a consumer has enqueued (in the outbox, committed with its decision)."""
    rows = await pool.fetch("SELECT payload FROM outbox WHERE topic = $1 ORDER BY id", topics.DEAD_LETTER_NAME)
    return [DeadLetter.model_validate_json(r["payload"]) for r in rows]
