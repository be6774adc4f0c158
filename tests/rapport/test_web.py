"""The server-rendered web page (DOMAIN.md §7, seed §7–8), through HTTP: logging in with a development token,
the filters, paging, sorting links, «Last ned CSV fil» for the current filter, history and måloppnåelse."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from uuid import uuid4

import pytest

from services.rapport import projection
from services.rapport.web import COOKIE
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from tests.rapport import builders as b

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def kristiansand(rapport_app):
    """Kristiansand (4204): 27 persons «Webbesen NN», the first regelmotor's, the rest the kommune's."""
    ids = []
    async with rapport_app.state.runtime.pool.acquire() as conn:
        for i in range(27):
            did = uuid4()
            ids.append(did)
            evs = [b.registrert(did, b.person(f"4204{i:08d}", "Kåre", f"Webbesen{i:02d}", kommune="4204"))]
            if i == 0:
                evs.append(b.beregnet(did, Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2023, 1, 1), b.T0, kommune="4204"))
            else:
                evs.append(b.kommune_avslutning(did, Kode.GRUNNSKOLE, date(2023, 1, 1) + timedelta(days=i), b.T0,
                                                av="4204-WEB", kommune="4204"))
            for e in evs:
                async with conn.transaction():
                    await projection.project(conn, e)
    return ids


async def login(client, token: str) -> None:
    r = await client.post("/rapport/logg-inn", content=f"token={token}",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 303 and r.headers["location"] == "/rapport/integreringsloven"
    assert COOKIE in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]


async def test_without_a_token_the_page_asks_for_one(client):
    client.cookies.clear()
    r = await client.get("/rapport/integreringsloven")
    assert r.status_code == 303 and r.headers["location"] == "/rapport/logg-inn"
    r = await client.post("/rapport/logg-inn", content="token=tull",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert "feil=" in r.headers["location"]
    assert "Logg inn" in (await client.get("/rapport/logg-inn")).text


async def test_report_page_filters_pages_and_links_csv_and_history(client, kristiansand, token):
    await login(client, token("4204", user="4204-WEB"))
    r = await client.get("/rapport/integreringsloven?navn=webbesen")
    assert r.status_code == 200
    page = r.text
    assert "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven" in page
    assert "Viser 1 - 25 av 27 linjer" in page
    for kolonne in ("DUF-nummer", "Fornavn", "Etternavn", "Kategori", "Sluttmål", "Avslutningsårsak", "Avslutningsdato"):
        assert kolonne in page
    neste = unescape(re.search(r'id="neste" href="([^"]+)"|href="([^"]+)" id="neste"', page).group(2))
    r2 = await client.get(neste)
    assert "Viser 26 - 27 av 27 linjer" in r2.text
    csv_url = unescape(re.search(r'id="csv" href="([^"]+)"', page).group(1))
    assert "navn=webbesen" in csv_url
    csv = await client.get(csv_url)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.content.decode("utf-8-sig").count("\r\n") == 28
    r3 = await client.get("/rapport/integreringsloven?registrert_av=regelmotor")
    assert "Viser 1 - 1 av 1 linjer" in r3.text and "Avslutningsårsak ikke registrert" in r3.text
    historikk = re.search(r'href="(/rapport/historikk/[^"]+)"', r3.text).group(1)
    h = await client.get(historikk)
    assert "All avslutningshistorikk" in h.text and "Regelmotor" in h.text
    sortert = await client.get("/rapport/integreringsloven?navn=webbesen&sorter=etternavn&retning=synkende")
    assert sortert.text.index("Webbesen26") < sortert.text.index("Webbesen25")
    stats = await client.get("/rapport/maaloppnaaelse?aar=2023")
    assert "Andel i jobb eller utdanning" in stats.text and "Kristiansand" in stats.text
    client.cookies.clear()
