"""The projection against real PostgreSQL (DOMAIN.md §7; seed nir-brukerveiledning-avslutning-2023 §4–6):
the current avslutning per person, the history with (slettet), frist for gjennomføring, idempotency on
event_id and independence of arrival order."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta
from uuid import uuid4

import pytest

from services.plumbing.kafka import encode
from services.rapport import app, domain, forbruker
from services.rapport.lager import projeksjon
from shared.events import topics
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Vedtakstype
from tests.support import consuming, hendelser
from tests.support.hendelser import Deltaker

pytestmark = pytest.mark.integration

T = hendelser.T0


def seed_scenario():
    """Seed §5–6: the regelmotor ends the programme with «Avslutningsårsak ikke registrert» at the frist; the
    kommune adds «Arbeid» within the frist; the regelmotor retracts its own. Plus a late permisjon."""
    d = Deltaker()
    rm = uuid4()
    ka = uuid4()
    start = date(2021, 11, 16)
    events = [
        *d.registrering(hendelser.person("202300000001", "Åse", "Øvrebø"), t=T),
        d.kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1), t=T),
        d.vedtak(
            fra=start,
            til=start + timedelta(days=700),
            vedtaksdato=start - timedelta(days=10),
            t=T + timedelta(minutes=1),
        ),
        d.sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, start, t=T + timedelta(minutes=2)),
        d.vedtak(
            Vedtakstype.PERMISJON,
            date(2022, 3, 1),
            date(2022, 3, 10),
            vedtaksdato=date(2022, 3, 1),
            t=T + timedelta(minutes=3),
        ),
        d.beregnet_avslutning(
            Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2023, 11, 25), t=T + timedelta(days=30), avslutning_id=rm
        ),
        d.kommune_avslutning(date(2023, 11, 15), Kode.ARBEID, t=T + timedelta(days=31), avslutning_id=ka),
        d.beregnet_trukket(rm, Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, t=T + timedelta(days=31, seconds=5)),
        *d.oppdatering(hendelser.person("202300000001", "Åse Marie", "Øvrebø"), t=T + timedelta(days=40)),
    ]
    return d.deltaker_id, rm, ka, events


async def snapshot(pool, did):
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM rapport_rad WHERE deltaker_id = $1", did)
        versjoner, slettinger = await projeksjon.avslutninger(conn, did)
    return (dict(row) if row else None), [
        (h.versjon.avslutning_id, h.versjon.versjon, h.status) for h in domain.historikk(versjoner, slettinger)
    ]


async def project_all(pool, events):
    async with pool.acquire() as conn:
        for e in events:
            async with conn.transaction():
                await forbruker.behandle(conn, [e])


async def test_seed_scenario_gives_the_kommune_avslutning_with_frist_and_history(schema_pool):
    did, rm, ka, events = seed_scenario()
    await project_all(schema_pool, events)
    row, hist = await snapshot(schema_pool, did)
    assert row["arsak"] == "ARBEID" and row["arsak_navn"] == "Arbeid" and row["gruppe"] == "Arbeid"
    assert row["kilde"] == "kommune" and row["registrert_av"] == "4223-CES"
    assert row["fornavn"] == "Åse Marie"  # the newer snapshot
    assert row["kategori_navn"] == "Rett og plikt til introduksjonsprogram"
    assert row["sluttmal_navn"] == "Arbeid, person har ikke utdanning på videregående nivå"
    # §6: 16.11.2021 + 24 months − 1 day = 15.11.2023, + 10 days permisjon = 25.11.2023
    assert row["frist_gjennomforing"] == date(2023, 11, 25)
    assert row["alder"] == 33 and row["avslutningsaar"] == 2023
    assert row["kommune_navn"] == "Vennesla" and row["fylke_navn"] == "Agder"
    # Seed §6: the retracted regelmotor avslutning shows as (slettet), the kommune's as current, newest first
    assert hist == [(rm, 1, "slettet"), (ka, 1, "gjeldende")]


async def test_redelivered_events_change_nothing(schema_pool):
    """Through the consumer path: the same records again (a redelivery), and the same events at new offsets
    (a republication), leave the row and the history as they were."""
    did, _, _, events = seed_scenario()
    consumer = consuming.consumer_for(schema_pool, forbruker.behandle, app.CONSUMED, name=forbruker.CONSUMER)
    records = [consuming.record(topics.topic_of(e), i, encode(e), did) for i, e in enumerate(events)]
    await consumer.handle(records)
    first = await snapshot(schema_pool, did)
    await consumer.handle(records)
    await consumer.handle(
        [consuming.record(topics.topic_of(e), len(events) + i, encode(e), did) for i, e in enumerate(events)]
    )
    async with schema_pool.acquire() as conn:
        n = await conn.fetchval("SELECT count(*) FROM avslutning_versjon WHERE deltaker_id = $1", did)
    assert await snapshot(schema_pool, did) == first
    assert n == 2


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
async def test_any_arrival_order_gives_the_same_row_and_history(schema_pool, seed):
    did, _, _, events = seed_scenario()
    await project_all(schema_pool, events)
    expected = await snapshot(schema_pool, did)
    # the same facts for another person, shuffled (e.g. the avslutning before the DeltakerRegistrert)
    did2, _, _, events2 = seed_scenario()
    shuffled = events2[:]
    random.Random(seed).shuffle(shuffled)
    if seed == 1:
        shuffled = list(reversed(events2))
    await project_all(schema_pool, shuffled)
    row, hist = await snapshot(schema_pool, did2)
    e_row, e_hist = expected
    ignore = {"deltaker_id", "avslutning_id"}
    assert {k: v for k, v in row.items() if k not in ignore} == {k: v for k, v in e_row.items() if k not in ignore}
    assert [s for *_, s in hist] == [s for *_, s in e_hist]


async def test_avslutning_before_the_person_appears_when_the_person_arrives(schema_pool):
    d = Deltaker()
    did = d.deltaker_id
    await project_all(schema_pool, [d.kommune_avslutning(date(2023, 5, 2), Kode.GRUNNSKOLE, t=T)])
    assert (await snapshot(schema_pool, did))[0] is None
    await project_all(schema_pool, [*d.registrering(hendelser.person("202300000002"), t=T - timedelta(days=400))])
    row, _ = await snapshot(schema_pool, did)
    assert row["arsak_navn"] == "Grunnskole" and row["frist_gjennomforing"] is None  # no vedtak seen: no frist


async def test_kommune_wins_before_the_retraction_arrives(schema_pool):
    """DOMAIN.md §4 rule 6: the kommune's own avslutning is current even while the regelmotor's is alive."""
    d, rm, ka = Deltaker(), uuid4(), uuid4()
    did = d.deltaker_id
    await project_all(
        schema_pool,
        [
            *d.registrering(hendelser.person("202300000003")),
            d.kommune_avslutning(date(2023, 1, 10), Kode.FAGSKOLE, t=T + timedelta(days=2), avslutning_id=ka),
            d.beregnet_avslutning(
                Kode.VEDTAK_OM_PERMANENT_STANS, date(2023, 1, 10), t=T + timedelta(days=3), avslutning_id=rm
            ),
        ],
    )
    row, hist = await snapshot(schema_pool, did)
    assert row["avslutning_id"] == ka
    assert dict(((a, s) for a, _, s in hist)) == {rm: "erstattet", ka: "gjeldende"}


async def test_edit_then_delete_keeps_every_version_and_falls_back(schema_pool):
    """DOMAIN.md §4 rule 5: edits and deletes are kept; a deleted kommune avslutning leaves the regelmotor's."""
    d, ka, rm = Deltaker(), uuid4(), uuid4()
    did = d.deltaker_id
    await project_all(
        schema_pool,
        [
            *d.registrering(hendelser.person("202300000004")),
            d.beregnet_avslutning(Kode.FLYTTET, date(2023, 2, 1), t=T + timedelta(days=1), avslutning_id=rm),
            d.kommune_avslutning(date(2023, 1, 31), Kode.ARBEID, t=T + timedelta(days=2), avslutning_id=ka),
            d.kommune_avslutning(
                date(2023, 1, 31), Kode.HOYERE_UTDANNING, t=T + timedelta(days=3), avslutning_id=ka, versjon=2
            ),
        ],
    )
    row, hist = await snapshot(schema_pool, did)
    assert row["arsak"] == "HOYERE_UTDANNING"
    assert hist == [(ka, 2, "gjeldende"), (ka, 1, "endret"), (rm, 1, "erstattet")]
    await project_all(schema_pool, [d.kommune_avslutning_slettet(ka, 3, t=T + timedelta(days=4))])
    row, hist = await snapshot(schema_pool, did)
    assert row["arsak"] == "FLYTTET" and row["kilde"] == "regelmotor" and row["registrert_av"] == "Regelmotor"
    assert hist == [(ka, 2, "slettet"), (ka, 1, "endret"), (rm, 1, "gjeldende")]
    await project_all(schema_pool, [d.beregnet_trukket(rm, Kode.FLYTTET, t=T + timedelta(days=5))])
    assert (await snapshot(schema_pool, did))[0] is None  # nothing current: not in the report, history kept


async def test_changed_projection_version_resets_and_starts_a_new_generation(schema_pool):
    _did, _, _, events = seed_scenario()
    async with schema_pool.acquire() as conn:
        g1, rebuilt = await projeksjon.prepare(conn, versjon=1)
        assert not rebuilt
        await project_all(schema_pool, events)
        assert await conn.fetchval("SELECT count(*) FROM rapport_rad") == 1
        assert await projeksjon.prepare(conn, versjon=1) == (g1, False)
        g2, rebuilt = await projeksjon.prepare(conn, versjon=2)
        assert rebuilt and g2 == g1 + 1
        assert await conn.fetchval("SELECT count(*) FROM rapport_rad") == 0
        assert await conn.fetchval("SELECT count(*) FROM processed_events") == 0
        assert await conn.fetchval("SELECT count(*) FROM consumer_position") == 0


async def test_concurrent_events_of_one_person_from_two_topics_both_count(schema_pool):
    """Topics are consumed concurrently: the person arriving while the avslutning's transaction is still open
    must wait for it and then see it, or neither transaction would write the row."""
    d = Deltaker()
    did = d.deltaker_id
    async with schema_pool.acquire() as c1, schema_pool.acquire() as c2:
        tx = c1.transaction()
        await tx.start()
        await forbruker.behandle(c1, [d.kommune_avslutning(date(2023, 5, 2), Kode.ARBEID, t=T)])

        async def person() -> None:
            async with c2.transaction():
                await forbruker.behandle(c2, [*d.registrering(hendelser.person("202300000009"))])

        task = asyncio.create_task(person())
        await asyncio.sleep(0.3)
        assert not task.done()  # waiting for the avslutning's transaction
        await tx.commit()
        await asyncio.wait_for(task, 10)
    row, _ = await snapshot(schema_pool, did)
    assert row is not None and row["arsak"] == "ARBEID"
