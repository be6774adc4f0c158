"""GET /api/v1/statistikk/{lov} on the running service (issue #17 §1; seed imdi-resultater-introduksjonsordningen-2007
Tabell 2, «Tid i programmet», Figur 5–9): every level IMDi may publish, a kommune beside its fylke and the whole
country, an Oslo bydel beside Oslo; small lines prikket with their secondary, and nobody given another kommune's
line."""

from __future__ import annotations

import json

import pytest

from services.rapport import forbruker, statistikk
from tests.rapport import statistikkdata as data

pytestmark = pytest.mark.integration

URL = f"/api/v1/statistikk/introduksjonsloven?fra_aar={data.AAR}&til_aar={data.AAR}"


@pytest.fixture(scope="module")
async def projisert(rapport_app):
    async with rapport_app.state.runtime.pool.acquire() as conn, conn.transaction():
        await forbruker.behandle(conn, data.hendelser())


def agder_tid(ls: dict[str, dict]) -> tuple[int, int, int]:
    t = ls["fylke:42"]["tid_i_program"]
    return t["nedre_kvartil"], t["median"], t["ovre_kvartil"]


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def linjer(client, token) -> dict[str, dict]:
    r = await client.get(URL, headers=auth(token))
    assert r.status_code == 200, r.text
    (aar,) = r.json()["aar"]
    assert aar["aar"] == data.AAR
    return {x["id"]: x for x in aar["linjer"]}


async def test_imdi_sees_every_level_with_the_small_ones_prikket(client, token, projisert):
    body = (await client.get(URL, headers=auth(token(None, imdi=True)))).json()
    (aar,) = body["aar"]
    assert body["terskel"] == 5
    ls = {x["id"]: x for x in aar["linjer"]}
    assert aar["linjer"][0]["id"] == "landet"
    # Gjerstad's 3 are prikket, and Grimstad (the smallest neighbour) with them: Agder − the rest ≠ 3
    assert ls["kommune:4211"]["prikket"] and ls["kommune:4202"]["prikket"]
    assert "avsluttet" not in ls["kommune:4211"] and "i_jobb" not in ls["kommune:4202"]
    v, agder, landet = ls["kommune:4201"], ls["fylke:42"], ls["landet"]
    assert not v["prikket"]
    assert (v["avsluttet"], v["i_jobb"], v["i_utdanning"], v["i_jobb_eller_utdanning"]) == (20, 8, 5, 13)
    assert v["andel_i_jobb_eller_utdanning"] == pytest.approx(13 / 20)
    assert (v["forlenget"], v["andel_forlenget"]) == (5, pytest.approx(5 / 20))
    assert v["grupper"]["Arbeid"] == 8 and v["grupper"]["Annet"] == 7
    # Agder is every kommune of it, the small ones included; landet every fylke
    assert agder["avsluttet"] == 20 + 3 + 30 + 12 and agder["i_jobb"] == 8 + 3 + 15 + 6
    assert landet["avsluttet"] == sum(sum(n for _, n in k) for *_, k, _f in data.OMRAADER)
    # Oslo's bydeler against Oslo: Grünerløkka's 2 prikket with Gamle Oslo (the tie broken by number)
    assert ls["bydel:030102"]["prikket"] and ls["bydel:030101"]["prikket"] and not ls["bydel:030103"]["prikket"]
    assert ls["bydel:030103"]["forelder"] == "kommune:0301" and ls["kommune:0301"]["avsluttet"] == 22
    # time in programme: whole months, nearest rank, per fylke and per Oslo bydel (a kommune's to itself)
    agder = [int(data.dager_i_program(i) // (365.25 / 12)) for n in (20, 3, 30, 12) for i in range(n)]
    assert agder_tid(ls) == (
        statistikk.kvartil(agder, 0.25),
        statistikk.kvartil(agder, 0.5),
        statistikk.kvartil(agder, 0.75),
    )
    assert ls["bydel:030103"]["tid_i_program"] is not None  # 10 persons
    assert ls["kommune:4201"]["tid_i_program"] is None
    # sluttårsak per code, the whole country
    koder = {k["kode"]: k for k in aar["koder"]}
    assert koder["ARBEID"]["antall"] == 8 + 3 + 10 + 6 + 10 + 5 + 5 + 2
    assert koder["GRUNNSKOLE"]["antall"] == 6 and koder["KVALIFISERENDE_TILTAK"]["antall"] == 7


async def test_a_kommune_sees_itself_its_fylke_and_the_country_and_no_other_kommune(client, token, projisert):
    ls = await linjer(client, token("4201"))
    assert {n for n in ls if n.startswith(("kommune", "bydel"))} == {"kommune:4201"}
    assert {"landet", "fylke:42", "fylke:11", "fylke:03"} <= set(ls)
    assert ls["kommune:4201"]["avsluttet"] == 20 and ls["fylke:42"]["avsluttet"] == 65  # Agder − Risør = 45
    maaneder = sorted(int(data.dager_i_program(i) // (365.25 / 12)) for i in range(20))
    tid = ls["kommune:4201"]["tid_i_program"]
    assert (tid["nedre_kvartil"], tid["median"], tid["ovre_kvartil"]) == (maaneder[4], maaneder[9], maaneder[14])
    r = await client.get(URL, headers=auth(token("4201")))
    assert "Gjerstad" not in json.dumps(r.json()) and "Grünerløkka" not in json.dumps(r.json())


async def test_a_kommune_alone_with_a_small_neighbour_does_not_get_its_fylke(client, token, projisert):
    # Grimstad sees Agder − Grimstad = 53 persons: fine. Gjerstad (3) sees its own line prikket.
    ls = await linjer(client, token("4211"))
    assert ls["kommune:4211"]["prikket"]
    assert not ls["fylke:42"]["prikket"] and ls["fylke:42"]["avsluttet"] == 65


async def test_an_oslo_bydel_sees_itself_and_oslo(client, token, projisert):
    ls = await linjer(client, token("0301", bydel="030103"))
    assert {n for n in ls if n.startswith(("kommune", "bydel"))} == {"kommune:0301", "bydel:030103"}
    assert ls["bydel:030103"]["avsluttet"] == 10 and ls["kommune:0301"]["avsluttet"] == 22
    # the whole of Oslo sees every bydel (its own deltakere), the small one still prikket
    ls = await linjer(client, token("0301"))
    assert {"bydel:030101", "bydel:030102", "bydel:030103"} <= set(ls) and ls["bydel:030102"]["prikket"]


async def test_bad_period_is_a_named_error(client, token, projisert):
    r = await client.get(
        "/api/v1/statistikk/introduksjonsloven?fra_aar=2013&til_aar=2012", headers=auth(token(None, imdi=True))
    )
    assert r.status_code == 422 and r.json()["feil"][0]["felt"] == "fra_aar"
    r = await client.get("/api/v1/statistikk/introduksjonsloven?fra_aar=tjue", headers=auth(token(None, imdi=True)))
    assert r.status_code == 422
    assert (await client.get(URL)).status_code == 401


async def test_the_counters_follow_the_report_rows_through_changes_and_deletions(rapport_app, projisert):
    """Migration 0004's triggers: after an avslutning is edited (another gruppe) and another deleted, the
    counters equal a count over rapport_rad, for every test's rows in the database."""
    from datetime import date
    from uuid import uuid4

    from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
    from tests.support.hendelser import T0, Deltaker, person

    endret, slettet, aid1, aid2 = Deltaker(), Deltaker(), uuid4(), uuid4()
    hendelser = [
        *endret.registrering(person("201300000001", kommune="4212", lov=data.LOV)),
        endret.kommune_avslutning(date(2013, 5, 1), Kode.ARBEID, t=T0, avslutning_id=aid1, kommune="4212"),
        *slettet.registrering(person("201300000002", kommune="4212", lov=data.LOV)),
        slettet.kommune_avslutning(date(2013, 5, 1), Kode.ARBEID, t=T0, avslutning_id=aid2, kommune="4212"),
    ]
    pool = rapport_app.state.runtime.pool
    async with pool.acquire() as conn:
        async with conn.transaction():
            await forbruker.behandle(conn, hendelser)
        async with conn.transaction():
            await forbruker.behandle(
                conn,
                [
                    endret.kommune_avslutning(
                        date(2013, 5, 1), Kode.GRUNNSKOLE, t=T0, avslutning_id=aid1, versjon=2, kommune="4212"
                    ),
                    slettet.kommune_avslutning_slettet(aid2, 1, t=T0),
                ],
            )
        fra_radene = await conn.fetch(
            """SELECT lov, avslutningsaar, oppfolgingskommune, coalesce(bydel, '') AS bydel, gruppe,
                      count(*)::int AS antall, (count(*) FILTER (WHERE forlenget))::int AS forlenget
               FROM rapport_rad GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"""
        )
        tellere = await conn.fetch(
            """SELECT lov, avslutningsaar, oppfolgingskommune, bydel, gruppe, antall, forlenget
               FROM statistikk_gruppe WHERE antall <> 0 OR forlenget <> 0 ORDER BY 1, 2, 3, 4, 5"""
        )
        assert [tuple(r) for r in tellere] == [tuple(r) for r in fra_radene]
        vegarshei = [tuple(r) for r in tellere if r["oppfolgingskommune"] == "4212"]
        assert vegarshei == [(data.LOV.value, 2013, "4212", "", "Annet", 1, 0)]
        kode = await conn.fetch(
            "SELECT arsak, antall FROM statistikk_arsak_kommune WHERE oppfolgingskommune = '4212' AND antall <> 0"
        )
        assert [tuple(r) for r in kode] == [("GRUNNSKOLE", 1)]
