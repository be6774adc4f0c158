"""No existence oracle (issue #14 §4; DOMAIN.md §4.8): no answer of registrering tells a kommune — or an Oslo
bydel — that a person another one follows up is in NIR. A person is unique per place of follow-up
(migrations/0006); after a move the new kommune registers the person as its own deltaker."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.plumbing.problem import problem
from tests.registrering.conftest import fodselsnummer, person

pytestmark = pytest.mark.integration

# The headers an answer may differ in per request; every other header must be the same.
PER_FORESPORSEL = {"date", "content-length"}


async def test_registering_a_person_another_kommune_follows_up_answers_as_a_new_person(registrering):
    r = registrering
    vennesla, oslo = r.token(user="4223-CES", kommune="4223"), r.token(user="0301-ABC", kommune="0301")
    hos_vennesla = person("4223")
    a = await r.client.post("/api/v1/deltakere", json=hos_vennesla, headers=vennesla)
    assert a.status_code == 201

    kjent = await r.client.post("/api/v1/deltakere", json={**hos_vennesla, "oppfolgingskommune": "0301"}, headers=oslo)
    ny = await r.client.post("/api/v1/deltakere", json=person("0301"), headers=oslo)
    assert kjent.status_code == ny.status_code == 201, kjent.text
    assert kjent.json().keys() == ny.json().keys()
    assert {k: v for k, v in kjent.headers.items() if k not in PER_FORESPORSEL} == {
        k: v for k, v in ny.headers.items() if k not in PER_FORESPORSEL
    }
    # Oslo got a deltaker of its own; Vennesla's is untouched and still only Vennesla's
    assert kjent.json()["deltaker_id"] != a.json()["deltaker_id"]
    assert kjent.json()["oppfolgingskommune"] == "0301"
    vennesla_sin = await r.client.get(f"/api/v1/deltakere/{a.json()['deltaker_id']}", headers=vennesla)
    assert vennesla_sin.json()["oppfolgingskommune"] == "4223"
    assert (await r.client.get(f"/api/v1/deltakere/{a.json()['deltaker_id']}", headers=oslo)).status_code == 404
    # each finds its own by the DUF-nummer; IMDi sees every kommune and gets the newest
    for h, eier in ((vennesla, a.json()), (oslo, kjent.json())):
        funnet = await r.client.post(
            "/api/v1/deltakere/sok", json={"duf_nummer": hos_vennesla["duf_nummer"]}, headers=h
        )
        assert funnet.json()["deltaker_id"] == eier["deltaker_id"]
    imdi = r.token(user="IMDI-ANNA", imdi=True)
    funnet = await r.client.post(
        "/api/v1/deltakere/sok", json={"fodselsnummer": hos_vennesla["fodselsnummer"]}, headers=imdi
    )
    assert funnet.json()["deltaker_id"] == kjent.json()["deltaker_id"]
    # and the kommune's own duplicate is still 409: that one it sees
    igjen = await r.client.post("/api/v1/deltakere", json={**hos_vennesla, "oppfolgingskommune": "0301"}, headers=oslo)
    assert igjen.status_code == 409 and "DUF-nummer" in igjen.json()["detail"]


async def test_a_search_for_another_kommunes_person_answers_as_for_nobody(registrering):
    r = registrering
    hos_vennesla = person("4223")
    assert (await r.client.post("/api/v1/deltakere", json=hos_vennesla, headers=r.token())).status_code == 201
    oslo = r.token(user="0301-ABC", kommune="0301")
    kjent = await r.client.post("/api/v1/deltakere/sok", json={"duf_nummer": hos_vennesla["duf_nummer"]}, headers=oslo)
    ingen = await r.client.post("/api/v1/deltakere/sok", json={"duf_nummer": person()["duf_nummer"]}, headers=oslo)
    assert (
        (kjent.status_code, kjent.json())
        == (ingen.status_code, ingen.json())
        == (404, problem("IKKE_FUNNET", "deltakeren finnes ikke"))
    )


async def test_an_identity_change_to_a_number_another_kommune_holds_is_not_refused(registrering):
    r = registrering
    hos_vennesla = person("4223")
    assert (await r.client.post("/api/v1/deltakere", json=hos_vennesla, headers=r.token())).status_code == 201
    oslo = r.token(user="0301-ABC", kommune="0301")
    did = (await r.client.post("/api/v1/deltakere", json=person("0301"), headers=oslo)).json()["deltaker_id"]
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/identitet", json={"fodselsnummer": hos_vennesla["fodselsnummer"]}, headers=oslo
    )
    assert resp.status_code == 200, resp.text
    # a number the kommune's own other deltaker has is a conflict it may be told of
    egen = (await r.client.post("/api/v1/deltakere", json=person("0301"), headers=oslo)).json()
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/identitet", json={"fodselsnummer": egen["fodselsnummer"]}, headers=oslo
    )
    assert resp.status_code == 409


async def test_an_oslo_bydel_learns_nothing_of_another_bydels_person_the_kommune_wide_user_does(registrering):
    r = registrering
    grunerlokka = r.token(user="0301-GRU", kommune="0301", bydel="030102")
    sagene = r.token(user="0301-SAG", kommune="0301", bydel="030103")
    oslo = r.token(user="0301-ABC", kommune="0301")
    p = person("0301", bydel="030102")
    a = await r.client.post("/api/v1/deltakere", json=p, headers=grunerlokka)
    assert a.status_code == 201
    assert (await r.client.get(f"/api/v1/deltakere/{a.json()['deltaker_id']}", headers=sagene)).status_code == 404
    assert (
        await r.client.post("/api/v1/deltakere/sok", json={"duf_nummer": p["duf_nummer"]}, headers=sagene)
    ).status_code == 404
    # Sagene registering it (e.g. after an internal move) gets its own deltaker, as a new person would
    b = await r.client.post("/api/v1/deltakere", json={**p, "bydel": "030103"}, headers=sagene)
    assert b.status_code == 201 and b.json()["deltaker_id"] != a.json()["deltaker_id"]
    # a bydel user registers only in its bydel
    assert (
        await r.client.post("/api/v1/deltakere", json=person("0301", bydel="030101"), headers=sagene)
    ).status_code == 403
    # the kommune-wide user sees both bydeler: a third registration is a visible duplicate
    c = await r.client.post("/api/v1/deltakere", json={**p, "bydel": "030101"}, headers=oslo)
    assert c.status_code == 409 and "DUF-nummer" in c.json()["detail"]


async def test_parallel_registrations_of_one_person_in_two_bydeler_by_the_kommune_wide_user_make_one(registrering):
    """The visible-duplicate check and the insert are one decision under a lock on the identifiers
    (lager.laas_identer): of ten parallel registrations across bydeler exactly one is stored."""
    r = registrering
    oslo = r.token(user="0301-ABC", kommune="0301")
    p = person("0301", fodselsnummer=fodselsnummer())
    bydeler = [f"0301{n:02d}" for n in range(1, 11)]
    svar = await asyncio.gather(
        *(r.client.post("/api/v1/deltakere", json={**p, "bydel": b}, headers=oslo) for b in bydeler)
    )
    assert sorted(x.status_code for x in svar) == [201] + [409] * 9
    assert await r.runtime.pool.fetchval("SELECT count(*) FROM deltaker WHERE duf_nummer = $1", p["duf_nummer"]) == 1


async def test_a_fagsystem_registers_for_its_own_kommune_as_kommunenummer_system_or_its_caseworker(registrering):
    """The identity contract: the kommune comes from the token (Maskinporten's consumer organisation), never
    from the body; «Registrert av» from Nir-Saksbehandler when it is the token's kommune's, else 422."""
    r = registrering
    system = r.system("4223")
    assert (await r.client.post("/api/v1/deltakere", json=person("0301"), headers=system)).status_code == 403
    resp = await r.client.post("/api/v1/deltakere", json=person("4223"), headers=system)
    assert resp.status_code == 201
    did = resp.json()["deltaker_id"]
    rad = await r.runtime.pool.fetchrow("SELECT registrert_av FROM deltaker WHERE deltaker_id = $1", uuid.UUID(did))
    assert rad["registrert_av"] == "4223-SYSTEM"
    vedtak = {"vedtakstype": "DELTAKELSE", "vedtaksdato": "2022-01-03", "periode": {"fra": "2022-01-10", "til": None}}
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/vedtak", json=vedtak, headers={**system, "Nir-Saksbehandler": "4223-KARI"}
    )
    assert resp.status_code == 201
    assert (
        await r.runtime.pool.fetchval("SELECT registrert_av FROM vedtak WHERE deltaker_id = $1", uuid.UUID(did))
        == "4223-KARI"
    )
    for feil in ("0301-KARI", "4223-kari", "KARI"):
        resp = await r.client.post(
            f"/api/v1/deltakere/{did}/vedtak", json=vedtak, headers={**system, "Nir-Saksbehandler": feil}
        )
        assert resp.status_code == 422 and [(f["i"], f["felt"]) for f in resp.json()["feil"]] == [
            ("header", "Nir-Saksbehandler")
        ], feil
    les = r.system("4223", skrive=False)
    assert (await r.client.get(f"/api/v1/deltakere/{did}", headers=les)).status_code == 200
    resp = await r.client.post(f"/api/v1/deltakere/{did}/vedtak", json=vedtak, headers=les)
    assert resp.status_code == 403 and "insufficient_scope" in resp.headers["www-authenticate"]
