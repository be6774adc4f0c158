"""The regelmotor on the real broker and PostgreSQL (issue #4 «Tests»): facts and day ticks in on the input
topics, computed avslutninger out on nir.beregnet-avslutning.v1 (seed nir-brukerveiledning-avslutning-2023
§1, §5–6, §12)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import pytest

from services.plumbing import metrics
from shared.events import topics
from shared.kodeverk.vedtak import Vedtakstype
from tests.support.hendelser import FRIST, Deltaker, dogn
from tests.support.polling import eventually

pytestmark = pytest.mark.integration


def kort(ut: list[dict]) -> list[tuple]:
    return [(e["type"], e["arsak"], e.get("avslutningsdato"), e.get("grunn")) for e in ut]


async def test_vennesla_frist_passerer_og_kommunens_avslutning_trekker_tilbake(regelmotor):
    """Seed §5–6: Vennesla, frist 15.11.2023: the tick of 16.11 gives «Avslutningsårsak ikke registrert»
    dated the frist; the kommune adds «Arbeid» and the computed one is retracted (shows as slettet)."""
    f = Deltaker()
    program = f.program()
    await regelmotor.publiser(*program)
    await regelmotor.behandlet(*program)  # the facts first: a tick on its own topic could overtake them
    await regelmotor.publiser(dogn(FRIST))
    await regelmotor.behandlet(dogn(FRIST))
    assert regelmotor.ut(f.deltaker_id) == []  # on the frist day itself nothing has passed

    await regelmotor.publiser(dogn(FRIST + timedelta(days=1)))
    await eventually(lambda: regelmotor.ut(f.deltaker_id), what="computed avslutning")
    [opprettet] = regelmotor.ut(f.deltaker_id)
    assert (
        opprettet["type"],
        opprettet["arsak"],
        opprettet["avslutningsdato"],
        opprettet["avslutningstype"],
        opprettet["oppfolgingskommune"],
    ) == ("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT", "2023-11-15", "Ordinær avslutning", "4223")
    assert opprettet["grunnlag"]["regel"] == "GJENNOMFORINGSFRIST_UTLOPT"
    assert opprettet["grunnlag"]["datoer"]["gjennomforingsfrist"] == "2023-11-15"

    ka = f.kommune_avslutning(FRIST)
    await regelmotor.publiser(ka)
    await eventually(lambda: len(regelmotor.ut(f.deltaker_id)) == 2, what="retraction")
    trukket = regelmotor.ut(f.deltaker_id)[1]
    assert (trukket["type"], trukket["avslutning_id"], trukket["grunn"]) == (
        "BeregnetAvslutningTrukketTilbake",
        opprettet["avslutning_id"],
        "KOMMUNE_AVSLUTNING",
    )
    assert str(ka.event_id) in trukket["grunnlag"]["kilde_event_ids"]


async def test_sent_permisjon_trekker_tilbake_dod_og_annullering_og_duplikater(regelmotor):
    """§5: a late permisjon moves the frist past today → retracted (FAKTA_ENDRET); §12: død while in
    programme → Død, annulled → retracted (FOLKEREGISTER_ANNULLERT); a duplicate delivery changes nothing."""
    a, b = Deltaker(), Deltaker()
    program = a.program() + b.program()
    await regelmotor.publiser(*program)
    await regelmotor.behandlet(*program)
    tick = dogn(FRIST + timedelta(days=1))
    await regelmotor.publiser(tick, tick)  # the tick delivered twice: swept twice, emitted once
    await regelmotor.behandlet(tick)
    ikke_registrert = ("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT", "2023-11-15", None)
    assert kort(regelmotor.ut(a.deltaker_id)) == kort(regelmotor.ut(b.deltaker_id)) == [ikke_registrert]

    permisjon = a.vedtak(Vedtakstype.PERMISJON, date(2022, 3, 1), date(2022, 3, 10))
    await regelmotor.publiser(permisjon, permisjon)  # delivered twice
    await regelmotor.behandlet(permisjon)
    assert kort(regelmotor.ut(a.deltaker_id)) == [
        ikke_registrert,
        ("BeregnetAvslutningTrukketTilbake", "AVSLUTNINGSARSAK_IKKE_REGISTRERT", None, "FAKTA_ENDRET"),
    ]

    dod = b.dod(date(2023, 1, 3), hendelse_id=f"d-{uuid.uuid4()}")
    annullert = b.annullert(dod.hendelse_id)
    await regelmotor.publiser(dod, dod)
    await regelmotor.behandlet(dod)
    await regelmotor.publiser(annullert, annullert)
    await regelmotor.behandlet(annullert)
    # The death in programme is the earliest end: it replaces «ikke registrert»; annulled, the passed frist
    # gives «ikke registrert» again (same avslutning id: the same rule and date).
    assert kort(regelmotor.ut(b.deltaker_id)) == [
        ikke_registrert,
        ("BeregnetAvslutningTrukketTilbake", "AVSLUTNINGSARSAK_IKKE_REGISTRERT", None, "FAKTA_ENDRET"),
        ("BeregnetAvslutningOpprettet", "DOD", "2023-01-03", None),
        ("BeregnetAvslutningTrukketTilbake", "DOD", None, "FOLKEREGISTER_ANNULLERT"),
        ikke_registrert,
    ]
    assert len({e["event_id"] for e in regelmotor.utdata}) == len(regelmotor.utdata), "no duplicate output"


async def test_giftig_melding_til_dead_letter_og_ukjent_type_hoppes_over(regelmotor):
    """Issue #4: poison messages to the dead-letter topic with the error; unknown types skipped and counted;
    the consumer goes on with the next message."""
    f = Deltaker()
    ukjent_for = metrics.EVENTS_CONSUMED.labels("regelmotor", topics.VEDTAK.name, "unknown_type")._value.get()
    key = str(f.deltaker_id).encode()
    await regelmotor.publiser_raa(
        topics.VEDTAK, json.dumps({"type": "VedtakRegistrert", "deltaker_id": str(f.deltaker_id)}).encode(), key
    )
    await regelmotor.publiser_raa(topics.VEDTAK, json.dumps({"type": "EnNyHendelse"}).encode(), key)
    avvist = f.avvist(date(2021, 10, 2))
    await regelmotor.publiser(f.registrert(), avvist)
    await eventually(lambda: regelmotor.dead_letters, what="dead letter")
    [dl] = regelmotor.dead_letters
    assert dl["original_topic"] == regelmotor.names(topics.VEDTAK) and dl["error_type"] == "ValidationError"
    assert dl["key"] == str(f.deltaker_id)
    await eventually(lambda: regelmotor.ut(f.deltaker_id), what="the next message still processed")
    assert kort(regelmotor.ut(f.deltaker_id)) == [
        ("BeregnetAvslutningOpprettet", "PERSON_AVVIST_PROGRAM", "2021-10-02", None)
    ]
    assert (
        metrics.EVENTS_CONSUMED.labels("regelmotor", topics.VEDTAK.name, "unknown_type")._value.get() == ukjent_for + 1
    )


async def test_klokken_publiserer_hver_oslo_dag_og_henter_inn_etter_nedetid(regelmotor):
    """Issue #4: the clock publishes DognPassert through the outbox (one per Oslo day, catch-up after
    downtime); the regelmotor consumes its own ticks and the frist sweep runs on them."""
    from datetime import UTC, datetime

    from services.regelmotor.klokke import Klokke

    f = Deltaker()
    program = f.program()
    await regelmotor.publiser(*program)
    await regelmotor.behandlet(*program)
    naa = [datetime(2023, 11, 13, 23, 30, tzinfo=UTC)]  # 00:30 on 14.11 in Oslo
    klokke = Klokke("Europe/Oslo", naa=lambda: naa[0])
    pool = regelmotor.runtime.pool
    assert await klokke.publiser_manglende(pool) == [date(2023, 11, 14)]
    assert await klokke.publiser_manglende(pool) == []
    naa[0] = datetime(2023, 11, 16, 6, 0, tzinfo=UTC)  # down for two days
    assert await klokke.publiser_manglende(pool) == [date(2023, 11, 15), date(2023, 11, 16)]
    await eventually(lambda: regelmotor.ut(f.deltaker_id), what="computed avslutning from the clock's ticks")
    assert kort(regelmotor.ut(f.deltaker_id)) == [
        ("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT", "2023-11-15", None)
    ]
    assert await regelmotor.runtime.pool.fetchval("SELECT idag FROM klokke") == date(2023, 11, 16)


def i_kraft(ut: list[dict]) -> dict[str, tuple]:
    """The computed avslutninger in force after a stream of created/retracted events."""
    netto: dict[str, tuple] = {}
    for e in ut:
        if e["type"] == "BeregnetAvslutningOpprettet":
            netto[e["avslutning_id"]] = (e["deltaker_id"], e["arsak"], e["avslutningsdato"])
        else:
            netto.pop(e["avslutning_id"])
    return netto


async def test_replay_av_de_samme_hendelsene_gir_samme_utfall(regelmotor, infrastructure, kafka_bootstrap):
    """Issue #4: a second regelmotor reading the same input from the beginning (all topics at once, so in
    another interleaving) ends with the same computed avslutninger in force, with the same ids."""
    from tests.regelmotor.conftest import start_regelmotor

    a, b, c = Deltaker(), Deltaker(), Deltaker()
    fase1 = a.program() + b.program() + c.program()
    ka = a.kommune_avslutning(FRIST)
    dod = c.dod(date(2023, 1, 3), hendelse_id=f"d-{uuid.uuid4()}")
    fase2 = [
        ka,
        b.vedtak(Vedtakstype.PERMANENT_STANS, date(2023, 2, 1)),
        dod,
        c.dod_korrigert(dod.hendelse_id, date(2023, 1, 5)),
    ]
    tick = dogn(FRIST + timedelta(days=1))
    for fase in (fase1, [tick], fase2):
        await regelmotor.publiser(*fase)
        await regelmotor.behandlet(*fase)
    forste = i_kraft(regelmotor.utdata)
    assert sorted(v[1:] for v in forste.values()) == [
        ("DOD", "2023-01-05"),
        ("VEDTAK_OM_PERMANENT_STANS", "2023-02-01"),
    ]

    async with start_regelmotor(infrastructure, kafka_bootstrap) as replay:
        alle = fase1 + [tick] + fase2
        await replay.publiser(*alle)
        await replay.behandlet(*alle)
        assert i_kraft(replay.utdata) == forste


async def test_dognet_venter_til_faktaene_pa_andre_topics_er_lest(regelmotor):
    """A tick must not overtake facts already waiting on other topics (innhenting.py): with thousands of
    facts published just before it, no deltaker gets a transient «Utgått oppstartsfrist» (its vedtak still
    unread) that is then retracted. A person the regelmotor first reads while the tick waits counts as known
    from the tick's day, so its passed frist is decided by the next tick: exactly one avslutning each."""
    deltakere = [Deltaker() for _ in range(2000)]
    program = [e for f in deltakere for e in f.program()]
    forste, neste = dogn(FRIST + timedelta(days=1)), dogn(FRIST + timedelta(days=2))
    await regelmotor.publiser_mange(program)
    await regelmotor.publiser(forste)
    await regelmotor.behandlet(*program, forste)
    await regelmotor.publiser(neste)
    await regelmotor.behandlet(neste)
    await eventually(lambda: len(regelmotor.utdata) >= len(deltakere), what="one avslutning per deltaker")
    await asyncio.sleep(1.0)
    assert {kort([e])[0] for e in regelmotor.utdata} == {
        ("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT", "2023-11-15", None)
    }
    assert len(regelmotor.utdata) == len(deltakere)
