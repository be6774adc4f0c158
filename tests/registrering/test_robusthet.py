"""Never a 500 for input (issue #3 «Bad input»): malformed bodies, paths and numbers get 4xx answers."""

from __future__ import annotations

import pytest

from tests.registrering.conftest import ny_deltaker

pytestmark = pytest.mark.integration

BAD_BODIES = [
    b"not json",
    b"[]",
    b"null",
    b"{}",
    b'{"arsak": null}',
    b'{"arsak": "ARBEID", "avslutningsdato": "2023-02-30"}',
    b'{"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "NaN"}',
    b'{"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "Infinity"}',
    b'{"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": 1e400}',
    b'{"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "30.0", "ekstra": 1}',
    b'{"arsak": ["ARBEID"], "avslutningsdato": 20240109}',
]


@pytest.mark.parametrize("body", BAD_BODIES)
async def test_malformed_avslutning_bodies_are_4xx(registrering, body):
    r = registrering
    did = await ny_deltaker(r)
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger", content=body, headers={**r.token(), "Content-Type": "application/json"}
    )
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/v1/deltakere/not-a-uuid"),
        ("GET", "/api/v1/deltakere/not-a-uuid/avslutninger"),
        ("DELETE", "/api/v1/deltakere/00000000-0000-0000-0000-000000000000/avslutninger/x"),
        ("POST", "/api/v1/deltakere/00000000-0000-0000-0000-000000000000/sluttmal"),
    ],
)
async def test_malformed_paths_are_4xx(registrering, method, path):
    r = registrering
    resp = await r.client.request(
        method, path, headers=r.token(), json={"sluttmal": "P13_ARBEID", "fastsatt_dato": "2022-01-01"}
    )
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text)


@pytest.mark.parametrize(
    "body",
    [
        {"tiltakskode": "x" * 65, "periode": {"fra": "2022-01-10"}, "timer_per_uke": "10"},
        {"tiltakskode": "X", "periode": {"fra": "2022-01-10"}, "timer_per_uke": "10.25"},
        {"tiltakskode": "X", "periode": {"til": "2022-01-10"}, "timer_per_uke": "10"},
    ],
)
async def test_malformed_tiltak_is_422(registrering, body):
    r = registrering
    did = await ny_deltaker(r)
    resp = await r.client.post(f"/api/v1/deltakere/{did}/tiltak", json=body, headers=r.token())
    assert resp.status_code == 422, resp.text


async def test_nul_characters_in_text_are_422_not_a_database_error(registrering):
    r = registrering
    from tests.registrering.conftest import person

    resp = await r.client.post("/api/v1/deltakere", json=person(fornavn="A\u0000B"), headers=r.token())
    assert resp.status_code == 422, resp.text
    did = await ny_deltaker(r)
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/tiltak",
        headers=r.token(),
        json={"tiltakskode": "NORSK\u0000", "periode": {"fra": "2022-01-10"}, "timer_per_uke": "10"},
    )
    assert resp.status_code == 422, resp.text
