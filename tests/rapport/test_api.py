"""The JSON API /api/v1 (DOMAIN.md §7, seed §7–8): filters, paging, sorting, access per
oppfølgingskommune (§4 rule 8), history and måloppnåelse (Tabell 2), on the running service."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from services.rapport import forbruker
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori, Lov
from tests.support import hendelser
from tests.support.hendelser import Deltaker, person

pytestmark = pytest.mark.integration

T = hendelser.T0
FORNAVN = ["Åse", "Ørjan", "Æsa", "Bjørn", "Amina", "Ola"]


@pytest.fixture(scope="module")
async def data(rapport_app):
    """Vennesla (4223): 30 persons, every third ended by the regelmotor; Oslo (0301) 3 in bydel Gamle Oslo;
    Bærum (3201) 1; one introduksjonsloven person in Vennesla. 2022 and 2023."""
    pool = rapport_app.state.runtime.pool
    ids: dict[str, object] = {}
    events = []
    for i in range(30):
        d = Deltaker()
        ids[f"v{i}"] = d.deltaker_id
        events += [
            *d.registrering(person(f"4223{i:08d}", FORNAVN[i % 6], f"Etternavn{i:02d}")),
            d.kategori(Kategori.KAN_TILBYS if i % 5 == 0 else Kategori.RETT_OG_PLIKT, date(2021, 1, 1)),
        ]
        dato = date(2022 + i % 2, 6, 1) + timedelta(days=i)
        if i % 3 == 0:
            events.append(d.beregnet_avslutning(Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, dato, t=T + timedelta(hours=i)))
        else:
            arsak = [Kode.ARBEID, Kode.VGO_FAG_OG_YRKE, Kode.ARBEID_OG_VGO, Kode.DOD][i % 4]
            events.append(d.kommune_avslutning(dato, arsak, t=T + timedelta(hours=i)))
    for i in range(3):
        d = Deltaker()
        ids[f"o{i}"] = d.deltaker_id
        events += [
            *d.registrering(person(f"0301{i:08d}", "Olav", f"Oslo{i}", kommune="0301", bydel="030101")),
            d.kommune_avslutning(
                date(2023, 3, 1), Kode.HOYERE_UTDANNING, t=T, av="0301-ABC", kommune="0301", bydel="030101"
            ),
        ]
    d = Deltaker()
    ids["baerum"] = d.deltaker_id
    events += [
        *d.registrering(person("320100000001", "Kari", "Bærumsen", kommune="3201")),
        d.kommune_avslutning(date(2023, 4, 1), Kode.ARBEID, t=T, av="3201-XY", kommune="3201"),
    ]
    d = Deltaker()
    ids["intro"] = d.deltaker_id
    events += [
        *d.registrering(person("422399999999", "Ivar", "Introsen", lov=Lov.INTRODUKSJONSLOVEN)),
        d.kommune_avslutning(date(2020, 4, 1), Kode.ARBEID, t=T),
    ]
    async with pool.acquire() as conn:
        for e in events:
            async with conn.transaction():
                await forbruker.behandle(conn, [e])
    return ids


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_paging_text_and_numbers(client, data, token):
    r = await client.get("/api/v1/rapport/integreringsloven", headers=auth(token("4223")))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["linjer"] == "Viser 1 - 25 av 30 linjer"
    assert (body["fra"], body["til"], body["totalt"], body["antall_sider"]) == (1, 25, 30, 2)
    assert body["tittel"] == "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven"
    r2 = (await client.get("/api/v1/rapport/integreringsloven?side=2", headers=auth(token("4223")))).json()
    assert r2["linjer"] == "Viser 26 - 30 av 30 linjer"
    assert not {x["deltaker_id"] for x in body["rader"]} & {x["deltaker_id"] for x in r2["rader"]}


async def test_a_kommune_sees_only_its_own(client, data, token):
    body = (await client.get("/api/v1/rapport/integreringsloven?per_side=500", headers=auth(token("4223")))).json()
    assert {x["oppfolgingskommune"] for x in body["rader"]} == {"4223"}
    r = await client.get("/api/v1/rapport/integreringsloven?oppfolgingskommune=0301", headers=auth(token("4223")))
    assert r.status_code == 403
    # another kommune's person answers as an unknown one (issue #14 §4)
    r = await client.get(f"/api/v1/personer/{data['o0']}/avslutningshistorikk", headers=auth(token("4223")))
    ukjent = await client.get(f"/api/v1/personer/{uuid4()}/avslutningshistorikk", headers=auth(token("4223")))
    assert (r.status_code, r.json()) == (ukjent.status_code, ukjent.json()) and r.status_code == 404
    assert (await client.get("/api/v1/rapport/integreringsloven")).status_code == 401


async def test_an_oslo_bydel_user_sees_only_its_bydel(client, data, token):
    """Oslo's three are in Gamle Oslo (030101): its user sees them, St. Hanshaugen's (030104) none."""
    gamle_oslo = auth(token("0301", user="0301-GAM", bydel="030101"))
    st_hanshaugen = auth(token("0301", user="0301-STH", bydel="030104"))
    oslo = (
        await client.get("/api/v1/rapport/integreringsloven?per_side=500", headers=auth(token("0301", user="0301-ABC")))
    ).json()
    body = (await client.get("/api/v1/rapport/integreringsloven?per_side=500", headers=gamle_oslo)).json()
    assert len(oslo["rader"]) == 3 and {x["deltaker_id"] for x in body["rader"]} == {
        x["deltaker_id"] for x in oslo["rader"]
    }
    assert (await client.get("/api/v1/rapport/integreringsloven", headers=st_hanshaugen)).json()["totalt"] == 0
    assert (
        await client.get("/api/v1/rapport/integreringsloven?bydel=030101", headers=st_hanshaugen)
    ).status_code == 403
    r = await client.get(f"/api/v1/personer/{data['o0']}/avslutningshistorikk", headers=st_hanshaugen)
    assert r.status_code == 404
    assert (
        await client.get(f"/api/v1/personer/{data['o0']}/avslutningshistorikk", headers=gamle_oslo)
    ).status_code == 200
    valg = (await client.get("/api/v1/rapport/integreringsloven/filtervalg", headers=st_hanshaugen)).json()
    assert [b["bydelsnummer"] for b in valg["bydeler"]] == ["030104"]


async def test_imdi_sees_all_and_filters_on_kommune_and_bydel(client, data, token):
    imdi = auth(token(None, imdi=True, user="IMDI-ANA"))
    body = (await client.get("/api/v1/rapport/integreringsloven", headers=imdi)).json()
    assert body["totalt"] >= 34
    body = (
        await client.get("/api/v1/rapport/integreringsloven?oppfolgingskommune=0301&bydel=030101", headers=imdi)
    ).json()
    assert body["totalt"] == 3 and {x["bydel_navn"] for x in body["rader"]} == {"Gamle Oslo"}


async def test_filters(client, data, token):
    h = auth(token("4223"))

    async def total(q: str) -> int:
        r = await client.get(f"/api/v1/rapport/integreringsloven?{q}", headers=h)
        assert r.status_code == 200, r.text
        return r.json()["totalt"]

    assert await total("registrert_av=regelmotor") == 10
    assert await total("registrert_av=kommunen") == 20
    assert await total("kategori=KAN_TILBYS") == 6
    assert await total("avslutningsaar=2022") == 15
    intro = (await client.get("/api/v1/rapport/introduksjonsloven", headers=h)).json()
    assert intro["totalt"] == 1 and intro["rader"][0]["fornavn"] == "Ivar"
    r = await client.get("/api/v1/rapport/integreringsloven?bydel=12", headers=h)
    assert r.status_code == 422 and [f["felt"] for f in r.json()["feil"]] == ["bydel"], r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/rapport/integreringsloven?registrert_av=noen", headers=h)).status_code == 422
    assert (await client.get("/api/v1/rapport/integreringsloven?sorter=passord", headers=h)).status_code == 422


async def sok(client, headers: dict, body: dict, lov: str = "integreringsloven"):
    return await client.post(f"/api/v1/rapport/{lov}/sok", headers=headers, json=body)


async def test_search_on_duf_nummer_and_name_is_posted(client, data, token):
    h = auth(token("4223"))

    async def total(**body) -> int:
        r = await sok(client, h, body)
        assert r.status_code == 200, r.text
        return r.json()["totalt"]

    assert await total(duf_nummer="422300000007") == 1
    assert await total(duf_nummer="42230000001") == 10  # a prefix
    assert await total(navn="ørjan") == 5  # Ø lower-cased under the Norwegian collation
    assert await total(navn="ØRJAN etternavn01") == 1
    assert await total(navn="%") == 0  # LIKE wildcards are literal
    assert await total(navn="ørjan", kategori="KAN_TILBYS") == 1  # Ørjan: i = 1, 7, 13, 19, 25; KAN_TILBYS: i % 5 == 0
    r = await sok(client, h, {"duf_nummer": "422300000007"})
    rad = r.json()["rader"][0]
    assert rad["deltaker_id"] == str(data["v7"]) and rad["fornavn"] == "Ørjan"


async def test_post_answers_as_the_get_with_paging_and_sorting(client, data, token):
    h = auth(token("4223"))
    get = (
        await client.get(
            "/api/v1/rapport/integreringsloven?kategori=RETT_OG_PLIKT&side=2&per_side=7"
            "&sorter=fornavn&retning=synkende",
            headers=h,
        )
    ).json()
    post = (
        await sok(
            client,
            h,
            {"kategori": "RETT_OG_PLIKT", "side": 2, "per_side": 7, "sorter": "fornavn", "retning": "synkende"},
        )
    ).json()
    assert post == get and get["linjer"] == "Viser 8 - 14 av 24 linjer"


async def test_post_keeps_the_kommune_scope(client, data, token):
    """A kommune user cannot reach another kommune's rows through the body either (DOMAIN.md §4 rule 8)."""
    h = auth(token("4223"))
    assert (await sok(client, h, {"duf_nummer": "030100000001"})).json()["totalt"] == 0  # Oslo's person
    assert (await sok(client, h, {"navn": "olav"})).json()["totalt"] == 0
    assert (await sok(client, h, {"navn": "olav", "oppfolgingskommune": "0301"})).status_code == 403
    assert (await client.post("/api/v1/rapport/integreringsloven/sok", json={"navn": "olav"})).status_code == 401
    imdi = auth(token(None, imdi=True, user="IMDI-ANA"))
    body = (await sok(client, imdi, {"navn": "olav"})).json()
    assert body["totalt"] == 3 and {x["oppfolgingskommune"] for x in body["rader"]} == {"0301"}
    assert (await sok(client, imdi, {"duf_nummer": "030100000001"})).json()["rader"][0]["etternavn"] == "Oslo1"


async def test_get_with_duf_nummer_or_name_is_refused(client, data, token):
    """Identifiers in a URL end up in access logs: the GET refuses them rather than search."""
    h = auth(token("4223"))
    for q in ("duf_nummer=422300000007", "navn=ørjan", "kategori=KAN_TILBYS&navn=", "duf_nummer="):
        for path in ("/api/v1/rapport/integreringsloven", "/api/v1/rapport/integreringsloven/csv"):
            r = await client.get(f"{path}?{q}", headers=h)
            assert r.status_code == 400, (path, q, r.text)
            p = r.json()
            assert p["kode"] == "IDENTIFIKATOR_I_URL" and p["feil"][0]["felt"] == q.split("&")[-1].split("=")[0]
            assert "POST /api/v1/rapport/integreringsloven/sok" in p["detail"]
            assert "POST /api/v1/rapport/integreringsloven/csv" in p["detail"]


async def test_post_body_is_validated_per_field(client, data, token):
    h = auth(token("4223"))
    r = await sok(client, h, {"navn": "ola", "fodselsnummer": "01019012345"})
    assert r.status_code == 422 and r.json()["feil"][0]["felt"] == "fodselsnummer"
    assert r.json()["feil"][0]["kode"] == "extra_forbidden" and r.json()["feil"][0]["melding"] == "feltet er ukjent"
    r = await sok(client, h, {"per_side": 501})
    assert r.status_code == 422 and r.json()["feil"][0]["felt"] == "per_side"
    r = await sok(client, h, {"navn": "a\u0000b"})
    assert r.status_code == 422 and r.json()["feil"][0]["felt"] == "navn"
    # the rejected values are not echoed (they are identifiers): no «input» in the answer
    for body in ({"fodselsnummer": "01019012345"}, {"duf_nummer": 202300000101}, {"navn": "Ola\u0000Nordmann"}):
        r = await sok(client, h, body)
        assert r.status_code == 422, r.text
        assert "01019012345" not in r.text and "202300000101" not in r.text and "Nordmann" not in r.text, r.text
    # the filter's forms are in the schema: refused as on the GET, 422 naming the field
    r = await sok(client, h, {"duf_nummer": "42x"})
    assert r.status_code == 422 and [(f["felt"], f["i"]) for f in r.json()["feil"]] == [("duf_nummer", "body")]
    get = await client.get("/api/v1/rapport/integreringsloven?bydel=12", headers=h)
    post = await sok(client, h, {"bydel": "12"})
    assert post.status_code == get.status_code == 422
    assert post.json()["feil"][0]["felt"] == get.json()["feil"][0]["felt"] == "bydel"
    assert (await sok(client, h, {"sorter": "passord"})).status_code == 422
    assert (await sok(client, h, {}, lov="ingen-lov")).status_code == 422


@pytest.mark.parametrize(
    "felt,verdi",
    [
        ("side", "2"),
        ("side", 2.0),
        ("side", True),
        ("per_side", "25"),
        ("avslutningsaar", "2022"),
        ("avslutningsaar", 2022.0),
        ("duf_nummer", 4223),
        ("navn", 1),
        ("kategori", "kan_tilbys"),
        ("kategori", 1),
        ("registrert_av", "Kommunen"),
        ("retning", True),
        ("oppfolgingskommune", 4223),
    ],
)
async def test_post_body_is_strict_json(client, data, token, felt, verdi):
    """Issue #11 §3: the body's types are strict, a number is a JSON number and a text a string."""
    r = await sok(client, auth(token("4223")), {felt: verdi})
    assert r.status_code == 422, r.text
    assert [(d["i"], d["felt"]) for d in r.json()["feil"]] == [("body", felt)]


async def test_post_body_accepts_the_same_values_in_their_json_types(client, data, token):
    r = await sok(
        client,
        auth(token("4223")),
        {
            "side": 1,
            "per_side": 25,
            "avslutningsaar": 2022,
            "kategori": "KAN_TILBYS",
            "registrert_av": "kommunen",
            "retning": "synkende",
            "duf_nummer": "4223",
        },
    )
    assert r.status_code == 200, r.text


async def test_sorting_by_columns_norwegian_order(client, data, token):
    h = auth(token("4223"))
    rows = (await client.get("/api/v1/rapport/integreringsloven?per_side=500&sorter=fornavn", headers=h)).json()[
        "rader"
    ]
    forste = []
    for x in rows:
        if x["fornavn"] not in forste:
            forste.append(x["fornavn"])
    assert forste == ["Amina", "Bjørn", "Ola", "Æsa", "Ørjan", "Åse"]  # Æ, Ø, Å last, in that order
    rows = (
        await client.get(
            "/api/v1/rapport/integreringsloven?per_side=500&sorter=avslutningsdato&retning=synkende", headers=h
        )
    ).json()["rader"]
    datoer = [x["avslutningsdato"] for x in rows]
    assert datoer == sorted(datoer, reverse=True)


async def test_history_newest_first_with_slettet(client, data, token, rapport_app):
    d, rm, ka = Deltaker(), uuid4(), uuid4()
    did = d.deltaker_id
    async with rapport_app.state.runtime.pool.acquire() as conn:
        for e in [
            *d.registrering(person("420411111111", "Nils", "Historiesen", kommune="4204")),
            d.beregnet_avslutning(
                Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2023, 11, 15), t=T, avslutning_id=rm, kommune="4204"
            ),
            d.kommune_avslutning(
                date(2023, 11, 15), Kode.ARBEID, t=T + timedelta(days=1), avslutning_id=ka, av="ces", kommune="4204"
            ),
            d.beregnet_trukket(rm, Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, t=T + timedelta(days=1, seconds=1)),
        ]:
            async with conn.transaction():
                await forbruker.behandle(conn, [e])
    h = (await client.get(f"/api/v1/personer/{did}/avslutningshistorikk", headers=auth(token("4204")))).json()
    assert [(x["avslutning"], x["arsak_navn"], x["registrert_av"]) for x in h["linjer"]] == [
        ("Ordinær avslutning (slettet)", "Avslutningsårsak ikke registrert", "Regelmotor"),
        ("Ordinær avslutning", "Arbeid", "ces"),
    ]
    assert h["linjer"][1]["timer_arbeid_per_uke"] == "30.0"
    assert (
        await client.get(f"/api/v1/personer/{uuid4()}/avslutningshistorikk", headers=auth(token("4223")))
    ).status_code == 404


async def test_maaloppnaaelse_as_tabell_2(client, data, token):
    """Vennesla 2023 (i odd): 15 persons; regelmotor (i%3==0) «Avslutningsårsak ikke registrert» = Annet; the
    kommune's by i%4: 0 Arbeid, 1 Vgo, 2 Arbeid og utdanning (jobb), 3 Død (outside the base)."""
    m = (await client.get("/api/v1/maaloppnaaelse?aar=2023&lov=integreringsloven", headers=auth(token("4223")))).json()
    linjer = m["linjer"]
    assert [(x["nivaa"], x["kommunenummer"]) for x in linjer] == [("kommune", "4223")]  # own kommune only
    odd = [i for i in range(30) if i % 2 == 1]
    kommunens = [i for i in odd if i % 3 != 0]
    jobb = sum(1 for i in kommunens if i % 4 in (0, 2))
    utd = sum(1 for i in kommunens if i % 4 == 1)
    utenfor = sum(1 for i in kommunens if i % 4 == 3)
    t = linjer[0]
    assert t["avsluttet"] == 15 - utenfor and t["utenfor_tallgrunnlaget"] == utenfor
    assert (t["i_jobb"], t["i_utdanning"], t["i_jobb_eller_utdanning"]) == (jobb, utd, jobb + utd)
    assert t["andel_i_jobb_eller_utdanning"] == pytest.approx((jobb + utd) / (15 - utenfor))
    imdi = (await client.get("/api/v1/maaloppnaaelse?aar=2023", headers=auth(token(None, imdi=True)))).json()
    nivaaer = {x["nivaa"] for x in imdi["linjer"]}
    assert nivaaer == {"landet", "fylke", "kommune"}
    oslo = next(x for x in imdi["linjer"] if x["nivaa"] == "fylke" and x["fylke"] == "Oslo")
    assert (oslo["avsluttet"], oslo["i_utdanning"], oslo["andel_i_utdanning"]) == (3, 3, 1.0)
