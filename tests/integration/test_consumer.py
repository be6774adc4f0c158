"""The one consumer path (services/plumbing/consumer.py) on the real PostgreSQL, and on the real broker for
where it resumes: decoding against the contracts, one rule for unknown types, poison records dead-lettered
alone (through the outbox, in the decision's transaction), redeliveries de-duplicated by position and by
event id, the one-by-one fallback, outages retried without dead-lettering, metrics that move."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord

from services.plumbing import metrics
from services.plumbing.consumer import Consumer
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.kafka import TopicNames, encode, ensure_topics, make_broker, publish
from shared.events import topics
from shared.events.avslutning import AvslutningRegistrert
from shared.events.eksempler import kommune_avslutning
from shared.events.envelope import Event
from tests.support import consuming
from tests.support.consuming import dead_letters
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "roundtrip_migrations"
AVSLUTNING = topics.AVSLUTNING.name


def record(value: bytes, offset: int) -> ConsumerRecord:
    return consuming.record(topics.AVSLUTNING, offset, value)


class Effect:
    """The handler under test: one row per avslutning, failing for the ids in `broken`."""

    def __init__(self) -> None:
        self.broken: set[UUID] = set()

    async def __call__(self, conn: asyncpg.Connection, events: Sequence[AvslutningRegistrert]) -> None:
        for e in events:
            if e.event_id in self.broken:
                raise RuntimeError("a bug in the handler")
            await conn.execute(
                "INSERT INTO registrerte_avslutninger (avslutning_id, deltaker_id, arsak) VALUES ($1, $2, $3)",
                e.avslutning.avslutning_id,
                e.deltaker_id,
                e.avslutning.arsak.value,
            )


@pytest.fixture
async def pool(database_url, unique):
    schema = f"consumer_{unique}"
    p = await create_pool(database_url, schema)
    await apply_migrations(p, schema, MIGRATIONS)
    yield p
    await p.close()


def consumer_for(pool: asyncpg.Pool, handler) -> Consumer:
    return consuming.consumer_for(pool, handler, (topics.AVSLUTNING,))


def counter(outcome: str) -> float:
    return metrics.EVENTS_CONSUMED.labels("test", AVSLUTNING, outcome)._value.get()


async def applied(pool: asyncpg.Pool) -> int:
    return await pool.fetchval("SELECT count(*) FROM registrerte_avslutninger")


async def test_unknown_types_are_skipped_poison_is_dead_lettered_alone_and_the_rest_applied(pool):
    good = kommune_avslutning()
    unknown = json.loads(encode(kommune_avslutning())) | {"type": "AvslutningForsvant"}
    not_valid = json.loads(encode(kommune_avslutning())) | {"avslutning": {"avslutningsdato": 0}}
    batch = [
        record(b"{not json", 0),
        record(json.dumps(unknown).encode(), 1),
        record(json.dumps(not_valid).encode(), 2),
        record(encode(good), 3),
    ]
    before = {o: counter(o) for o in ("ok", "unknown_type", "dead_letter")}
    dead_before = metrics.DEAD_LETTERED.labels("test")._value.get()

    await consumer_for(pool, Effect()).handle(batch)

    assert await applied(pool) == 1
    letters = await dead_letters(pool)
    assert [(d.offset, d.error_type) for d in letters] == [(0, "ValidationError"), (2, "ValidationError")]
    assert "json_invalid" in letters[0].error or "Invalid JSON" in letters[0].error
    assert all(d.original_topic == AVSLUTNING and d.consumer_group == "test-group" for d in letters)
    assert await pool.fetchval('SELECT "offset" FROM consumer_position WHERE consumer = $1', "test") == 3
    assert counter("ok") == before["ok"] + 1
    assert counter("unknown_type") == before["unknown_type"] + 1
    assert counter("dead_letter") == before["dead_letter"] + 2
    assert metrics.DEAD_LETTERED.labels("test")._value.get() == dead_before + 2


async def test_a_redelivered_record_and_a_republished_event_are_applied_once(pool):
    first, second = kommune_avslutning(), kommune_avslutning()
    consumer = consumer_for(pool, Effect())
    await consumer.handle([record(encode(first), 0), record(encode(second), 1)])
    duplicates = counter("duplicate")
    # Kafka redelivers the same records (a crash before its commit): the position covers them.
    await consumer.handle([record(encode(first), 0), record(encode(second), 1)])
    # The relay published `first` again at a new offset (a crash before it marked the row sent): its id.
    await consumer.handle([record(encode(first), 2)])
    # And the same event twice in one batch.
    third = kommune_avslutning()
    await consumer.handle([record(encode(third), 3), record(encode(third), 4)])
    assert await applied(pool) == 3
    assert counter("duplicate") == duplicates + 4


async def test_a_failing_event_is_dead_lettered_alone_and_the_batch_goes_on(pool):
    events = [kommune_avslutning() for _ in range(4)]
    effect = Effect()
    effect.broken = {events[1].event_id}
    await consumer_for(pool, effect).handle([record(encode(e), i) for i, e in enumerate(events)])
    assert await applied(pool) == 3
    assert [(d.offset, d.error_type) for d in await dead_letters(pool)] == [(1, "RuntimeError")]
    assert await pool.fetchval('SELECT "offset" FROM consumer_position WHERE consumer = $1', "test") == 3


async def test_an_outage_is_retried_without_dead_letters_and_poison_is_dead_lettered_once(pool, database_url):
    # Quality bar «poison to the dead-letter topic, not an endless loop»: while PostgreSQL is away the batch is
    # retried (the exception reaches the middleware's retry loop); its poison record is dead-lettered once,
    # when the batch is finally decided.
    closed = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    await closed.close()  # «the database is away»: asyncpg says the pool is closed, an outage
    batch = [record(b"{not json", 0), record(encode(kommune_avslutning()), 1)]
    away = consumer_for(closed, Effect())
    for _ in range(3):
        with pytest.raises(asyncpg.InterfaceError):
            await away.handle(batch)
    await consumer_for(pool, Effect()).handle(batch)
    assert len(await dead_letters(pool)) == 1
    assert await applied(pool) == 1


async def test_it_resumes_from_its_positions_not_from_kafkas_committed_offsets(kafka_bootstrap, pool, unique):
    """After a restart with the consumer group's offsets gone (expired, or a new group), the consumer resumes
    from the positions in its own database: nothing is applied twice, and what came after is applied."""
    names = TopicNames(f"test-{unique}.")
    await ensure_topics(kafka_bootstrap, names.specs())
    effect = Effect()
    before = [kommune_avslutning() for _ in range(6)]
    after = [kommune_avslutning() for _ in range(3)]

    async def run(group: str, events: list[Event], expected: int) -> None:
        broker = make_broker(kafka_bootstrap, client_id=f"test-resume-{group}")
        consumer = Consumer(
            service="test",
            name="resume",
            topics_in=(topics.AVSLUTNING,),
            handler=effect,
            names=names,
            group_id=f"test-resume-{unique}-{group}",
        )
        consumer.subscribe(broker, lambda: pool)
        await broker.start()
        try:
            for e in events:
                await publish(broker, e, names=names)
            await eventually(lambda: _eq(applied(pool), expected), what=f"{expected} applied")
            await asyncio.sleep(1.0)  # a redelivery would show now
            assert await applied(pool) == expected
        finally:
            await broker.stop()

    await run("first", before, 6)
    # A new group (Kafka would start it from the beginning), and the event ids pruned (retention): only the
    # positions can keep the first six from being read and applied again.
    await pool.execute("DELETE FROM processed_events")
    duplicates = counter("duplicate")
    await run("second", after, 9)
    assert counter("duplicate") == duplicates  # not even read again


async def _eq(awaitable, expected) -> bool:
    return (await awaitable) == expected
