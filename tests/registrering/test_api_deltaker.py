"""The deltaker endpoints over HTTP against real PostgreSQL: registration, update, identity change, access
(DOMAIN.md §4 rule 8) and bad input (issue #3 «Bad input»)."""

from __future__ import annotations

import uuid

import pytest

from services.plumbing.problem import problem
from tests.registrering.conftest import fodselsnummer, ny_deltaker, person

pytestmark = pytest.mark.integration


async def outbox_typer(r, deltaker_id: str) -> list[str]:
    rows = await r.runtime.pool.fetch(
        "SELECT headers->>'event-type' AS t FROM outbox WHERE key = $1 ORDER BY id", deltaker_id.encode()
    )
    return [x["t"] for x in rows]


async def test_register_deltaker_stores_and_enqueues_deltaker_registrert(registrering):
    r = registrering
    body = person()
    resp = await r.client.post("/api/v1/deltakere", json=body, headers=r.token())
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["duf_nummer"] == body["duf_nummer"] and out["oppfolgingskommune"] == "4223"
    # the identities on their own topic, in the same transaction (issue #16 §3); no kategori until IMDi has
    # reported the opphold it is computed from (tests/registrering/test_opphold.py)
    assert await outbox_typer(r, out["deltaker_id"]) == ["DeltakerRegistrert", "IdentitetFastsatt"]
    assert out["kategori"] is None and out["lov"] == "integreringsloven"
    got = await r.client.get(f"/api/v1/deltakere/{out['deltaker_id']}", headers=r.token())
    assert got.status_code == 200 and got.json()["fodselsnummer"] == body["fodselsnummer"]


async def test_requests_without_a_valid_bearer_token_get_401(registrering):
    r = registrering
    assert (await r.client.get("/api/v1/kodeverk/kategorier")).status_code == 401
    resp = await r.client.get("/api/v1/kodeverk/kategorier", headers={"Authorization": "Bearer not-a-jwt"})
    assert resp.status_code == 401


@pytest.mark.parametrize(
    "endring,felt",
    [
        ({"duf_nummer": "12345"}, "duf_nummer"),
        ({"duf_nummer": "12345678901a"}, "duf_nummer"),
        ({"fodselsnummer": "15076500566"}, "fodselsnummer"),  # mod-11 check digit wrong
        ({"fodselsnummer": "1507650056"}, "fodselsnummer"),
        ({"oppfolgingskommune": "9998"}, "oppfolgingskommune"),  # unknown kommunenummer
        ({"oppfolgingskommune": "42"}, "oppfolgingskommune"),
        ({"bydel": "039999"}, "bydel"),  # unknown bydel
        ({"kjonn": "X"}, "kjonn"),
        ({"lov": "grunnloven"}, "lov"),
        ({"kategori": "RETT_OG_PLIKT"}, "kategori"),  # computed by NIR, never the kommune's (issue #13 §1)
        ({"kategori_periode": {"fra": "2022-01-01", "til": None}}, "kategori_periode"),
    ],
)
async def test_bad_deltaker_input_is_422_naming_the_field_and_writes_nothing(registrering, endring, felt):
    r = registrering
    body = person(**endring)
    resp = await r.client.post("/api/v1/deltakere", json=body, headers=r.token())
    assert resp.status_code == 422, resp.text
    feil = resp.json()["feil"]
    assert any(felt in d["felt"].split(".") for d in feil), feil
    assert body["duf_nummer"] not in resp.text and str(body.get("fodselsnummer")) not in resp.text  # no echo
    assert await r.runtime.pool.fetchval("SELECT count(*) FROM deltaker WHERE duf_nummer = $1", body["duf_nummer"]) == 0


async def test_bydel_outside_the_kommune_is_422(registrering):
    resp = await registrering.client.post(
        "/api/v1/deltakere", json=person("4223", bydel="030101"), headers=registrering.token()
    )
    assert resp.status_code == 422 and "ligger ikke i kommune" in resp.text


async def test_duplicate_duf_nummer_is_409(registrering):
    r = registrering
    body = person()
    assert (await r.client.post("/api/v1/deltakere", json=body, headers=r.token())).status_code == 201
    again = person(duf_nummer=body["duf_nummer"])
    resp = await r.client.post("/api/v1/deltakere", json=again, headers=r.token())
    assert resp.status_code == 409 and "DUF-nummer" in resp.json()["detail"]


async def test_another_kommunes_deltaker_answers_as_unknown_and_a_reader_may_not_write(registrering):
    """DOMAIN.md §4.8: another kommune's person is 404 exactly as an unknown id (issue #14 §4); the kommune's
    own reader (LESETILGANG) sees it and gets 403 on a write."""
    r = registrering
    did = await ny_deltaker(r)
    oslo = r.token(user="0301-ABC", kommune="0301")
    ukjent = await r.client.get(f"/api/v1/deltakere/{uuid.uuid4()}", headers=oslo)
    for path in (
        f"/api/v1/deltakere/{did}",
        f"/api/v1/deltakere/{did}/avslutninger",
        f"/api/v1/deltakere/{did}/fravaer",
    ):
        resp = await r.client.get(path, headers=oslo)
        assert (
            (resp.status_code, resp.json())
            == (ukjent.status_code, ukjent.json())
            == (404, problem("IKKE_FUNNET", "deltakeren finnes ikke"))
        )
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger",
        headers=oslo,
        json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2023-06-01"},
    )
    assert resp.status_code == 404
    # registering a person for another kommune is refused
    assert (await r.client.post("/api/v1/deltakere", json=person("4223"), headers=oslo)).status_code == 403
    leser = r.token(user="4223-LES", kommune="4223", rolle="LESETILGANG")
    assert (await r.client.get(f"/api/v1/deltakere/{did}", headers=leser)).status_code == 200
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger",
        headers=leser,
        json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2023-06-01"},
    )
    assert resp.status_code == 403 and "lesetilgang" in resp.json()["detail"]


async def test_imdi_reads_every_kommune_but_writes_nothing(registrering):
    r = registrering
    did = await ny_deltaker(r)
    imdi = r.token(user="IMDI-ANNA", kommune=None, imdi=True)
    assert (await r.client.get(f"/api/v1/deltakere/{did}", headers=imdi)).status_code == 200
    assert (await r.client.get(f"/api/v1/deltakere/{did}/avslutninger", headers=imdi)).status_code == 200
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger",
        headers=imdi,
        json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2023-06-01"},
    )
    assert resp.status_code == 403 and "lesetilgang" in resp.json()["detail"]


async def test_update_stays_within_the_kommune_moves_between_oslo_bydeler_and_identity_change(registrering):
    r = registrering
    did = await ny_deltaker(r)
    body = person("0301", bydel="030102")
    del body["duf_nummer"], body["fodselsnummer"]
    resp = await r.client.put(f"/api/v1/deltakere/{did}", json=body, headers=r.token())
    assert resp.status_code == 403, resp.text  # no hand-over to another kommune (issue #14 §4)
    assert (await r.client.get(f"/api/v1/deltakere/{did}", headers=r.token())).json()["oppfolgingskommune"] == "4223"

    oslo = r.token(user="0301-ABC", kommune="0301")
    oslo_did = await ny_deltaker(r, kommune="0301", bydel="030101")
    resp = await r.client.put(f"/api/v1/deltakere/{oslo_did}", json=body, headers=oslo)
    assert resp.status_code == 200 and resp.json()["bydel"] == "030102"
    ny = fodselsnummer()
    resp = await r.client.post(f"/api/v1/deltakere/{oslo_did}/identitet", json={"fodselsnummer": ny}, headers=oslo)
    assert resp.status_code == 200 and resp.json()["fodselsnummer"] == ny
    bad = await r.client.post(
        f"/api/v1/deltakere/{oslo_did}/identitet", json={"fodselsnummer": "12345678901"}, headers=oslo
    )
    assert bad.status_code == 422 and bad.json()["feil"][0]["felt"] == "fodselsnummer"
    assert (await outbox_typer(r, oslo_did))[-2:] == ["DeltakerOppdatert", "IdentitetFastsatt"]


async def test_kodeverk_serves_arsaker_with_veiledningstekst_and_who_sets_them(registrering):
    r = registrering
    arsaker = (await r.client.get("/api/v1/kodeverk/avslutningsarsaker", headers=r.token())).json()
    assert len(arsaker) == 28
    arbeid = next(a for a in arsaker if a["kode"] == "ARBEID")
    assert arbeid["krever_timer_arbeid_per_uke"] and arbeid["kan_settes_av"] == ["kommune"]
    assert arbeid["veiledningstekst"].startswith("Fast eller midlertidig arbeid")
    flyttet = next(a for a in arsaker if a["kode"] == "FLYTTET")
    assert flyttet["redigerbar_uansett_kilde"] and flyttet["kan_settes_av"] == ["kommune", "regelmotor"]
    sluttmal = (await r.client.get("/api/v1/kodeverk/sluttmal", headers=r.token())).json()
    assert {"kode": "P14_ARBEID", "navn": "Arbeid (§ 14)", "regelverk": ["integreringsloven-prop81L"]} in sluttmal
    kategorier = (await r.client.get("/api/v1/kodeverk/kategorier", headers=r.token())).json()
    assert {"kode": "RETT_OG_PLIKT", "navn": "Rett og plikt til introduksjonsprogram"} in kategorier


async def test_frister_with_beregningslogg(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = r.token()
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/vedtak",
        headers=h,
        json={
            "vedtakstype": "PERMISJON",
            "vedtaksdato": "2022-02-20",
            "periode": {"fra": "2022-03-01", "til": "2022-03-10"},
        },
    )
    assert resp.status_code == 201, resp.text
    f = (await r.client.get(f"/api/v1/deltakere/{did}/frister", headers=h)).json()
    assert f["gjennomforingsfrist"]["frist"] == "2024-01-19"
    assert f["gjennomforingsfrist"]["regelverk"] == "integreringsloven-2021"
    assert [s["dato"] for s in f["gjennomforingsfrist"]["beregningslogg"]] == ["2022-01-10", "2024-01-09", "2024-01-19"]
    assert f["oppstartsfrist"]["frist"] == "2023-08-31"
    uten = await ny_deltaker(r, program=False, sluttmal=False)
    f = (await r.client.get(f"/api/v1/deltakere/{uten}/frister", headers=h)).json()
    assert f["gjennomforingsfrist"] is None and "vedtak om deltakelse" in f["gjennomforingsfrist_mangler"]


async def test_sluttmal_unknown_to_the_regelverk_is_422(registrering):
    r = registrering
    did = await ny_deltaker(r, sluttmal=False)
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/sluttmal",
        headers=r.token(),
        json={"sluttmal": "P14_ARBEID", "fastsatt_dato": "2022-01-03"},
    )
    assert resp.status_code == 422 and resp.json()["feil"][0]["felt"] == "sluttmal"
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/sluttmal",
        headers=r.token(),
        json={"sluttmal": "NOE_ANNET", "fastsatt_dato": "2022-01-03"},
    )
    assert resp.status_code == 422


async def test_programme_facts_vedtak_tiltak_fravaer_avvisning(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = r.token()
    base = f"/api/v1/deltakere/{did}"
    bad = await r.client.post(
        f"{base}/vedtak",
        headers=h,
        json={
            "vedtakstype": "DELTAKELSE",
            "vedtaksdato": "2022-01-03",
            "periode": {"fra": "2022-02-01", "til": "2022-01-01"},
        },
    )
    assert bad.status_code == 422 and "til-dato" in bad.text
    t = await r.client.post(
        f"{base}/tiltak",
        headers=h,
        json={"tiltakskode": "NORSKOPPLAERING", "periode": {"fra": "2022-01-10"}, "timer_per_uke": "22.5"},
    )
    assert t.status_code == 201, t.text
    assert (
        await r.client.post(
            f"{base}/tiltak",
            headers=h,
            json={"tiltakskode": "X", "periode": {"fra": "2022-01-10"}, "timer_per_uke": "0"},
        )
    ).status_code == 422
    f = await r.client.post(
        f"{base}/fravaer",
        headers=h,
        json={"fravaerstype": "GYLDIG", "periode": {"fra": "2022-04-01", "til": "2022-04-05"}},
    )
    assert f.status_code == 201
    assert (await r.client.get(f"{base}/fravaer", headers=h)).json() == [
        {"fravaer_id": f.json()["id"], "fravaerstype": "GYLDIG", "periode": {"fra": "2022-04-01", "til": "2022-04-05"}}
    ]
    assert (await r.client.delete(f"{base}/fravaer/{f.json()['id']}", headers=h)).status_code == 204
    assert (await r.client.delete(f"{base}/fravaer/{f.json()['id']}", headers=h)).status_code == 404
    assert (await r.client.get(f"{base}/fravaer", headers=h)).json() == []
    # DOMAIN.md §4.9: an avvisning only before the programme start (2022-01-10)
    assert (await r.client.post(f"{base}/avvisning", headers=h, json={"avvist_dato": "2022-01-05"})).status_code == 201
    stans = await r.client.post(
        f"{base}/vedtak",
        headers=h,
        json={"vedtakstype": "PERMANENT_STANS", "vedtaksdato": "2022-01-01", "periode": {"fra": "2021-12-01"}},
    )
    assert stans.status_code == 422  # a stans dated before programme start
    assert (await r.client.get(f"{base}/tiltak", headers=h)).json()[0]["timer_per_uke"] == "22.5"
    assert await outbox_typer(r, did) == [
        "DeltakerRegistrert",
        "IdentitetFastsatt",
        "VedtakRegistrert",
        "SluttmalRegistrert",
        "TiltakRegistrert",
        "FravaerRegistrert",
        "FravaerSlettet",
        "AvvisningRegistrert",
    ]


async def test_deltakelse_before_the_lov_applies_is_422(registrering):
    r = registrering
    did = await ny_deltaker(r, program=False, sluttmal=False)
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/vedtak",
        headers=r.token(),
        json={"vedtakstype": "DELTAKELSE", "vedtaksdato": "2020-06-01", "periode": {"fra": "2020-06-01"}},
    )
    assert resp.status_code == 422 and resp.json()["feil"][0]["felt"] == "periode.fra"


async def test_find_a_person_by_duf_nummer_or_fodselsnummer_in_the_body(registrering):
    r = registrering
    body = person()
    did = (await r.client.post("/api/v1/deltakere", json=body, headers=r.token())).json()["deltaker_id"]
    for sok in ({"duf_nummer": body["duf_nummer"]}, {"fodselsnummer": body["fodselsnummer"]}):
        resp = await r.client.post("/api/v1/deltakere/sok", json=sok, headers=r.token())
        assert resp.status_code == 200 and resp.json()["deltaker_id"] == did
    oslo = r.token(user="0301-ABC", kommune="0301")
    # Another kommune's person answers exactly as an unknown one: the search does not reveal who is in NIR.
    annen = await r.client.post("/api/v1/deltakere/sok", json={"duf_nummer": body["duf_nummer"]}, headers=oslo)
    ukjent = await r.client.post("/api/v1/deltakere/sok", json={"duf_nummer": "000000000001"}, headers=oslo)
    assert annen.status_code == ukjent.status_code == 404 and annen.json() == ukjent.json()
    assert (
        await r.client.post("/api/v1/deltakere/sok", json={"duf_nummer": "000000000001"}, headers=r.token())
    ).status_code == 404
    assert (await r.client.post("/api/v1/deltakere/sok", json={}, headers=r.token())).status_code == 422
