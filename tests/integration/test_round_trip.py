"""The foundation's proof (issue #2 §4): a contract event goes through the real Kafka broker, is consumed in a
consumer group that commits only after processing, and its effect lands in the real PostgreSQL in the same
transaction as the idempotency record, so a second delivery of the same event changes nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.dead_letter_policy import DeadLetterPolicy
from services.plumbing.idempotency import first_deliveries
from services.plumbing.kafka import describe_cluster, ensure_topics, make_broker, publish
from shared.events.avslutning import AvslutningRegistrert
from shared.events.eksempler import kommune_avslutning
from tests.support.polling import committed, eventually

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "roundtrip_migrations"


@pytest.mark.first
async def test_event_round_trips_through_real_kafka_and_postgres_exactly_once(kafka_bootstrap, database_url, unique):
    # A real broker answers with its cluster id and broker list; no test double has either.
    cluster = await describe_cluster(kafka_bootstrap)
    assert cluster["cluster_id"], cluster
    assert any(f"{b['host']}:{b['port']}" == kafka_bootstrap for b in cluster["brokers"]), cluster

    topic, group, schema = f"test.roundtrip.{unique}", f"test-roundtrip-{unique}", f"roundtrip_{unique}"
    await ensure_topics(kafka_bootstrap, [(topic, 3)])
    pool = await create_pool(database_url, schema)
    await apply_migrations(pool, schema, MIGRATIONS)

    policy = DeadLetterPolicy(group_id=group)
    broker = make_broker(kafka_bootstrap, client_id="test-roundtrip", middlewares=[policy.middleware])
    policy.broker = broker
    entered, release = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    @broker.subscriber(topic, group_id=group, auto_offset_reset="earliest")
    async def on_avslutning(event: AvslutningRegistrert) -> None:
        entered.set()
        await release.wait()  # hold the first message, to see that nothing is committed before it is processed
        async with pool.acquire() as conn, conn.transaction():
            if await first_deliveries(conn, "roundtrip", [event.event_id]):
                await conn.execute(
                    "INSERT INTO registrerte_avslutninger (avslutning_id, deltaker_id, arsak) VALUES ($1, $2, $3)",
                    event.avslutning.avslutning_id,
                    event.deltaker_id,
                    event.avslutning.arsak,
                )
        handled.append(str(event.event_id))

    event = kommune_avslutning()
    await broker.start()
    try:
        await publish(broker, event, topic=topic)
        await publish(broker, event, topic=topic)  # the same event delivered twice (at-least-once)

        await asyncio.wait_for(entered.wait(), 30)  # the handler has the first message and is held
        await asyncio.sleep(1.0)
        assert await committed(kafka_bootstrap, group, topic, 3) == 0, "committed before processing"

        release.set()
        await eventually(lambda: len(handled) == 2, what="both deliveries handled")
        await eventually(lambda: _eq(committed(kafka_bootstrap, group, topic, 3), 2), what="both offsets committed")

        rows = await pool.fetch("SELECT avslutning_id, deltaker_id, arsak FROM registrerte_avslutninger")
        assert [(r["avslutning_id"], r["deltaker_id"], r["arsak"]) for r in rows] == [
            (event.avslutning.avslutning_id, event.deltaker_id, "ARBEID")
        ]
        assert await pool.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", event.event_id) == 1
        assert policy.dead_lettered == 0
    finally:
        await broker.stop()
        await pool.close()


async def _eq(awaitable, expected) -> bool:
    return (await awaitable) == expected
