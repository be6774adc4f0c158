"""End to end on the real broker: the service consumes every topic (deltaker, vedtak, avslutning,
beregnet-avslutning), in any order across topics and with a redelivered event, and the rebuild command
makes the next start consume everything again from the beginning with a new consumer group."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import asyncpg
import pytest

from services.plumbing.kafka import TopicNames, ensure_topics, make_broker, publish
from services.rapport.app import create_app
from services.rapport.rebuild import rebuild
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.settings import RapportSettings
from tests.support import hendelser
from tests.support.naming import run_id
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

T = hendelser.T0


async def test_consumes_all_topics_in_any_order_and_rebuilds(kafka_bootstrap, own_database, identity_provider):
    run = run_id()
    settings = RapportSettings(
        database_url=own_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"test-rapport-e2e-{run}.",
        consumer_group=f"test-rapport-e2e-{run}",
        **identity_provider.service_settings(),
    )
    names = TopicNames(settings.topic_prefix)
    await ensure_topics(kafka_bootstrap, names.specs())
    d, rm, ka = hendelser.Deltaker(), uuid.uuid4(), uuid.uuid4()
    did, start = d.deltaker_id, date(2021, 11, 16)
    avslutning = d.kommune_avslutning(date(2023, 11, 15), Kode.ARBEID, t=T + timedelta(days=31), avslutning_id=ka)
    # the kommune's avslutning and the retraction before the person, the vedtak and the computed avslutning
    events = [
        avslutning,
        d.beregnet_trukket(rm, Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, t=T + timedelta(days=31, seconds=5)),
        d.beregnet_avslutning(
            Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2023, 11, 15), t=T + timedelta(days=30), avslutning_id=rm
        ),
        d.vedtak(fra=start, til=start + timedelta(days=700), vedtaksdato=start - timedelta(days=10)),
        d.sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, start),
        d.kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1)),
        *d.registrering(hendelser.person("202399999999", "Åsmund", "Ærø")),
        avslutning,  # redelivered
    ]
    producer = make_broker(kafka_bootstrap, client_id="test-rapport-producer")
    await producer.start()
    try:
        for e in events:
            await publish(producer, e, names=names)
    finally:
        await producer.stop()

    async def row(conn):
        return await conn.fetchrow(
            "SELECT arsak, kilde, frist_gjennomforing, fornavn FROM rapport.rapport_rad WHERE deltaker_id = $1", did
        )

    conn = await asyncpg.connect(own_database)
    try:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            expected = {
                "arsak": "ARBEID",
                "kilde": "kommune",
                "frist_gjennomforing": date(2023, 11, 15),
                "fornavn": "Åsmund",
            }
            # topics are consumed independently: wait until every fact has arrived
            await eventually(lambda: _eq(row(conn), expected, dict))
            await eventually(lambda: _eq(conn.fetchval("SELECT count(*) FROM rapport.processed_events"), 8))
            generasjon = await conn.fetchval("SELECT generasjon FROM rapport.projeksjon")

        assert await rebuild(settings) == generasjon + 1
        assert await row(conn) is None
        assert await conn.fetchval("SELECT count(*) FROM rapport.avslutning_versjon") == 0

        app = create_app(settings)
        async with app.router.lifespan_context(app):
            got = await eventually(lambda: row(conn))
            assert got["arsak"] == "ARBEID"
            await eventually(lambda: _eq(conn.fetchval("SELECT count(*) FROM rapport.avslutning_slettet"), 1))
    finally:
        await conn.close()


async def _eq(awaitable, expected, convert=lambda x: x) -> bool:
    got = await awaitable
    return got is not None and convert(got) == expected
