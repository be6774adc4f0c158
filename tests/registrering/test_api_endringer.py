"""Correcting a vedtak (PUT …/vedtak/{id}) and a tiltak (PUT/DELETE …/tiltak/{id}) (issue #15): the same rules and
access as registering one, the whole row in VedtakEndret/TiltakEndret, TiltakSlettet, nothing half-written, a
retry with the same Idempotency-Key answered once. Real PostgreSQL, the real provider's tokens; the parallel
case is in test_samtidighet.py."""

from __future__ import annotations

import json

import pytest

from tests.registrering.conftest import START, ny_deltaker
from tests.registrering.test_api_deltaker import outbox_typer

pytestmark = pytest.mark.integration


async def vedtak_id(r, did: str) -> str:
    return (await r.client.get(f"/api/v1/deltakere/{did}/vedtak", headers=r.token())).json()[0]["vedtak_id"]


async def siste_hendelse(r, did: str) -> dict:
    payload = await r.runtime.pool.fetchval(
        "SELECT payload FROM outbox WHERE key = $1 ORDER BY id DESC LIMIT 1", did.encode()
    )
    return json.loads(payload)


async def test_vedtak_endres_med_samme_regler_som_nytt(registrering):
    r = registrering
    did = await ny_deltaker(r)
    vid = await vedtak_id(r, did)
    base = f"/api/v1/deltakere/{did}/vedtak/{vid}"
    ny = {"vedtakstype": "DELTAKELSE", "vedtaksdato": "2022-01-05", "periode": {"fra": "2022-01-17", "til": None}}
    resp = await r.client.put(base, json=ny, headers=r.token())
    assert resp.status_code == 200, resp.text
    assert resp.json()["periode"] == {"fra": "2022-01-17", "til": None} and resp.json()["gjeldende"] is True
    e = await siste_hendelse(r, did)
    assert e["type"] == "VedtakEndret"
    assert (e["vedtak"]["vedtak_id"], e["vedtak"]["vedtaksdato"], e["vedtak"]["periode"]["fra"]) == (
        vid,
        "2022-01-05",
        "2022-01-17",
    )
    [lagret] = (await r.client.get(f"/api/v1/deltakere/{did}/vedtak", headers=r.token())).json()
    assert lagret["periode"]["fra"] == "2022-01-17"

    # DOMAIN.md §4.7: made into a forlengelse, the person would have no vedtak om deltakelse left
    resp = await r.client.put(base, json={**ny, "vedtakstype": "FORLENGELSE"}, headers=r.token())
    assert resp.status_code == 409 and "krever et vedtak om deltakelse" in resp.json()["detail"], resp.text
    # DOMAIN.md §6: no regelverk for a programme start before integreringsloven
    resp = await r.client.put(base, json={**ny, "periode": {"fra": "2020-06-01", "til": None}}, headers=r.token())
    assert resp.status_code == 422 and resp.json()["feil"][0]["felt"] == "periode.fra", resp.text
    # til before fra: the field named, nothing stored
    resp = await r.client.put(
        base, json={**ny, "periode": {"fra": "2022-02-01", "til": "2022-01-01"}}, headers=r.token()
    )
    assert resp.status_code == 422
    assert (await siste_hendelse(r, did))["event_id"] == e["event_id"]


async def test_tiltak_endres_og_slettes(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = r.token()
    base = f"/api/v1/deltakere/{did}/tiltak"
    t = await r.client.post(
        base, headers=h, json={"tiltakskode": "NORSK", "periode": {"fra": START.isoformat()}, "timer_per_uke": 10}
    )
    tid = t.json()["tiltak_id"]
    endret = {
        "tiltakskode": "ARBEIDSPRAKSIS",
        "periode": {"fra": "2022-03-01", "til": "2022-09-01"},
        "timer_per_uke": 20,
    }
    resp = await r.client.put(f"{base}/{tid}", json=endret, headers={**h, "Idempotency-Key": "tiltak-endring-1"})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["tiltakskode"], resp.json()["timer_per_uke"]) == ("ARBEIDSPRAKSIS", "20.0")
    igjen = await r.client.put(f"{base}/{tid}", json=endret, headers={**h, "Idempotency-Key": "tiltak-endring-1"})
    assert igjen.headers.get("Idempotent-Replayed") == "true" and igjen.json() == resp.json()
    bad = await r.client.put(f"{base}/{tid}", json={**endret, "timer_per_uke": 0}, headers=h)
    assert bad.status_code == 422 and bad.json()["feil"][0]["felt"] == "timer_per_uke"

    assert (await r.client.delete(f"{base}/{tid}", headers=h)).status_code == 204
    assert (await r.client.delete(f"{base}/{tid}", headers=h)).status_code == 404
    assert (await r.client.put(f"{base}/{tid}", json=endret, headers=h)).status_code == 404  # deleted: gone
    assert (await r.client.get(base, headers=h)).json() == []
    assert (await outbox_typer(r, did))[-3:] == ["TiltakRegistrert", "TiltakEndret", "TiltakSlettet"]
    assert (await siste_hendelse(r, did))["tiltak_id"] == tid


async def test_tilgang_som_ved_registrering(registrering):
    r = registrering
    did = await ny_deltaker(r)
    vid = await vedtak_id(r, did)
    t = await r.client.post(
        f"/api/v1/deltakere/{did}/tiltak",
        headers=r.token(),
        json={"tiltakskode": "NORSK", "periode": {"fra": START.isoformat()}, "timer_per_uke": 10},
    )
    tid = t.json()["tiltak_id"]
    vedtak = {"vedtakstype": "DELTAKELSE", "vedtaksdato": "2022-01-03", "periode": {"fra": START.isoformat()}}
    tiltak = {"tiltakskode": "X", "periode": {"fra": START.isoformat()}, "timer_per_uke": 5}
    kall = (
        ("PUT", f"vedtak/{vid}", vedtak),
        ("PUT", f"tiltak/{tid}", tiltak),
        ("DELETE", f"tiltak/{tid}", None),
    )
    for metode, sti, body in kall:
        url = f"/api/v1/deltakere/{did}/{sti}"
        # another kommune: the person does not exist; a reader and IMDi: seen, not theirs to change
        annen = await r.client.request(metode, url, json=body, headers=r.token(user="3201-XY", kommune="3201"))
        assert annen.status_code == 404, (metode, sti, annen.text)
        leser = await r.client.request(metode, url, json=body, headers=r.token(rolle="LESETILGANG"))
        assert leser.status_code == 403, (metode, sti, leser.text)
        imdi = await r.client.request(metode, url, json=body, headers=r.token(user="imdi", imdi=True))
        assert imdi.status_code == 403, (metode, sti, imdi.text)
        assert (await r.client.request(metode, url, json=body)).status_code == 401
    ukjent = await r.client.put(f"/api/v1/deltakere/{did}/vedtak/{tid}", json=vedtak, headers=r.token())
    assert ukjent.status_code == 404 and ukjent.json()["detail"] == "vedtaket finnes ikke", ukjent.text
