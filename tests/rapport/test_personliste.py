"""NIR's personlister (personliste.py, `POST /api/v1/personer/sok`): the kategori and bydel filters (issue #15), in
the caller's scope (DOMAIN.md §4 rule 8), on the running service and real PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from services.rapport import forbruker
from shared.kodeverk.kategorier import Kategori
from tests.support.hendelser import Deltaker, person

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def data(rapport_app):
    """Oslo: «Kategorisen» in Sagene (030103) with rett og plikt, «Kanfeldt» in Sagene who can be offered the
    programme, «Stovner» in Stovner (030114) with rett og plikt; all named Listesen-something."""
    deltakere = {k: Deltaker() for k in ("rett", "kan", "stovner")}
    ids = {k: deltaker.deltaker_id for k, deltaker in deltakere.items()}
    ev = [
        *deltakere["rett"].registrering(person("030100000901", "Li", "Listesen", kommune="0301", bydel="030103")),
        deltakere["rett"].kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1)),
        *deltakere["kan"].registrering(person("030100000902", "Li", "Listesenkan", kommune="0301", bydel="030103")),
        deltakere["kan"].kategori(Kategori.KAN_TILBYS, date(2021, 9, 1)),
        *deltakere["stovner"].registrering(person("030100000903", "Li", "Listesenst", kommune="0301", bydel="030114")),
        deltakere["stovner"].kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1)),
    ]
    async with rapport_app.state.runtime.pool.acquire() as conn:
        for e in ev:
            async with conn.transaction():
                await forbruker.behandle(conn, [e])
    return {k: str(v) for k, v in ids.items()}


async def sok(client, token, **body) -> set[str]:
    r = await client.post(
        "/api/v1/personer/sok", json={"navn": "Listesen", **body}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 200, r.text
    return {x["deltaker_id"] for x in r.json()["rader"]}


async def test_kategori_og_bydel(client, data, token):
    oslo = token("0301", user="0301-LI")
    assert await sok(client, oslo) == set(data.values())
    assert await sok(client, oslo, kategori="RETT_OG_PLIKT") == {data["rett"], data["stovner"]}
    assert await sok(client, oslo, kategori="KAN_TILBYS") == {data["kan"]}
    assert await sok(client, oslo, bydel="030103") == {data["rett"], data["kan"]}
    assert await sok(client, oslo, bydel="030103", kategori="RETT_OG_PLIKT") == {data["rett"]}


async def test_bydel_innenfor_brukerens_omfang(client, data, token):
    sagene = token("0301", user="0301-SA", bydel="030103")
    assert await sok(client, sagene) == {data["rett"], data["kan"]}
    assert await sok(client, sagene, bydel="030114") == set()  # another bydel's: nobody, not an error
    assert await sok(client, token("4223"), bydel="030103") == set()


async def test_ugyldige_verdier_navngis(client, token):
    h = {"Authorization": f"Bearer {token('0301', user='0301-LI')}"}
    for felt, verdi in (("kategori", "BEGGE"), ("bydel", "0301"), ("bydel", 30103)):
        r = await client.post("/api/v1/personer/sok", json={felt: verdi}, headers=h)
        assert r.status_code == 422, (felt, verdi, r.text)
        assert r.json()["feil"][0]["felt"] == felt
