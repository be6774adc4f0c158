"""Idempotency-Key (issue #3 «Idempotent writes»): a retried POST returns the first answer and writes nothing
twice, also when the retry runs concurrently with the original."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.registrering.conftest import ny_deltaker, person
from tests.registrering.test_api_avslutning import ARBEID, antall

pytestmark = pytest.mark.integration


async def test_retried_avslutning_returns_the_first_answer_and_writes_once(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = {**r.token(), "Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/deltakere/{did}/avslutninger"
    first = await r.client.post(url, json=ARBEID, headers=h)
    assert first.status_code == 201, first.text
    etter = await antall(r, did)
    again = await r.client.post(url, json=ARBEID, headers=h)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await antall(r, did) == etter
    other = await r.client.post(url, json={**ARBEID, "timer_arbeid_per_uke": "20.0"}, headers=h)
    assert other.status_code == 422 and [(f["i"], f["felt"]) for f in other.json()["feil"]] == [
        ("header", "Idempotency-Key")
    ]
    # without the key the same body is a new request: refused, one kommune avslutning already exists
    assert (await r.client.post(url, json=ARBEID, headers=r.token())).status_code == 409


async def test_concurrent_retries_of_a_deltaker_registration_create_one_deltaker(registrering):
    r = registrering
    body = person()
    h = {**r.token(), "Idempotency-Key": "fagsystem-" + uuid.uuid4().hex}
    answers = await asyncio.gather(*(r.client.post("/api/v1/deltakere", json=body, headers=h) for _ in range(5)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["deltaker_id"] for a in answers}) == 1
    assert await r.runtime.pool.fetchval("SELECT count(*) FROM deltaker WHERE duf_nummer = $1", body["duf_nummer"]) == 1


async def test_a_refused_request_does_not_keep_its_key(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = {**r.token(), "Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/deltakere/{did}/avslutninger"
    warned = await r.client.post(url, json={**ARBEID, "avslutningsdato": "2023-06-01"}, headers=h)
    assert warned.status_code == 409  # the warning of DOMAIN.md §4 rule 4 stores nothing, the key included
    confirmed = await r.client.post(url + "?confirm=true", json={**ARBEID, "avslutningsdato": "2023-06-01"}, headers=h)
    assert confirmed.status_code == 201, confirmed.text
