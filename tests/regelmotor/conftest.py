"""A regelmotor running in-process on the real broker and a fresh PostgreSQL database of its own (the clock
is global state, so each test gets its own service, database and topic prefix), with a producer for the
input topics and a reader of the output and dead-letter topics."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.plumbing.kafka import TopicNames, encode, headers_for
from services.regelmotor import lager
from services.regelmotor.app import create_app
from shared.events import topics
from shared.events.envelope import Event
from shared.settings import RegelmotorSettings
from tests.support.databases import with_database
from tests.support.naming import run_id
from tests.support.polling import eventually


class Regelmotor:
    def __init__(self, app, settings: RegelmotorSettings, database_url: str, bootstrap: str) -> None:
        self.app = app
        self.settings = settings
        self.database_url = database_url
        self.bootstrap = bootstrap
        self.names = TopicNames(settings.topic_prefix)
        self.utdata: list[dict] = []
        self.dead_letters: list[dict] = []
        self.producer: AIOKafkaProducer | None = None
        self._reader: asyncio.Task | None = None

    @property
    def runtime(self):
        return self.app.state.runtime

    async def publiser(self, *events: Event) -> None:
        assert self.producer is not None
        for e in events:
            await self.producer.send_and_wait(
                self.names(topics.topic_of(e)),
                encode(e),
                key=e.message_key(),
                headers=[(k, v.encode()) for k, v in headers_for(e).items()],
            )

    async def publiser_mange(self, events: list[Event]) -> None:
        """Many events at once (batched by the producer), in order per topic and key."""
        assert self.producer is not None
        futures = [
            await self.producer.send(
                self.names(topics.topic_of(e)),
                encode(e),
                key=e.message_key(),
                headers=[(k, v.encode()) for k, v in headers_for(e).items()],
            )
            for e in events
        ]
        await asyncio.gather(*futures)

    async def publiser_raa(self, topic: topics.Topic, body: bytes, key: bytes) -> None:
        assert self.producer is not None
        await self.producer.send_and_wait(
            self.names(topic), body, key=key, headers=[("content-type", b"application/json")]
        )

    async def _les(self, consumer: AIOKafkaConsumer) -> None:
        async for msg in consumer:
            data = json.loads(msg.value)
            (self.dead_letters if msg.topic == self.names.dead_letter else self.utdata).append(data)

    def ut(self, deltaker_id) -> list[dict]:
        return [e for e in self.utdata if e.get("deltaker_id") == str(deltaker_id)]

    async def behandlet(self, *events: Event) -> None:
        """Wait until every event is processed and the outbox is empty, then let the reader catch up."""
        ids = [e.event_id for e in events]

        async def ferdig() -> bool:
            n = await self.runtime.pool.fetchval(
                "SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])", ids
            )
            klokke = await lager.klokkestatus(self.runtime.pool)  # a consumed tick applied and swept
            return (
                n == len(ids) and not klokke.venter and not klokke.usveipet and await self.runtime.relay.pending() == 0
            )

        await eventually(ferdig, what="events processed and published")
        await asyncio.sleep(1.0)


@asynccontextmanager
async def start_regelmotor(infrastructure, kafka_bootstrap: str) -> AsyncIterator[Regelmotor]:
    """A fresh regelmotor: its own database, topic prefix and consumer group; the clock off."""
    name = f"nir_test_regelmotor_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(infrastructure.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    unique = run_id()
    settings = RegelmotorSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=with_database(infrastructure.database_url, name),
        topic_prefix=f"test-regelmotor-{unique}.",
        consumer_group=f"test-regelmotor-{unique}",
        klokke_aktiv=False,
        sveip_batch=50,
    )
    app = create_app(settings)
    motor = Regelmotor(app, settings, settings.database_url, kafka_bootstrap)
    try:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(app.router.lifespan_context(app))
            motor.producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
            await motor.producer.start()
            stack.push_async_callback(motor.producer.stop)
            consumer = AIOKafkaConsumer(
                motor.names(topics.BEREGNET_AVSLUTNING),
                motor.names.dead_letter,
                bootstrap_servers=kafka_bootstrap,
                auto_offset_reset="earliest",
                group_id=None,
            )
            await consumer.start()
            stack.push_async_callback(consumer.stop)
            motor._reader = asyncio.create_task(motor._les(consumer))

            async def stopp_leser() -> None:
                leser = motor._reader
                assert leser is not None
                leser.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await leser

            stack.push_async_callback(stopp_leser)
            yield motor
    finally:
        admin = await asyncpg.connect(infrastructure.database_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def regelmotor(infrastructure, kafka_bootstrap) -> AsyncIterator[Regelmotor]:
    async with start_regelmotor(infrastructure, kafka_bootstrap) as motor:
        yield motor
