"""Batched projection (the rebuild's throughput): a batch with a redelivered event, the same event twice,
poison records and good events projects the good ones once and dead-letters each poison record on its own;
a batch that fails in PostgreSQL is retried event by event so only the failing event is dead-lettered."""

from __future__ import annotations

import base64
import json
import random
from datetime import date, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer

from services.plumbing.kafka import TopicNames, encode, ensure_topics, make_broker, publish
from services.rapport import forbruker
from services.rapport.app import CONSUMED, create_app
from services.rapport.lager import projeksjon
from shared.events import topics
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori
from shared.settings import RapportSettings
from tests.rapport.test_projection import project_all, seed_scenario
from tests.support import consuming, hendelser
from tests.support.consuming import dead_letters, record
from tests.support.hendelser import Deltaker, person
from tests.support.naming import run_id
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

T = hendelser.T0


def unknown_field(event) -> bytes:
    body = json.loads(encode(event))
    body["ukjent_felt"] = 1  # the contracts are strict (extra="forbid")
    return json.dumps(body).encode()


async def rows(pool, ids) -> list[dict]:
    async with pool.acquire() as conn:
        got = await conn.fetch("SELECT * FROM rapport_rad WHERE deltaker_id = ANY($1::uuid[])", ids)
    return sorted((dict(r) for r in got), key=lambda r: r["deltaker_id"])


def consumer(pool):
    return consuming.consumer_for(pool, forbruker.behandle, CONSUMED, name=forbruker.CONSUMER)


async def offsets_dead_lettered(pool) -> list[int]:
    return [d.offset for d in await dead_letters(pool)]


async def test_one_batch_projects_good_events_once_and_dead_letters_poison_alone(schema_pool):
    d = Deltaker()
    did = d.deltaker_id
    ase = person("202300000101", "Åse", "Ås")
    registrert, identitet = d.registrert(ase), d.identitet(ase)
    avslutning = d.kommune_avslutning(date(2023, 5, 2), Kode.ARBEID, t=T + timedelta(days=1))
    await consumer(schema_pool).handle([record(topics.DELTAKER, 0, encode(registrert), did)])  # a redelivery below
    await consumer(schema_pool).handle([record(topics.IDENTITET, 0, encode(identitet), did)])
    kategori = d.kategori(Kategori.KAN_TILBYS, date(2021, 9, 1))
    batch = [
        record(topics.DELTAKER, 0, encode(registrert), did),  # redelivered from an earlier batch
        record(topics.DELTAKER, 1, b"not json {", did),
        record(topics.DELTAKER, 2, encode(kategori), did),
        record(topics.DELTAKER, 3, unknown_field(d.kategori(Kategori.RETT_OG_PLIKT, date(2022, 1, 1))), did),
        record(topics.DELTAKER, 4, encode(kategori), did),  # the same event twice in one batch
    ]
    await consumer(schema_pool).handle(batch)
    assert await offsets_dead_lettered(schema_pool) == [1, 3]
    await consumer(schema_pool).handle([record(topics.AVSLUTNING, 0, encode(avslutning), did)])
    async with schema_pool.acquire() as conn:
        row = await conn.fetchrow("SELECT fornavn, kategori, arsak FROM rapport_rad WHERE deltaker_id = $1", did)
        processed = await conn.fetchval("SELECT count(*) FROM processed_events")
    assert dict(row) == {"fornavn": "Åse", "kategori": "KAN_TILBYS", "arsak": "ARBEID"}
    assert processed == 4
    assert len(await dead_letters(schema_pool)) == 2  # nothing more: poison is not retried in a loop


@pytest.mark.parametrize("dato", [0, 1.5, True, "01.02.2024"])
async def test_an_event_whose_date_is_a_number_is_dead_lettered_not_projected(schema_pool, dato):
    """Issue #11 §3: {"avslutningsdato": 0} is not 1970-01-01. The record is parsed strictly from its bytes and
    dead-lettered naming the field; the good record in the same batch is projected."""
    d = Deltaker()
    did = d.deltaker_id
    god = d.kommune_avslutning(date(2023, 5, 2), Kode.ARBEID, t=T)
    body = json.loads(encode(d.kommune_avslutning(date(2023, 5, 3), Kode.ARBEID, t=T + timedelta(hours=1))))
    body["avslutning"]["avslutningsdato"] = dato
    batch = [
        record(topics.AVSLUTNING, 0, json.dumps(body).encode(), did),
        record(topics.AVSLUTNING, 1, encode(god), did),
    ]
    await consumer(schema_pool).handle(batch)
    [letter] = await dead_letters(schema_pool)
    assert letter.offset == 0 and letter.error_type == "ValidationError"
    assert "avslutning.avslutningsdato" in letter.error
    async with schema_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", god.event_id) == 1


async def test_one_batch_gives_the_rows_that_event_by_event_gives(schema_pool):
    """The batch applies statement by statement and refreshes once at the end: the same rows as projecting
    each event in its own transaction, for many persons with their events interleaved and shuffled."""
    scenarios = [seed_scenario() for _ in range(6)]
    rng = random.Random(7)
    events = [e for _, _, _, evs in scenarios for e in rng.sample(evs, len(evs))]
    rng.shuffle(events)
    ids = [did for did, *_ in scenarios]
    await project_all(schema_pool, events)
    one_by_one = await rows(schema_pool, ids)
    assert len(one_by_one) == 6
    async with schema_pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {', '.join(projeksjon.TABLES)}, processed_events")
        async with conn.transaction():
            await forbruker.behandle(conn, events)
    assert await rows(schema_pool, ids) == one_by_one


async def test_a_batch_failing_in_postgresql_is_retried_one_by_one(schema_pool):
    """A NUL character parses but PostgreSQL refuses it in text: the batch's transaction fails as a whole,
    then each event is projected alone and only that one is dead-lettered."""
    deltakere = [Deltaker() for _ in range(3)]
    ids = [d.deltaker_id for d in deltakere]
    events = [d.kommune_avslutning(date(2023, 5, 2), Kode.ARBEID, t=T) for d in deltakere]
    events[1] = deltakere[1].kommune_avslutning(date(2023, 5, 2), Kode.ARBEID, t=T, av="4223\x00CES")
    batch = [record(topics.AVSLUTNING, i, encode(e), e.deltaker_id) for i, e in enumerate(events)]
    await consumer(schema_pool).handle(batch)
    [letter] = await dead_letters(schema_pool)
    assert letter.offset == 1 and letter.error_type == "CharacterNotInRepertoireError"
    async with schema_pool.acquire() as conn:
        got = await conn.fetch("SELECT deltaker_id FROM avslutning_versjon")
        processed = await conn.fetchval("SELECT count(*) FROM processed_events")
    assert {r["deltaker_id"] for r in got} == {ids[0], ids[2]}
    assert processed == 2  # the failed event's id rolled back with its writes


async def test_through_the_broker_poison_is_dead_lettered_and_the_rest_projected_once(
    kafka_bootstrap, own_database, identity_provider
):
    run = run_id()
    settings = RapportSettings(
        database_url=own_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"test-rapport-batch-{run}.",
        consumer_group=f"test-rapport-batch-{run}",
        **identity_provider.service_settings(),
    )
    names = TopicNames(settings.topic_prefix)
    await ensure_topics(kafka_bootstrap, names.specs())
    d = Deltaker()
    did = d.deltaker_id
    oystein = person("202300000102", "Øystein", "Ærlig")
    registrert = d.registrert(oystein)
    kategori = d.kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1))
    avslutning = d.kommune_avslutning(date(2023, 5, 2), Kode.GRUNNSKOLE, t=T + timedelta(days=1))
    producer = make_broker(kafka_bootstrap, client_id="test-rapport-batch-producer")
    await producer.start()
    try:
        # one key, so one partition and, published before the service starts, one batch (offsets 0..4)
        key = str(did).encode()
        await publish(producer, registrert, names=names)
        await producer.publish(b"\xff not json", topic=names(topics.DELTAKER), key=key)
        await publish(producer, registrert, names=names)  # redelivered
        await producer.publish(unknown_field(kategori), topic=names(topics.DELTAKER), key=key)
        await publish(producer, kategori, names=names)
        await publish(producer, avslutning, names=names)
        await publish(producer, d.identitet(oystein), names=names)
    finally:
        await producer.stop()

    letters: list[dict] = []
    reader = AIOKafkaConsumer(
        names.dead_letter,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"test-rapport-batch-dl-{run}",
    )
    await reader.start()

    async def read_letters() -> int:
        for recs in (await reader.getmany(timeout_ms=200)).values():
            letters.extend(json.loads(r.value) for r in recs)
        return len(letters)

    conn = await asyncpg.connect(own_database)
    try:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            row = await eventually(
                lambda: conn.fetchrow(
                    "SELECT fornavn, kategori, arsak FROM rapport.rapport_rad"
                    " WHERE deltaker_id = $1 AND kategori IS NOT NULL",
                    did,
                ),
                timeout=45,
                what="the projected row",
            )
            await eventually(lambda: _at_least(read_letters(), 2), timeout=30, what="two dead letters")
            processed = await eventually(
                lambda: _at_least(conn.fetchval("SELECT count(*) FROM rapport.processed_events"), 4),
                what="four processed",
            )
            await read_letters()
    finally:
        await conn.close()
        await reader.stop()
    assert dict(row) == {"fornavn": "Øystein", "kategori": "RETT_OG_PLIKT", "arsak": "GRUNNSKOLE"}
    assert processed == 4  # registrert, kategori, avslutning, identitet: the redelivery was not projected again
    assert sorted((x["original_topic"], x["offset"]) for x in letters) == [
        (names(topics.DELTAKER), 1),
        (names(topics.DELTAKER), 3),
    ]
    assert {base64.b64decode(x["payload_base64"]) for x in letters} == {b"\xff not json", unknown_field(kategori)}


async def _at_least(awaitable, n: int):
    got = await awaitable
    return got if got >= n else None


async def test_a_batch_retried_through_an_outage_dead_letters_its_poison_once(schema_pool, database_url):
    """Quality bar «poison to the dead-letter topic, not an endless loop»: while PostgreSQL is away the plumbing
    retries the batch; its poison record must not be dead-lettered again on every retry, only once it is decided."""
    d = Deltaker()
    did = d.deltaker_id
    batch = [
        record(topics.DELTAKER, 0, b"not json {", did),
        record(topics.DELTAKER, 1, encode(d.registrert(person("202300000102", "Ola", "Nordmann"))), did),
    ]
    borte = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    await borte.close()  # «the database is away»: asyncpg says the pool is closed, an outage
    for _ in range(3):
        with pytest.raises(asyncpg.InterfaceError):
            await consumer(borte).handle(batch)
    await consumer(schema_pool).handle(batch)
    assert await offsets_dead_lettered(schema_pool) == [0]
