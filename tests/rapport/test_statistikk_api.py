"""GET /api/v1/statistikk/{lov} on the running service (issue #17 §1; seed imdi-resultater-introduksjonsordningen-2007
Tabell 2, «Tid i programmet», Figur 5–9): every level IMDi may publish, a kommune beside its fylke and the whole
country, an Oslo bydel beside Oslo; small lines prikket with their secondary, and nobody given another kommune's
line."""

from __future__ import annotations

import json
import statistics

import pytest

from services.rapport import projection
from services.rapport.statistikk import DAGER_PER_MAANED
from tests.rapport import statistikkdata as data

pytestmark = pytest.mark.integration

URL = f"/api/v1/statistikk/integreringsloven?fra_aar={data.AAR}&til_aar={data.AAR}"


@pytest.fixture(scope="module")
async def projisert(rapport_app):
    async with rapport_app.state.runtime.pool.acquire() as conn, conn.transaction():
        await projection.project_batch(conn, data.hendelser())


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
    # Kristiansand's 3 are prikket, and Grimstad (the smallest neighbour) with them: Agder − the rest ≠ 3
    assert ls["kommune:4204"]["prikket"] and ls["kommune:4202"]["prikket"]
    assert "avsluttet" not in ls["kommune:4204"] and "i_jobb" not in ls["kommune:4202"]
    v, agder, landet = ls["kommune:4223"], ls["fylke:42"], ls["landet"]
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
    # time in programme: the median and quartiles of Vennesla's 20 (statistics.quantiles: the same interpolation)
    dager = [data.dager_i_program(i) for i in range(20)]
    q1, q2, q3 = statistics.quantiles(dager, n=4, method="inclusive")
    tid = v["tid_i_program"]
    assert (tid["nedre_kvartil"], tid["median"], tid["ovre_kvartil"]) == tuple(
        round(q / DAGER_PER_MAANED, 1) for q in (q1, q2, q3)
    )
    assert ls["bydel:030103"]["tid_i_program"] is not None  # 10 persons
    assert ls["kommune:1103"]["tid_i_program"] is not None and ls["kommune:1149"]["tid_i_program"] is not None
    # sluttårsak per code, the whole country
    koder = {k["kode"]: k for k in aar["koder"]}
    assert koder["ARBEID"]["antall"] == 8 + 3 + 10 + 6 + 10 + 5 + 5 + 2
    assert koder["GRUNNSKOLE"]["antall"] == 6 and koder["KVALIFISERENDE_TILTAK"]["antall"] == 7


async def test_a_kommune_sees_itself_its_fylke_and_the_country_and_no_other_kommune(client, token, projisert):
    ls = await linjer(client, token("4223"))
    assert {n for n in ls if n.startswith(("kommune", "bydel"))} == {"kommune:4223"}
    assert {"landet", "fylke:42", "fylke:11", "fylke:03"} <= set(ls)
    assert ls["kommune:4223"]["avsluttet"] == 20 and ls["fylke:42"]["avsluttet"] == 65  # Agder − Vennesla = 45
    r = await client.get(URL, headers=auth(token("4223")))
    assert "Kristiansand" not in json.dumps(r.json()) and "Grünerløkka" not in json.dumps(r.json())


async def test_a_kommune_alone_with_a_small_neighbour_does_not_get_its_fylke(client, token, projisert):
    # Grimstad sees Agder − Grimstad = 53 persons: fine. Kristiansand (3) sees its own line prikket.
    ls = await linjer(client, token("4204"))
    assert ls["kommune:4204"]["prikket"]
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
        "/api/v1/statistikk/integreringsloven?fra_aar=2013&til_aar=2012", headers=auth(token(None, imdi=True))
    )
    assert r.status_code == 400 and r.json()["detail"]["felt"] == "fra_aar"
    r = await client.get("/api/v1/statistikk/integreringsloven?fra_aar=tjue", headers=auth(token(None, imdi=True)))
    assert r.status_code == 422
    assert (await client.get(URL)).status_code == 401
