"""Kafka wiring: the broker, deliberate topic creation, and publishing contract events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared.events import topics
from shared.events.envelope import Event

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/json"


# name, partitions and, optionally, topic configs (e.g. {"cleanup.policy": "compact"})
TopicSpec = tuple[str, int] | tuple[str, int, dict[str, str]]


class TopicNames:
    """Physical topic names: the catalogue's names behind the environment's prefix (settings.topic_prefix)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    def __call__(self, topic: topics.Topic | str) -> str:
        return self.prefix + (topic if isinstance(topic, str) else topic.name)

    @property
    def dead_letter(self) -> str:
        return self(topics.DEAD_LETTER_NAME)

    def specs(self) -> list[tuple[str, int, dict[str, str]]]:
        """Every topic with its partitions and, for a compacted one, its cleanup policy."""
        return [(self(t), t.partitions, topic_configs(t)) for t in topics.ALL] + [(self.dead_letter, 1, {})]


def topic_configs(topic: topics.Topic) -> dict[str, str]:
    return {"cleanup.policy": "compact"} if topic.compacted else {}


def make_broker(bootstrap_servers: str, *, client_id: str, middlewares: Sequence[Any] = ()) -> KafkaBroker:
    """A broker whose subscribers commit only after the handler finished (at-least-once).

    Handler failures never reach the ack policy: the dead-letter middleware retries them and, when they
    persist, dead-letters and acknowledges. Only when even the dead letter cannot be written does an
    exception escape, and NACK_ON_ERROR then redelivers instead of skipping (ACK would lose the message).
    """
    return KafkaBroker(
        bootstrap_servers,
        client_id=client_id,
        # faststream adds a `correlation_id` header from this generator to every message it publishes unless
        # the call passes one; the envelope's `correlation-id` header (headers_for) is the one operators read,
        # so the generator gives nothing and no second header is written.
        id_generator=str,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        enable_idempotence=True,
        middlewares=tuple(middlewares),
        graceful_timeout=15.0,
        logger=logging.getLogger(f"faststream.{client_id}"),
    )


def headers_for(event: Event) -> dict[str, str]:
    return {
        "content-type": CONTENT_TYPE,
        "event-type": event.type,
        "event-id": str(event.event_id),
        "schema-version": str(event.schema_version),
        "correlation-id": str(event.correlation_id),
        "producer": event.producer,
    }


def encode(event: Event) -> bytes:
    return event.model_dump_json().encode()


async def publish(
    broker: KafkaBroker, event: Event, *, topic: str | None = None, names: TopicNames | None = None
) -> None:
    """Publish one contract event to its topic (or `topic`), keyed by deltaker id (bytes, as aiokafka
    requires), as JSON with the envelope's ids in headers for operators' tools."""
    await broker.publish(
        encode(event),
        topic=topic or (names or TopicNames())(topics.topic_of(event)),
        key=event.message_key(),
        headers=headers_for(event),
    )


async def ensure_topics(bootstrap_servers: str, wanted: Iterable[topics.Topic | TopicSpec]) -> list[str]:
    """Create the topics that are missing, with their partition counts (and configs: a compacted topic's
    cleanup policy); returns the names created."""
    specs = [(t.name, t.partitions, topic_configs(t)) if isinstance(t, topics.Topic) else t for t in wanted]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, num_partitions=n, replication_factor=1, topic_configs=configs[0] if configs else {})
            for name, n, *configs in specs
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another service created it at the same moment
                await admin.create_topics(missing)
            await _wait_for_leaders(admin, [t.name for t in missing])
        return [t.name for t in missing]
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str], timeout: float = 15.0) -> None:
    """A new topic's partitions get their leaders a moment after creation; consumers and producers that start
    before then log NotLeaderForPartition errors. Wait (bounded) until every partition has one."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        described = await admin.describe_topics(names)
        if all(
            t["error_code"] == 0 and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"])
            for t in described
        ):
            return
        if asyncio.get_running_loop().time() > deadline:
            log.warning("topics still without leaders after %.0f s; continuing", timeout, extra={"topics": names})
            return
        await asyncio.sleep(0.1)


async def delete_topics(bootstrap_servers: str, which: str | Callable[[str], bool]) -> list[str]:
    """Delete the topics whose name starts with the prefix `which` (or for which it returns True): a
    benchmark's or a test session's own. Returns the names deleted."""
    if not which:
        raise ValueError("refusing to delete topics without a prefix")
    wanted = which if callable(which) else (lambda name: name.startswith(which))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if wanted(t)]
        if names:
            await admin.delete_topics(names)
        return names
    finally:
        await admin.close()


async def describe_cluster(bootstrap_servers: str) -> dict[str, Any]:
    """The cluster id and brokers, as the broker itself reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        return await admin.describe_cluster()
    finally:
        await admin.close()
