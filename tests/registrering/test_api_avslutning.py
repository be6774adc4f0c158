"""The avslutning endpoints over HTTP against real PostgreSQL: DOMAIN.md §4 rules 1–6 (seed
nir-brukerveiledning-avslutning-2023 §2–6), every version kept, and no partial writes."""

from __future__ import annotations

import uuid

import pytest

from tests.registrering.conftest import ny_deltaker, person
from tests.registrering.test_api_deltaker import outbox_typer

pytestmark = pytest.mark.integration

ARBEID = {"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "30.0"}


async def antall(r, deltaker_id: str) -> dict[str, int]:
    """Rows this deltaker has in every table that a write could touch, and its outbox entries."""
    q = {
        "avslutning": "SELECT count(*) FROM avslutning WHERE deltaker_id = $1",
        "versjoner": "SELECT count(*) FROM avslutningsversjon JOIN avslutning USING (avslutning_id)"
        " WHERE deltaker_id = $1",
        "ikke_gjeldende": "SELECT (SELECT count(*) FROM vedtak WHERE deltaker_id = $1 AND NOT gjeldende)"
        " + (SELECT count(*) FROM tiltak WHERE deltaker_id = $1 AND NOT gjeldende)",
        "outbox": "SELECT count(*) FROM outbox WHERE key = convert_to($1::text, 'UTF8')",
    }
    return {
        k: await r.runtime.pool.fetchval(sql, uuid.UUID(deltaker_id) if k != "outbox" else deltaker_id)
        for k, sql in q.items()
    }


async def test_rule_4_1_no_avslutning_without_vedtak_om_program_and_sluttmal(registrering):
    r = registrering
    for kw in ({"program": False}, {"sluttmal": False}):
        did = await ny_deltaker(r, **kw)
        resp = await r.client.post(f"/api/v1/deltakere/{did}/avslutninger", json=ARBEID, headers=r.token())
        assert resp.status_code == 409, resp.text
        assert resp.json()["kode"] == "MANGLER_VEDTAK_ELLER_SLUTTMAL", resp.text
        assert "DOMAIN.md" not in resp.text  # no internal text in the answer (issue #16 §1)


@pytest.mark.parametrize(
    "body,felt,tekst",
    [
        ({**ARBEID, "avslutningsdato": "2024-01-10"}, "avslutningsdato", "gjennomføringsfristen"),  # rule 2
        ({**ARBEID, "avslutningsdato": "2022-01-09"}, "avslutningsdato", "programstart"),  # rule 2
        ({"arsak": "ARBEID", "avslutningsdato": "2023-06-01"}, "timer_arbeid_per_uke", "påkrevd"),  # rule 3
        ({**ARBEID, "timer_arbeid_per_uke": "30.25"}, "timer_arbeid_per_uke", "desimal"),
        ({**ARBEID, "timer_arbeid_per_uke": "0"}, "timer_arbeid_per_uke", "større enn 0"),
        ({**ARBEID, "timer_arbeid_per_uke": "-3"}, "timer_arbeid_per_uke", "større enn 0"),
        ({**ARBEID, "timer_arbeid_per_uke": "tretti"}, "timer_arbeid_per_uke", ""),
        ({"arsak": "AVSLUTNINGSARSAK_IKKE_REGISTRERT", "avslutningsdato": "2023-06-01"}, "arsak", "regelmotor"),  # §3
        ({"arsak": "VEDTAK_OM_PERMANENT_STANS", "avslutningsdato": "2023-06-01"}, "arsak", "regelmotor"),
        ({"arsak": "FINNES_IKKE", "avslutningsdato": "2023-06-01"}, "arsak", ""),  # unknown code
        ({"arsak": "GRUNNSKOLE", "avslutningsdato": "01.06.2023"}, "avslutningsdato", ""),
        ({"arsak": "GRUNNSKOLE"}, "avslutningsdato", ""),
    ],
)
async def test_bad_avslutning_is_422_with_field_message_and_leaves_no_rows_and_no_outbox(
    registrering, body, felt, tekst
):
    r = registrering
    did = await ny_deltaker(r)
    før = await antall(r, did)
    resp = await r.client.post(f"/api/v1/deltakere/{did}/avslutninger", json=body, headers=r.token())
    assert resp.status_code == 422, resp.text
    feil = resp.json()["feil"]
    assert any(d["felt"].split(".")[-1] == felt and tekst in d["melding"] for d in feil), feil
    assert await antall(r, did) == før


async def test_rule_4_2_etterregistrering_within_the_frist_is_accepted(registrering):
    # The frist (2024-01-09) passed long ago; the date itself is within it (seed §5 tips).
    r = registrering
    did = await ny_deltaker(r)
    resp = await r.client.post(f"/api/v1/deltakere/{did}/avslutninger", json=ARBEID, headers=r.token())
    assert resp.status_code == 201, resp.text
    a = resp.json()["avslutning"]
    assert a["arsak"] == {"kode": "ARBEID", "navn": "Arbeid"} and a["timer_arbeid_per_uke"] == "30.0"
    assert a["registrert_av"] == "4223-CES" and a["avslutningstype"] == "Ordinær avslutning"
    assert a["oppfolgingskommune"] == "4223" and a["slettet"] is False


async def test_rule_4_4_warning_stores_nothing_until_confirmed_then_marks_ikke_gjeldende(registrering):
    r = registrering
    did = await ny_deltaker(r)  # the vedtak runs to 2024-01-09
    h = r.token()
    t = await r.client.post(
        f"/api/v1/deltakere/{did}/tiltak",
        headers=h,
        json={
            "tiltakskode": "NORSKOPPLAERING",
            "periode": {"fra": "2022-01-10", "til": "2023-12-31"},
            "timer_per_uke": "15.0",
        },
    )
    før = await antall(r, did)
    body = {"arsak": "VGO_STUDIESPESIALISERING", "avslutningsdato": "2023-06-21"}
    resp = await r.client.post(f"/api/v1/deltakere/{did}/avslutninger", json=body, headers=h)
    assert resp.status_code == 409, resp.text
    advarsel = resp.json()
    assert advarsel["kode"] == "KREVER_BEKREFTELSE" and "Er du sikker" in advarsel["detail"]
    assert resp.headers["content-type"] == "application/problem+json"
    assert (
        advarsel["advarsel"]["tiltak_ids"] == [t.json()["tiltak_id"]] and len(advarsel["advarsel"]["vedtak_ids"]) == 1
    )
    assert await antall(r, did) == før  # stored nothing, enqueued nothing

    resp = await r.client.post(f"/api/v1/deltakere/{did}/avslutninger?confirm=true", json=body, headers=h)
    assert resp.status_code == 201, resp.text
    assert resp.json()["ikke_gjeldende_tiltak"] == [t.json()["tiltak_id"]]
    vedtak = (await r.client.get(f"/api/v1/deltakere/{did}/vedtak", headers=h)).json()
    assert [v["gjeldende"] for v in vedtak] == [False]
    assert (await r.client.get(f"/api/v1/deltakere/{did}/tiltak", headers=h)).json()[0]["gjeldende"] is False
    assert (await outbox_typer(r, did))[-3:] == ["VedtakEndret", "TiltakEndret", "AvslutningRegistrert"]


async def test_rule_4_4_vedtak_without_end_date_warns(registrering):
    r = registrering
    did = await ny_deltaker(r, til=None)
    resp = await r.client.post(f"/api/v1/deltakere/{did}/avslutninger", json=ARBEID, headers=r.token())
    assert resp.status_code == 409 and resp.json()["kode"] == "KREVER_BEKREFTELSE"


async def test_rules_4_5_edit_and_delete_keep_every_version_and_show_slettet(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = r.token()
    base = f"/api/v1/deltakere/{did}/avslutninger"
    aid = (await r.client.post(base, json=ARBEID, headers=h)).json()["avslutning"]["avslutning_id"]
    assert (await r.client.post(base, json=ARBEID, headers=h)).status_code == 409  # one kommune avslutning: edit it
    edit = {"arsak": "GRUNNSKOLE", "avslutningsdato": "2024-01-05"}
    resp = await r.client.put(f"{base}/{aid}", json=edit, headers=r.token(user="4223-NIBO"))
    assert resp.status_code == 409 and resp.json()["kode"] == "KREVER_BEKREFTELSE"  # an edit warns too (rule 4)
    resp = await r.client.put(f"{base}/{aid}?confirm=true", json=edit, headers=r.token(user="4223-NIBO"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["avslutning"]["versjon"] == 2 and resp.json()["avslutning"]["registrert_av"] == "4223-NIBO"
    alle = (await r.client.get(base, headers=h)).json()
    assert alle["gjeldende"]["arsak"]["kode"] == "GRUNNSKOLE"
    assert (await r.client.delete(f"{base}/{aid}", headers=h)).status_code == 204
    assert (await r.client.delete(f"{base}/{aid}", headers=h)).status_code == 409  # already deleted
    alle = (await r.client.get(base, headers=h)).json()
    assert alle["gjeldende"] is None
    assert [(v["versjon"], v["arsak"]["kode"], v["slettet"], v["visning"]) for v in alle["historikk"]] == [
        (3, "GRUNNSKOLE", True, "Ordinær avslutning (slettet)"),
        (2, "GRUNNSKOLE", False, "Ordinær avslutning"),
        (1, "ARBEID", False, "Ordinær avslutning"),
    ]
    assert alle["historikk"][2]["timer_arbeid_per_uke"] == "30.0"
    assert (await outbox_typer(r, did))[-4:] == [
        "AvslutningRegistrert",
        "VedtakEndret",
        "AvslutningEndret",
        "AvslutningSlettet",
    ]
    # after a delete the kommune may register a new one
    assert (await r.client.post(base, json=ARBEID, headers=h)).status_code == 201


async def test_rule_4_5_an_avslutning_from_another_bydel_is_403_but_flyttet_is_editable_whoever_set_it(registrering):
    """DOMAIN.md §4.5–6 with §4.8: Oslo moves a person from Grünerløkka to St. Hanshaugen; the new bydel may not
    change Grünerløkka's avslutning, except a Flyttet (seed §4 tips)."""
    r = registrering
    oslo = r.token(user="0301-ABC", kommune="0301")
    grunerlokka = r.token(user="0301-GRU", kommune="0301", bydel="030102")
    st_hanshaugen = r.token(user="0301-STH", kommune="0301", bydel="030104")
    flytt = person("0301", bydel="030104")
    del flytt["duf_nummer"], flytt["fodselsnummer"]

    did = await ny_deltaker(r, kommune="0301", bydel="030102")
    base = f"/api/v1/deltakere/{did}/avslutninger"
    arbeid = (await r.client.post(base, json=ARBEID, headers=grunerlokka)).json()["avslutning"]["avslutning_id"]
    assert (await r.client.put(f"/api/v1/deltakere/{did}", json=flytt, headers=oslo)).status_code == 200
    assert (await r.client.get(base, headers=grunerlokka)).status_code == 404  # no longer Grünerløkka's
    resp = await r.client.put(
        f"{base}/{arbeid}", json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2024-01-09"}, headers=st_hanshaugen
    )
    assert resp.status_code == 403 and "annen kommune eller bydel" in resp.json()["detail"], resp.text
    assert (await r.client.delete(f"{base}/{arbeid}", headers=st_hanshaugen)).status_code == 403

    did2 = await ny_deltaker(r, kommune="0301", bydel="030102")
    base2 = f"/api/v1/deltakere/{did2}/avslutninger"
    flyttet = (
        await r.client.post(base2, json={"arsak": "FLYTTET", "avslutningsdato": "2024-01-09"}, headers=grunerlokka)
    ).json()["avslutning"]["avslutning_id"]
    assert (await r.client.put(f"/api/v1/deltakere/{did2}", json=flytt, headers=oslo)).status_code == 200
    resp = await r.client.put(
        f"{base2}/{flyttet}?confirm=true",
        json={"arsak": "FLYTTET", "avslutningsdato": "2024-01-08"},
        headers=st_hanshaugen,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["avslutning"]["bydel"] == "030104"


async def test_unknown_avslutning_is_404(registrering):
    r = registrering
    did = await ny_deltaker(r)
    other = await ny_deltaker(r)
    aid = (await r.client.post(f"/api/v1/deltakere/{other}/avslutninger", json=ARBEID, headers=r.token())).json()
    resp = await r.client.delete(
        f"/api/v1/deltakere/{did}/avslutninger/{aid['avslutning']['avslutning_id']}", headers=r.token()
    )
    assert resp.status_code == 404


async def test_openapi_is_served(registrering):
    spec = (await registrering.client.get("/openapi.json")).json()
    assert "/api/v1/deltakere/{deltaker_id}/avslutninger" in spec["paths"]


async def test_concurrent_avslutninger_for_one_deltaker_are_decided_one_after_the_other(registrering):
    # The deltaker row is locked for the decision: of five simultaneous registrations exactly one wins
    # (DOMAIN.md §4 rules 5–6: one kommune avslutning in force); the others see it and get 409.
    import asyncio

    r = registrering
    did = await ny_deltaker(r)
    answers = await asyncio.gather(
        *(r.client.post(f"/api/v1/deltakere/{did}/avslutninger", json=ARBEID, headers=r.token()) for _ in range(5))
    )
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409, 409]
    assert (await antall(r, did))["avslutning"] == 1
