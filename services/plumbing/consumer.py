"""The one consumer path: every consuming service hands its topics and a handler to `Consumer`.

Per batch of Kafka records (one getmany, any of the service's topics):

1. **decode** each record against its topic's contract (strict, from the JSON bytes). A type the topic does
   not carry is skipped and counted (`outcome="unknown_type"`): a newer producer may add types, and
   consumers are upgraded first. A record that is not JSON, or a known type that does not validate, is a
   poison record: it goes to the dead-letter topic;
2. in **one transaction**: lock the partitions' positions, drop what was already decided (offset at or
   below the position: a redelivery) or already seen (event id in processed_events: a republication), run
   the handler on the rest, advance the positions, and enqueue the poison records' dead letters in the
   outbox. Effect, marks and dead letters commit together, so a crash can neither lose nor double them;
3. if that transaction fails for another reason than an outage, the records are decided **one by one**,
   each in its own transaction; one that still fails is dead-lettered (in its own transaction, with its
   position), and the rest go on;
4. an **outage** (services.plumbing.dead_letter_policy.transient) propagates: the dead-letter middleware retries
   the batch while it lasts, and the marks make the retry harmless.

On partition assignment the consumer seeks to the stored position + 1, or to the beginning of a partition
it has never decided: the service's own database, not Kafka's committed offset, says where it stands (a
rebuilt read model reads from the start; an expired consumer-group offset cannot cause a replay). Kafka
offsets are still committed after each batch, for lag monitoring.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import asyncpg
from aiokafka import ConsumerRebalanceListener, TopicPartition
from pydantic import ValidationError

from services.plumbing import idempotency, metrics, outbox
from services.plumbing.db import retry_on_conflict
from services.plumbing.dead_letter_policy import dead_letter_headers, letter_for, log_dead_lettered, transient
from services.plumbing.kafka import TopicNames
from shared.events import topics
from shared.events.envelope import Event

if TYPE_CHECKING:
    from aiokafka.structs import ConsumerRecord

log = logging.getLogger(__name__)

# The service's effect of a batch of fresh events, in the transaction the marks commit in. Events come in
# record order within each partition. Sequence[Any]: each handler declares the event type its topics carry
# (DeltakerEvent for most); the consumer decodes against the topics' contracts and knows no more than Event.
Handler = Callable[[asyncpg.Connection, Sequence[Any]], Awaitable[None]]

UNKNOWN_TYPE = "unknown_type"
_UNKNOWN_TAG = "union_tag_invalid"  # pydantic: the discriminator names no member of the union


@dataclass(frozen=True)
class Received:
    record: ConsumerRecord
    topic: topics.Topic
    event: Event

    @property
    def partition(self) -> idempotency.Partition:
        return (self.record.topic, self.record.partition)


@dataclass
class _Decoded:
    received: list[Received]
    poison: list[tuple[ConsumerRecord, BaseException]]
    unknown: list[ConsumerRecord]


def decode(record: ConsumerRecord, topic: topics.Topic) -> Event | None:
    """The record's event, or None for a type the topic does not carry. Raises ValidationError for a record
    that is not JSON or not valid as its type."""
    try:
        return topic.adapter().validate_json(record.value or b"")
    except ValidationError as exc:
        if all(e["type"] == _UNKNOWN_TAG for e in exc.errors()):
            return None
        raise


class Consumer:
    """One consumer group member for a service's input topics; `subscribe` registers it on the broker."""

    def __init__(
        self,
        *,
        service: str,
        name: str,
        topics_in: Sequence[topics.Topic],
        handler: Handler,
        names: TopicNames,
        group_id: str,
        instance_id: str | None = None,
        session_timeout_ms: int = 10_000,
        max_records: int = 500,
        after_batch: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.service = service
        self.name = name  # the consumer's key in processed_events and consumer_position
        self.topics_in = tuple(topics_in)
        self.handler = handler
        self.names = names
        self.group_id = group_id
        self.instance_id = instance_id
        self.session_timeout_ms = session_timeout_ms
        self.max_records = max_records
        self.after_batch = after_batch
        self._by_address = {names(t): t for t in self.topics_in}
        self._pool_of: Callable[[], asyncpg.Pool] = _not_started
        self.subscriber: Any = None

    # -- wiring ---------------------------------------------------------------------------------------------

    def subscribe(self, broker: Any, pool: Callable[[], asyncpg.Pool]) -> None:
        self._pool_of = pool
        consumer = self

        async def handle(body: list[Any]) -> None:
            await consumer.handle(body)

        handle.__name__ = f"{self.service}_consumer"
        self.subscriber = subscriber = broker.subscriber(
            *self._by_address,
            group_id=self.group_id,
            group_instance_id=self.instance_id,
            session_timeout_ms=self.session_timeout_ms,
            auto_offset_reset="earliest",
            batch=True,
            max_records=self.max_records,
            decoder=_records,
            listener=_ResumeFromPositions(self),
            description=f"{self.service}: {', '.join(t.name for t in self.topics_in)}",
        )
        subscriber(handle)

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool_of()

    # -- one batch ------------------------------------------------------------------------------------------

    async def handle(self, records: Sequence[ConsumerRecord]) -> None:
        if not records:
            return
        decoded = self._decode(records)
        try:
            await retry_on_conflict(lambda: self._decide(records, decoded.received, decoded.poison))
        except Exception as exc:
            if transient(exc):
                raise  # an outage: the middleware retries the batch while it lasts
            # the type only: a database error's text may quote an argument (an identifier)
            log.warning(
                "batch failed; deciding its records one by one",
                extra={"records": len(records), "error_type": type(exc).__name__},
            )
            await self._one_by_one(records, decoded)
        if self.after_batch is not None:
            await self.after_batch()

    def _decode(self, records: Sequence[ConsumerRecord]) -> _Decoded:
        out = _Decoded([], [], [])
        for record in records:
            topic = self._by_address[record.topic]
            try:
                event = decode(record, topic)
            except ValidationError as exc:
                out.poison.append((record, exc))
                continue
            if event is None:
                out.unknown.append(record)
                metrics.EVENTS_CONSUMED.labels(self.service, topic.name, UNKNOWN_TYPE).inc()
                log.warning(
                    "unknown event type skipped",
                    extra={"topic": topic.name, "offset": record.offset, "partition": record.partition},
                )
            else:
                out.received.append(Received(record, topic, event))
        return out

    async def _decide(
        self,
        records: Sequence[ConsumerRecord],
        received: Sequence[Received],
        poison: Sequence[tuple[ConsumerRecord, BaseException]],
    ) -> None:
        """One transaction: marks, the handler's effect and the dead letters of `poison`; the positions of all
        `records` advance with them."""
        async with self.pool.acquire() as conn, conn.transaction():
            fresh = await self._fresh(conn, records, received)
            if fresh:
                await self.handler(conn, [r.event for r in fresh])
            await self._dead_letters(conn, poison)
            await idempotency.advance(conn, self.name, _highest(records))
        self._count(received, fresh, "ok")
        self._count_dead(poison)

    async def _fresh(
        self, conn: asyncpg.Connection, records: Sequence[ConsumerRecord], received: Sequence[Received]
    ) -> list[Received]:
        """Lock the batch's partitions and keep what was neither decided (position) nor seen (event id)."""
        decided = await idempotency.claim_partitions(conn, self.name, {(r.topic, r.partition) for r in records})
        new = [r for r in received if r.record.offset > decided.get(r.partition, -1)]
        unseen = await idempotency.first_deliveries(conn, self.name, [r.event.event_id for r in new])
        fresh = []
        for r in new:  # the same event twice in one batch is applied once
            if r.event.event_id in unseen:
                unseen.discard(r.event.event_id)
                fresh.append(r)
        return fresh

    async def _one_by_one(self, records: Sequence[ConsumerRecord], decoded: _Decoded) -> None:
        by_record = {id(r.record): r for r in decoded.received}
        poison = {id(rec): exc for rec, exc in decoded.poison}
        # partial, not lambda: each attempt is bound to this record (and to the exception, which Python unbinds
        # when its except block ends).
        for record in records:  # in order: each record's position advances with its own decision
            received = by_record.get(id(record))
            if id(record) in poison:
                await retry_on_conflict(partial(self._decide, [record], [], [(record, poison[id(record)])]))
                continue
            try:
                await retry_on_conflict(partial(self._decide, [record], [received] if received else [], []))
            except Exception as exc:
                if transient(exc):
                    raise
                await retry_on_conflict(partial(self._decide, [record], [], [(record, exc)]))

    async def _dead_letters(
        self, conn: asyncpg.Connection, poison: Sequence[tuple[ConsumerRecord, BaseException]]
    ) -> None:
        for record, exc in poison:
            letter = letter_for(record, exc, self.group_id)
            await outbox.enqueue_raw(
                conn,
                topic=topics.DEAD_LETTER_NAME,
                key=record.key or b"",
                payload=letter.model_dump_json().encode(),
                headers=dead_letter_headers(record.topic),
            )
            log_dead_lettered(record, self.group_id, exc)

    def _count(self, received: Sequence[Received], fresh: Sequence[Received], outcome: str) -> None:
        fresh_ids = {id(r) for r in fresh}
        for r in received:
            metrics.EVENTS_CONSUMED.labels(
                self.service, r.topic.name, outcome if id(r) in fresh_ids else "duplicate"
            ).inc()

    def _count_dead(self, poison: Sequence[tuple[ConsumerRecord, BaseException]]) -> None:
        for record, _ in poison:
            topic = self._by_address[record.topic]
            metrics.EVENTS_CONSUMED.labels(self.service, topic.name, "dead_letter").inc()
            metrics.DEAD_LETTERED.labels(self.service).inc()

    # -- where to resume ------------------------------------------------------------------------------------

    async def resume(self, kafka_consumer: Any, assigned: set[TopicPartition]) -> None:
        async with self.pool.acquire() as conn:
            stored = await idempotency.positions(conn, self.name, [(tp.topic, tp.partition) for tp in assigned])
        never = []
        for tp in assigned:
            offset = stored.get((tp.topic, tp.partition), -1)
            if offset >= 0:
                kafka_consumer.seek(tp, offset + 1)
            else:
                never.append(tp)
        if never:
            await kafka_consumer.seek_to_beginning(*never)


def _not_started() -> asyncpg.Pool:
    raise RuntimeError("the consumer is not subscribed yet")


def _highest(records: Sequence[ConsumerRecord]) -> dict[idempotency.Partition, int]:
    out: dict[idempotency.Partition, int] = {}
    for r in records:
        key = (r.topic, r.partition)
        out[key] = max(out.get(key, -1), r.offset)
    return out


def _records(msg: Any) -> list[Any]:
    # faststream's decoder: hand the handler the raw records; each is decoded on its own (`decode`), so one
    # bad record is dead-lettered alone instead of failing the batch.
    return list(msg.raw_message)


class _ResumeFromPositions(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, consumer: Consumer) -> None:
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        pass

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        if assigned:
            await self._consumer.resume(self._consumer.subscriber.consumer, assigned)
