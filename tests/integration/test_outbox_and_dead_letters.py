"""The plumbing under failure, on the real broker and PostgreSQL: poison messages go to the dead-letter
topic (not an endless loop) and can be re-published with the operators' tool; the outbox publishes what
committed and nothing that rolled back."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer

from services.plumbing import dead_letter_cli
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.dead_letter_policy import DeadLetterPolicy, transient
from services.plumbing.kafka import TopicNames, ensure_topics, make_broker, publish
from services.plumbing.outbox import OutboxRelay, enqueue
from shared.events import topics
from shared.events.eksempler import kommune_avslutning
from tests.support.polling import committed, eventually

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "roundtrip_migrations"


async def test_poison_messages_are_dead_lettered_and_can_be_republished(kafka_bootstrap, unique):
    names = TopicNames(f"test-{unique}.")
    await ensure_topics(kafka_bootstrap, names.specs())
    group = f"test-dlq-{unique}"
    policy = DeadLetterPolicy(group_id=group, names=names, attempts=2, backoff=0.01)
    broker = make_broker(kafka_bootstrap, client_id="test-dlq", middlewares=[policy.middleware])
    policy.broker = broker
    failing = kommune_avslutning()
    healthy = kommune_avslutning()
    handled: list = []
    broken = {failing.event_id}

    @broker.subscriber(names(topics.AVSLUTNING), group_id=group, auto_offset_reset="earliest")
    # faststream decodes by this annotation at run time: the topic's discriminated union, a value to mypy
    async def on_avslutning(event: topics.AVSLUTNING.union) -> None:  # type: ignore[name-defined]
        if event.event_id in broken:
            raise RuntimeError("a bug in the handler")
        handled.append(event.event_id)

    unknown_type = json.loads(healthy.model_dump_json()) | {"type": "AvslutningForsvant"}
    await broker.start()
    try:
        topic = names(topics.AVSLUTNING)
        await broker.publish(b"{not json", topic=topic, key=b"k1", headers={"content-type": "application/json"})
        await broker.publish(
            json.dumps(unknown_type).encode(), topic=topic, key=b"k2", headers={"content-type": "application/json"}
        )
        await publish(broker, failing, names=names)
        await publish(broker, healthy, names=names)

        # The consumer gets past all three poison messages to the healthy one, and commits past all four.
        await eventually(lambda: handled == [healthy.event_id], what="the healthy message after the poison")
        partitions = topics.AVSLUTNING.partitions
        await eventually(lambda: _eq(committed(kafka_bootstrap, group, topic, partitions), 4), what="commit past all")

        letters = await eventually(
            lambda: _when_len(dead_letter_cli.read_all(kafka_bootstrap, names.dead_letter), 3),
            what="three dead letters",
        )
        by_type = {d.error_type: d for _, d in letters}
        assert set(by_type) == {"JSONDecodeError", "ValidationError", "RuntimeError"}, by_type
        assert by_type["RuntimeError"].error == "RuntimeError: a bug in the handler"
        assert all(d.original_topic == topic and d.consumer_group == group for _, d in letters)
        assert policy.dead_lettered == 3
        assert "'type'" in by_type["ValidationError"].error

        # After the bug is fixed, the operator re-publishes the failed message and it is processed.
        broken.clear()
        await dead_letter_cli.republish(kafka_bootstrap, [by_type["RuntimeError"]])
        await eventually(lambda: failing.event_id in handled, what="the re-published message handled")
    finally:
        await broker.stop()


async def test_outbox_publishes_what_committed_and_nothing_that_rolled_back(kafka_bootstrap, database_url, unique):
    names = TopicNames(f"test-{unique}.")
    await ensure_topics(kafka_bootstrap, names.specs())
    schema = f"outbox_{unique}"
    pool = await create_pool(database_url, schema)
    await apply_migrations(pool, schema, MIGRATIONS)
    broker = make_broker(kafka_bootstrap, client_id="test-outbox")
    await broker.connect()
    relay = OutboxRelay(pool, broker, schema=schema, names=names)

    kept, rolled_back = kommune_avslutning(), kommune_avslutning()
    async with pool.acquire() as conn:
        async with conn.transaction():
            await enqueue(conn, [kept])
            await enqueue(conn, [kept])  # enqueuing the same event twice stores it once
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                await enqueue(conn, [rolled_back])
                raise RuntimeError("the state change failed")

    assert await relay.pending() == 1
    await relay.start()
    consumer = AIOKafkaConsumer(
        names(topics.AVSLUTNING),
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"test-outbox-{unique}",
    )
    await consumer.start()
    try:
        relay.wake()
        await eventually(lambda: _eq(relay.pending(), 0), what="outbox drained")
        received = []
        deadline = asyncio.get_running_loop().time() + 20
        while asyncio.get_running_loop().time() < deadline and not received:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                received += records
        await asyncio.sleep(0.5)
        for records in (await consumer.getmany(timeout_ms=500)).values():
            received += records
        assert [json.loads(r.value)["event_id"] for r in received] == [str(kept.event_id)]
        record = received[0]
        assert record.key == str(kept.deltaker_id).encode()
        assert dict(record.headers)["event-type"] == b"AvslutningRegistrert"
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") == 1
    finally:
        await consumer.stop()
        await relay.stop()
        await broker.stop()
        await pool.close()


async def _eq(awaitable, expected) -> bool:
    return (await awaitable) == expected


async def _when_len(awaitable, n):
    value = await awaitable
    return value if len(value) == n else None


async def test_relay_wakes_on_notify_from_another_connection(kafka_bootstrap, database_url, unique):
    # Issue #3: the relay wakes on NOTIFY (here with a 60 s polling fallback, so only the notification can
    # explain a prompt publish), whichever process committed the outbox rows.
    names = TopicNames(f"test-{unique}.")
    await ensure_topics(kafka_bootstrap, names.specs())
    schema = f"notify_{unique}"
    pool = await create_pool(database_url, schema)
    await apply_migrations(pool, schema, MIGRATIONS)
    broker = make_broker(kafka_bootstrap, client_id="test-notify")
    await broker.connect()
    relay = OutboxRelay(pool, broker, schema=schema, names=names, idle_interval=60)
    await relay.start()
    try:
        await asyncio.sleep(0.5)  # the relay's first pass has found nothing and now waits
        other = await create_pool(database_url, schema, max_size=1)  # «another process»
        async with other.acquire() as conn, conn.transaction():
            await enqueue(conn, [kommune_avslutning()])
        await other.close()
        await eventually(lambda: _eq(relay.pending(), 0), timeout=10, what="published after NOTIFY")
    finally:
        await relay.stop()
        await broker.stop()
        await pool.close()


_DELTAKER_A, _DELTAKER_B = uuid4(), uuid4()


class _BrokerRefusing:
    """A stand-in for the Kafka producer at the boundary that refuses the events named, acknowledging the rest."""

    def __init__(self, refused: set[str]) -> None:
        self.refused = refused
        self.sent: list[str] = []

    async def publish(self, payload: bytes, **_: object) -> asyncio.Future:
        event_id = json.loads(payload)["event_id"]
        ack = asyncio.get_running_loop().create_future()
        if event_id in self.refused:
            ack.set_exception(ConnectionError("broker went away"))
        else:
            self.sent.append(event_id)
            ack.set_result(None)
        return ack


async def test_relay_marks_what_was_acknowledged_and_sends_only_the_rest_again(database_url, unique):
    # Issue #3 «Outbox»: when the broker fails part of a batch, the acknowledged events are marked and not
    # sent again; the refused ones are, on the next pass, in their order.
    schema = f"partial_{unique}"
    pool = await create_pool(database_url, schema)
    await apply_migrations(pool, schema, MIGRATIONS)
    a1, a2, a3 = (kommune_avslutning(_DELTAKER_A) for _ in range(3))
    b1, b2 = (kommune_avslutning(_DELTAKER_B) for _ in range(2))
    try:
        async with pool.acquire() as conn, conn.transaction():
            await enqueue(conn, [a1, b1, a2, b2, a3])
        broker = _BrokerRefusing({str(b2.event_id), str(a3.event_id)})
        relay = OutboxRelay(pool, broker, schema=schema, names=TopicNames(f"test-{unique}."))
        with pytest.raises(ConnectionError):
            await relay.publish_pending()
        unpublished = [
            str(r["event_id"])
            for r in await pool.fetch("SELECT event_id FROM outbox WHERE published_at IS NULL ORDER BY id")
        ]
        assert unpublished == [str(b2.event_id), str(a3.event_id)]
        broker.refused.clear()
        assert await relay.publish_pending() == 2
        assert broker.sent == [str(e.event_id) for e in (a1, b1, a2, b2, a3)]  # each once
        assert await relay.pending() == 0
    finally:
        await pool.close()


async def test_a_query_that_can_never_succeed_is_not_mistaken_for_an_outage(database_url):
    # Quality bar «poison messages to a dead-letter topic, not an endless loop»: asyncpg raises the same
    # InterfaceError for a closed connection (an outage: retry while it lasts) and for a call that can never
    # succeed (here a wrong number of arguments: retrying it would never end).
    conn = await asyncpg.connect(database_url)
    try:
        with pytest.raises(asyncpg.InterfaceError) as misuse:
            await conn.fetchval("SELECT $1::int", 1, 2)
        with pytest.raises(asyncpg.DataError) as bad_argument:
            await conn.fetchval("SELECT $1::int", "not a number")
    finally:
        await conn.close()
    with pytest.raises(asyncpg.InterfaceError) as closed:
        await conn.fetchval("SELECT 1")
    assert not transient(misuse.value) and not transient(bad_argument.value)
    assert transient(closed.value)
    assert transient(ConnectionRefusedError()) and transient(TimeoutError())
    assert transient(asyncpg.AdminShutdownError()) and transient(asyncpg.CannotConnectNowError())
    assert not transient(RuntimeError("a bug"))
