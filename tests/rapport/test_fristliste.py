"""The Arbeidsflate's lists (fristliste.py, issue #15): gjennomføringsfrister and oppstartsfrister in a window of
days, and the regelmotor's Flyttet/Utvandret/Død since a time, on the running service and real PostgreSQL, with
the caller's scope (DOMAIN.md §4 rule 8) and the plans on the partial indexes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.rapport import domain, forbruker
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.regelverk import frister
from tests.support import hendelser

pytestmark = pytest.mark.integration

# Trondheim and one Oslo bydel: no other rapport test registers persons there
KOMMUNE = "5001"
BOSATT = date(2019, 3, 1)  # oppstartsfrist 28.02.2021 (varighet.yaml: 24 months − 1 day)
OPPSTARTSFRIST = frister.oppstartsfrist(BOSATT).frist
START = date(2021, 1, 4)


def person(duf: str, etternavn: str, *, lov: Lov = Lov.INTEGRERINGSLOVEN, kommune: str = KOMMUNE, bydel=None):
    return hendelser.person(duf, "Tora", etternavn, kommune=kommune, bydel=bydel, lov=lov, bosatt=BOSATT)


def deltakelse(d: hendelser.Deltaker, start: date):
    """A vedtak om deltakelse from `start`, for 700 days, fattet 10 days before."""
    return d.vedtak(fra=start, til=start + timedelta(days=700), vedtaksdato=start - timedelta(days=10))


async def prosjekter(pool, events) -> None:
    async with pool.acquire() as conn:
        for e in events:
            async with conn.transaction():
                await forbruker.behandle(conn, [e])


@pytest.fixture(scope="module")
async def data(rapport_app):
    """In Trondheim: «uten» has no vedtak (oppstartsfrist to follow), «utenmal» a vedtak but no sluttmål,
    «intro» an introduksjonsloven vedtak (needs no sluttmål: nothing to follow), «i_program» vedtak and sluttmål
    (a gjennomføringsfrist), «avsluttet» the same but ended (nothing), «flyttet» ended by the regelmotor from the
    Folkeregister. One Oslo bydel person with no vedtak."""
    deltakere = {
        k: hendelser.Deltaker()
        for k in ("uten", "utenmal", "intro", "i_program", "avsluttet", "flyttet", "oslo", "ikke_reg", "rettet")
    }
    ids = {k: deltaker.deltaker_id for k, deltaker in deltakere.items()}
    ev = [
        *deltakere["uten"].registrering(person("500100000001", "Uten")),
        *deltakere["utenmal"].registrering(person("500100000002", "Utenmål")),
        deltakelse(deltakere["utenmal"], START),
        *deltakere["intro"].registrering(person("500100000003", "Intro", lov=Lov.INTRODUKSJONSLOVEN)),
        deltakelse(deltakere["intro"], START),
        *deltakere["oslo"].registrering(person("030100000777", "Oslosen", kommune="0301", bydel="030102")),
    ]
    for i, k in enumerate(("i_program", "avsluttet", "flyttet", "ikke_reg", "rettet")):
        ev += [
            *deltakere[k].registrering(person(f"50010000010{i}", k.capitalize())),
            deltakelse(deltakere[k], START),
            deltakere[k].sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, START),
        ]
    ev.append(
        deltakere["avsluttet"].kommune_avslutning(
            date(2022, 5, 1), Kode.ARBEID, t=hendelser.T0, av="5001-AB", kommune=KOMMUNE
        )
    )
    flyttet_tid = datetime(2023, 11, 20, 3, 0, tzinfo=UTC)
    ev.append(
        deltakere["flyttet"].beregnet_avslutning(Kode.FLYTTET, date(2023, 11, 19), t=flyttet_tid, kommune=KOMMUNE)
    )
    # the regelmotor's «Avslutningsårsak ikke registrert»; for «rettet» the kommune has registered the right årsak
    for k in ("ikke_reg", "rettet"):
        ev.append(
            deltakere[k].beregnet_avslutning(
                Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2023, 1, 3), t=hendelser.T0, kommune=KOMMUNE
            )
        )
    ev.append(
        deltakere["rettet"].kommune_avslutning(
            date(2022, 12, 1), Kode.ARBEID, t=hendelser.T0, av="5001-AB", kommune=KOMMUNE
        )
    )
    await prosjekter(rapport_app.state.runtime.pool, ev)
    return ids, flyttet_tid


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def trondheim(token) -> dict:
    return auth(token(KOMMUNE, user="5001-TOR"))


async def test_oppstartsfrist_lists_only_persons_without_vedtak_or_sluttmal(client, data, token):
    ids, _ = data
    r = await client.get(
        "/api/v1/frister/oppstart",
        params={"fra": (OPPSTARTSFRIST - timedelta(days=30)).isoformat(), "dager": 30},
        headers=trondheim(token),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # seed §12: «vedtak om program og slutt mål»; introduksjonsloven has no sluttmål; avsluttet: nothing left
    assert {x["deltaker_id"] for x in body["rader"]} == {str(ids["uten"]), str(ids["utenmal"])}
    assert {x["frist"] for x in body["rader"]} == {OPPSTARTSFRIST.isoformat()}
    assert body["linjer"] == "Viser 1 - 2 av 2 linjer"
    # a window that ends the day before the frist holds nobody
    r = await client.get(
        "/api/v1/frister/oppstart",
        params={"fra": (OPPSTARTSFRIST - timedelta(days=31)).isoformat(), "dager": 30},
        headers=trondheim(token),
    )
    assert r.json()["totalt"] == 0


async def test_gjennomforingsfrist_of_persons_in_programme_only(client, data, token):
    ids, _ = data
    frist = domain.frist_for_gjennomforing(
        Lov.INTEGRERINGSLOVEN.value,
        Sluttmalkode.ARBEID_HAR_IKKE_VGO.value,
        [domain.Vedtaksfakta("DELTAKELSE", "VEDTAK_FATTET", START, None)],
        [],
    )
    assert frist is not None
    r = await client.get(
        "/api/v1/frister/gjennomforing",
        params={"fra": (frist - timedelta(days=90)).isoformat(), "dager": 90},
        headers=trondheim(token),
    )
    assert r.status_code == 200, r.text
    rader = r.json()["rader"]
    # «avsluttet» and «flyttet» have a current avslutning: no frist to meet any more; «utenmål» is in programme
    # (the regelverk's duration without a sluttmål gives the same frist here)
    paa_fristen = {x["deltaker_id"] for x in rader if x["frist"] == frist.isoformat()}
    assert str(ids["i_program"]) in paa_fristen
    assert not {str(ids["avsluttet"]), str(ids["flyttet"]), str(ids["uten"])} & {x["deltaker_id"] for x in rader}
    assert [x["frist"] for x in rader] == sorted(x["frist"] for x in rader)


async def test_scope_another_kommune_and_bydel(client, data, token):
    ids, _ = data
    params = {"fra": (OPPSTARTSFRIST - timedelta(days=30)).isoformat(), "dager": 30}
    vennesla = await client.get("/api/v1/frister/oppstart", params=params, headers=auth(token("4223")))
    assert not {str(ids["uten"]), str(ids["oslo"])} & {x["deltaker_id"] for x in vennesla.json()["rader"]}
    annen_bydel = await client.get(
        "/api/v1/frister/oppstart", params=params, headers=auth(token("0301", user="0301-AB", bydel="030101"))
    )
    assert str(ids["oslo"]) not in {x["deltaker_id"] for x in annen_bydel.json()["rader"]}
    egen_bydel = await client.get(
        "/api/v1/frister/oppstart", params=params, headers=auth(token("0301", user="0301-AB", bydel="030102"))
    )
    assert str(ids["oslo"]) in {x["deltaker_id"] for x in egen_bydel.json()["rader"]}
    imdi = await client.get("/api/v1/frister/oppstart", params=params, headers=auth(token(imdi=True, user="imdi")))
    assert {str(ids["uten"]), str(ids["oslo"])} <= {x["deltaker_id"] for x in imdi.json()["rader"]}


async def test_folkeregister_since(client, data, token):
    ids, tid = data
    r = await client.get(
        "/api/v1/folkeregisteravslutninger",
        params={"siden": (tid - timedelta(days=1)).isoformat()},
        headers=trondheim(token),
    )
    assert r.status_code == 200, r.text
    rader = r.json()["rader"]
    assert [(x["deltaker_id"], x["arsak"]) for x in rader] == [(str(ids["flyttet"]), "FLYTTET")]
    assert rader[0]["arsak_navn"] == "Flyttet"
    senere = await client.get(
        "/api/v1/folkeregisteravslutninger",
        params={"siden": (tid + timedelta(seconds=1)).isoformat()},
        headers=trondheim(token),
    )
    assert senere.json()["totalt"] == 0
    uten_sone = await client.get(
        "/api/v1/folkeregisteravslutninger", params={"siden": "2023-11-01T00:00:00"}, headers=trondheim(token)
    )
    assert uten_sone.status_code == 422 and [(f["felt"], f["i"]) for f in uten_sone.json()["feil"]] == [
        ("siden", "query")
    ]
    assert "tidssone" in uten_sone.json()["feil"][0]["melding"]


async def test_a_new_vedtak_and_sluttmal_take_the_person_off_the_oppstart_list(client, rapport_app, token):
    d = hendelser.Deltaker()
    did = d.deltaker_id
    pool = rapport_app.state.runtime.pool
    await prosjekter(pool, [*d.registrering(person("500100000050", "Senere"))])
    params = {"fra": OPPSTARTSFRIST.isoformat(), "dager": 0}

    async def paa_lista() -> bool:
        r = await client.get("/api/v1/frister/oppstart", params=params, headers=trondheim(token))
        return str(did) in {x["deltaker_id"] for x in r.json()["rader"]}

    assert await paa_lista()
    await prosjekter(pool, [deltakelse(d, START), d.sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, START)])
    assert not await paa_lista()


async def test_avslutningsarsak_ikke_registrert_until_the_kommune_registers_its_own(client, data, token):
    """Seed §1: «Kommunen må i disse tilfellene registrere ny korrekt avslutningsårsak»: the worklist holds the
    regelmotor's «Avslutningsårsak ikke registrert» that is still the person's current avslutning."""
    ids, _ = data
    r = await client.get("/api/v1/avslutningsarsak-ikke-registrert", headers=trondheim(token))
    assert r.status_code == 200, r.text
    assert [x["deltaker_id"] for x in r.json()["rader"]] == [str(ids["ikke_reg"])]
    vennesla = await client.get("/api/v1/avslutningsarsak-ikke-registrert", headers=auth(token("4223")))
    assert str(ids["ikke_reg"]) not in {x["deltaker_id"] for x in vennesla.json()["rader"]}


async def test_the_lists_use_their_indexes(rapport_app):
    async with rapport_app.state.runtime.pool.acquire() as conn:
        await conn.execute("SET enable_seqscan = off")  # a small table: ask whether the index can serve at all
        for sql in (
            "SELECT * FROM deltaker WHERE gjennomforingsfrist BETWEEN '2024-01-01' AND '2024-03-01'"
            " AND oppfolgingskommune = '5001'",
            "SELECT * FROM deltaker WHERE oppstartsfrist BETWEEN '2024-01-01' AND '2024-03-01'",
            "SELECT * FROM rapport_rad WHERE kilde = 'regelmotor' AND arsak IN ('FLYTTET', 'UTVANDRET', 'DOD')"
            " AND registrert_dato >= now() AND oppfolgingskommune = '5001'",
            "SELECT * FROM rapport_rad WHERE kilde = 'regelmotor' AND arsak = 'AVSLUTNINGSARSAK_IKKE_REGISTRERT'"
            " AND oppfolgingskommune = '5001' ORDER BY avslutningsdato",
        ):
            plan = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + sql))
            assert any(
                i in plan for i in ("gjennomforingsfrist", "oppstartsfrist", "folkeregister", "ikke_registrert")
            ), plan
        await conn.execute("RESET enable_seqscan")
