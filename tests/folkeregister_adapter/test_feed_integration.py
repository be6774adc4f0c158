"""The adapter against the running simulator, the real broker and PostgreSQL (issue #5 «Tests»)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from services.folkeregister_adapter import feedlytter

pytestmark = pytest.mark.integration

STOY = 150  # noise hendelser only for the first 150 persons; NIR's deltakere are created after them


async def nir_personer(o, n: int) -> list[tuple[str, str]]:
    ps = await o.sim.kontroll("POST", "/personer", params={"antall": n})
    return [(p["folkeregisteridentifikator"], p["kommunenummer"]) for p in ps]


async def legg_til(o, *hendelser: dict) -> list[dict]:
    return await o.sim.kontroll("POST", "/hendelser", json=list(hendelser))


def uten_duplikater(events: list[dict]) -> None:
    per_id = Counter(e["event_id"] for e in events)
    assert set(per_id.values()) <= {1}, "an event reached Kafka twice"
    per_hendelse = Counter((e["hendelse_id"], e["type"]) for e in events)
    assert set(per_hendelse.values()) <= {1}, "one hendelse gave two events"


async def test_deaths_corrections_annulments_moves_and_renumbering_reach_kafka(oppsett):
    o = oppsett
    o.sim.register.generer(1500, blant_forste=STOY)
    await o.start_adapter()
    await o.vent_til_lest()
    (a, ka), (b, kb), (c, kc) = await nir_personer(o, 3)
    ids = await o.registrer_deltakere([(a, ka), (b, kb), (c, kc)])
    til = "0301" if kc != "0301" else "4601"
    r = await legg_til(
        o,
        {"art": "doedsfall", "folkeregisteridentifikator": a, "dato": "2026-03-01"},
        {"art": "ukjent", "folkeregisteridentifikator": a, "hendelsetype": "endringISivilstand"},
        {"art": "korrigerDoedsfall", "folkeregisteridentifikator": a, "dato": "2026-02-28"},
        {"art": "utflytting", "folkeregisteridentifikator": b, "dato": "2026-04-01", "land": "SWE"},
        {"art": "annullerUtflytting", "folkeregisteridentifikator": b},
        {"art": "nyttKommunenummer", "folkeregisteridentifikator": c, "kommunenummer": "3101"},
        {"art": "flytting", "folkeregisteridentifikator": c, "kommunenummer": til, "dato": "2026-05-01"},
        {"art": "personErOppdatert", "folkeregisteridentifikator": c},
    )
    ukjente = feedlytter.HENDELSER.labels("unknown_type")._value.get()
    duplikater = feedlytter.HENDELSER.labels("duplikat")._value.get()
    await o.sim.kontroll("POST", "/gjenta", params={"sekvensnummer": r[0]["sekvensnummer"]})  # the death again
    o.sim.register.generer(700, blant_forste=STOY)
    await o.vent_til_lest()
    assert feedlytter.HENDELSER.labels("duplikat")._value.get() - duplikater == 1
    assert feedlytter.HENDELSER.labels("unknown_type")._value.get() > ukjente  # counted, skipped
    events = sorted(await o.events(minst=5), key=lambda e: e["sekvensnummer"])  # ordered per key only
    uten_duplikater(events)
    got = [(e["type"], e["deltaker_id"]) for e in events]
    assert got == [
        ("DodsfallRegistrert", str(ids[a])),
        ("DodsfallKorrigert", str(ids[a])),
        ("UtvandringRegistrert", str(ids[b])),
        ("FolkeregisterhendelseAnnullert", str(ids[b])),
        ("FlyttingRegistrert", str(ids[c])),
    ]
    dod, korr, utv, ann, fly = events
    assert dod["hendelse_id"] == r[0]["dokumentidentifikator"] and dod["dodsfall"]["dodsdato"] == "2026-03-01"
    assert korr["korrigerer_hendelse_id"] == dod["hendelse_id"]
    assert ann["annullerer_hendelse_id"] == utv["hendelse_id"] and ann["art"] == "UTVANDRING"
    # The renumbering gave nothing, and the real move starts from the renumbered kommune.
    assert fly["flytting"] == {"til_kommunenummer": til, "fra_kommunenummer": "3101", "flyttedato": "2026-05-01"}
    assert "fodselsnummer" not in str(events) and a not in str(events)  # no fødselsnummer on the topic
    ready = await o.readiness()
    assert ready["ready"] and ready["folkeregister"]["gap"] is None


async def test_crash_mid_page_and_restart_loses_nothing_and_doubles_nothing(oppsett):
    o = oppsett
    (a, ka), (b, kb) = await nir_personer(o, 2)
    await o.start_adapter()
    ids = await o.registrer_deltakere([(a, ka), (b, kb)])
    await o.stop_adapter()
    reg = o.sim.register
    reg.generer(700, blant_forste=STOY)
    reg.legg_til("doedsfall", a, dato="2026-03-01")  # page 1
    reg.generer(600, blant_forste=STOY)
    reg.legg_til("doedsfall", b, dato="2026-03-02")  # page 2
    reg.legg_til("korrigerDoedsfall", a, dato="2026-02-27")  # page 2
    reg.generer(500, blant_forste=STOY)

    krasjet = asyncio.Event()

    def krasj_paa_side_2(side) -> None:
        if side.fra == 1001 and not krasjet.is_set():
            krasjet.set()
            raise asyncio.CancelledError  # the process dies between enqueue and commit

    await o.start_adapter(for_commit=krasj_paa_side_2)
    await asyncio.wait_for(krasjet.wait(), 30)
    await asyncio.sleep(0.3)
    assert await o.peker() == 1001  # page 2 rolled back entirely
    await o.stop_adapter()

    await o.start_adapter()  # restart: reads page 2 again from the durable pointer
    await o.vent_til_lest()
    events = await o.events(minst=3)
    uten_duplikater(events)
    assert sorted((e["type"], e["deltaker_id"]) for e in events) == sorted(
        [("DodsfallRegistrert", str(ids[a])), ("DodsfallRegistrert", str(ids[b])), ("DodsfallKorrigert", str(ids[a]))]
    )
    rows = await o.db("SELECT count(*) AS n FROM folkeregister_adapter.behandlede_hendelser")
    assert rows[0]["n"] == 3


async def test_429_honours_retry_after_and_5xx_backs_off(oppsett):
    o = oppsett
    ((a, ka),) = await nir_personer(o, 1)
    await o.start_adapter()
    ids = await o.registrer_deltakere([(a, ka)])
    await o.vent_til_lest()
    f429 = feedlytter.KILDEFEIL.labels("429")._value.get()
    f503 = feedlytter.KILDEFEIL.labels("503")._value.get()
    await o.sim.kontroll("POST", "/feil", json={"status": 429, "antall": 2, "retryAfter": 1})
    await o.sim.kontroll("POST", "/feil", json={"status": 503, "antall": 3})
    t0 = time.perf_counter()
    await asyncio.sleep(0.3)
    reg = o.sim.register
    reg.legg_til("doedsfall", a, dato="2026-03-01")
    await o.vent_til_lest()
    assert time.perf_counter() - t0 >= 2.0  # two Retry-After: 1
    assert feedlytter.KILDEFEIL.labels("429")._value.get() - f429 == 2
    assert feedlytter.KILDEFEIL.labels("503")._value.get() - f503 == 3
    events = await o.events(minst=1)
    assert [(e["type"], e["deltaker_id"]) for e in events] == [("DodsfallRegistrert", str(ids[a]))]


async def test_406_stops_at_the_gap_and_says_so(oppsett):
    o = oppsett
    o.sim.register.generer(1200, blant_forste=STOY)
    o.sim.register.slett_til(800)
    await o.start_adapter()
    await o.vent(lambda: _gap(o), 1, "gap registrert")
    await asyncio.sleep(0.5)
    assert await o.peker() == 1  # it did not skip to 800
    ready = await o.readiness()
    assert ready["ready"] is False
    assert ready["folkeregister"]["gap"]["fra"] == 1 and "406" in ready["folkeregister"]["gap"]["melding"]
    assert feedlytter.GAP._value.get() == 1


async def _gap(o) -> int | None:
    rows = await o.db("SELECT gap_fra FROM folkeregister_adapter.feedpeker")
    return rows[0]["gap_fra"]


async def test_identity_change_in_the_feed_keeps_following_the_person(oppsett):
    o = oppsett
    ((a, ka),) = await nir_personer(o, 1)
    await o.start_adapter()
    ids = await o.registrer_deltakere([(a, ka)])
    ny = o.sim.register.legg_til("nyIdent", a)["nyIdent"]
    o.sim.register.legg_til("doedsfall", ny, dato="2026-03-05")  # under the new number only
    await o.vent_til_lest()
    events = await o.events(minst=1)
    assert [(e["type"], e["deltaker_id"]) for e in events] == [("DodsfallRegistrert", str(ids[a]))]
    rows = await o.db("SELECT deltaker_id FROM folkeregister_adapter.personer WHERE ident = $1", ny)
    assert rows[0]["deltaker_id"] == ids[a]


async def test_a_person_joining_nir_later_gets_no_old_history(oppsett):
    o = oppsett
    ((a, ka),) = await nir_personer(o, 1)
    o.sim.register.legg_til("utflytting", a, dato="2026-01-10", land="DNK")
    await o.start_adapter()
    await o.vent_til_lest()
    await o.registrer_deltakere([(a, ka)])
    o.sim.register.legg_til("doedsfall", a, dato="2026-03-05")
    await o.vent_til_lest()
    events = await o.events(minst=1)
    assert [e["type"] for e in events] == ["DodsfallRegistrert"]


async def test_identity_change_from_registrering_is_followed(oppsett):
    from aiokafka import AIOKafkaProducer

    from services.plumbing.kafka import encode, headers_for
    from shared.events import deltaker as dl
    from shared.events import topics
    from shared.events.eksempler import IDENTITET, envelope

    o = oppsett
    ((a, ka),) = await nir_personer(o, 1)
    await o.start_adapter()
    ids = await o.registrer_deltakere([(a, ka)])
    ny = o.sim.register._ny_ident(o.sim.register.person(a).fodselsdato)  # a number the register will give
    e = dl.IdentitetFastsatt(
        **envelope(deltaker_id=ids[a]),
        identitet=IDENTITET.model_copy(update={"fodselsnummer": ny}),
        tidligere_fodselsnummer=a,
    )
    prod = AIOKafkaProducer(bootstrap_servers=o.kafka)
    await prod.start()
    try:
        await prod.send_and_wait(
            o.prefix + topics.IDENTITET.name,
            encode(e),
            key=e.message_key(),
            headers=[(k, v.encode()) for k, v in headers_for(e).items()],
        )
    finally:
        await prod.stop()
    await o.vent(lambda: o._antall_kjente([ny]), 1, "ny ident kjent")
    o.sim.register.legg_til("nyIdent", a, nyIdent=ny)
    o.sim.register.legg_til("utflytting", ny, dato="2026-03-05", land="POL")
    await o.vent_til_lest()
    events = await o.events(minst=1)
    assert [(e["type"], e["deltaker_id"], e["utvandring"]["tilflyttingsland"]) for e in events] == [
        ("UtvandringRegistrert", str(ids[a]), "POL")
    ]
