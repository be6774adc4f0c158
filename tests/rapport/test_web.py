"""The server-rendered web page (DOMAIN.md §7, seed §7–8), through HTTP: the access token from the identity
provider in the page's cookie (the caseworkers' web application will set it; services/rapport/web.py),
the filters, paging, sorting links, «Last ned CSV fil» for the current filter, history and måloppnåelse."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import urlencode

import pytest

from services.rapport.web import COOKIE
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from tests.rapport import builders as b
from tests.rapport.test_projection import project_all

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def kristiansand(rapport_app):
    """Kristiansand (4204): 27 persons «Webbesen NN», the first regelmotor's, the rest the kommune's."""
    personer = b.kommunens_avsluttede(
        "4204",
        27,
        "Kåre",
        "Webbesen",
        regelmotorens=0,
        regelmotorens_dato=date(2023, 1, 1),
        arsak=Kode.GRUNNSKOLE,
        bruker="4204-WEB",
    )
    await project_all(rapport_app.state.runtime.pool, [e for _, events in personer for e in events])
    return [did for did, _ in personer]


async def login(client, token: str) -> None:
    client.cookies.set(COOKIE, token)


async def test_without_a_valid_token_the_page_sends_the_user_to_log_in(client, token):
    client.cookies.clear()
    r = await client.get("/rapport/integreringsloven")
    assert r.status_code == 303 and r.headers["location"] == "/rapport/logg-inn"
    for ugyldig in ("tull", token("4204")[:-4] + "AAAA"):  # garbage, a forged signature
        await login(client, ugyldig)
        assert (await client.get("/rapport/integreringsloven")).headers["location"] == "/rapport/logg-inn"
    r = await client.get("/rapport/logg-inn")
    assert r.status_code == 401 and "Logg inn" in r.text and "<textarea" not in r.text  # no paste-a-token form
    r = await client.post("/rapport/logg-inn", content="token=x", headers=FORM)
    assert r.status_code >= 400 and "set-cookie" not in r.headers
    client.cookies.clear()


FORM = {"content-type": "application/x-www-form-urlencoded"}


def postknapp(page: str, id_: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the small POST form around button `id_`."""
    m = re.search(
        r'<form method="post" action="([^"]+)" class="lenke">((?:<input [^>]*>)*)<button type="submit" id="'
        + id_
        + '"',
        page,
    )
    assert m, f"no POST button #{id_}"
    felter = {unescape(k): unescape(v) for k, v in re.findall(r'name="([^"]*)" value="([^"]*)"', m.group(2))}
    return unescape(m.group(1)), felter


def adresser(page: str) -> list[str]:
    return [unescape(x) for x in re.findall(r'(?:href|action)="([^"]*)"', page)]


async def test_report_page_filters_pages_and_links_csv_and_history(client, kristiansand, token):
    await login(client, token("4204", user="4204-WEB"))
    # the filter form posts; a name search travels in the body, and the page's links and forms carry it
    # in hidden fields, never in a URL
    assert 'id="filter"' in (await client.get("/rapport/integreringsloven")).text
    r = await client.post(
        "/rapport/integreringsloven",
        content=urlencode({"navn": "webbesen", "sorter": "etternavn", "retning": "stigende"}),
        headers=FORM,
    )
    assert r.status_code == 200
    page = r.text
    assert '<form class="filter" method="post" action="/rapport/integreringsloven"' in page
    assert "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven" in page
    assert "Viser 1 - 25 av 27 linjer" in page
    for kolonne in (
        "DUF-nummer",
        "Fornavn",
        "Etternavn",
        "Kategori",
        "Sluttmål",
        "Avslutningsårsak",
        "Avslutningsdato",
    ):
        assert kolonne in page
    urls = adresser(page)
    assert urls and not [u for u in urls if "webbesen" in u.lower() or "navn=" in u or "4204000000" in u], urls
    action, felter = postknapp(page, "neste")
    assert action == "/rapport/integreringsloven" and felter["navn"] == "webbesen" and felter["side"] == "2"
    r2 = await client.post(action, content=urlencode(felter), headers=FORM)
    assert "Viser 26 - 27 av 27 linjer" in r2.text
    assert postknapp(r2.text, "forrige")[1]["side"] == "1"
    action, felter = postknapp(page, "csv")
    assert action == "/rapport/integreringsloven/csv" and felter["navn"] == "webbesen"
    csv = await client.post(action, content=urlencode(felter), headers=FORM)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert csv.content.decode("utf-8-sig").count("\r\n") == 28
    # sorting a name search posts too
    m = re.search(
        r'<th><form method="post" action="([^"]+)" class="lenke">((?:<input [^>]*>)*)<button type="submit">'
        r"Etternavn ↑</button>",
        page,
    )
    felter = {unescape(k): unescape(v) for k, v in re.findall(r'name="([^"]*)" value="([^"]*)"', m.group(2))}
    assert (felter["sorter"], felter["retning"], felter["navn"]) == ("etternavn", "synkende", "webbesen")
    sortert = await client.post(unescape(m.group(1)), content=urlencode(felter), headers=FORM)
    assert sortert.text.index("Webbesen26") < sortert.text.index("Webbesen25")
    # a DUF-nummer search the same way
    r = await client.post("/rapport/integreringsloven", content="duf_nummer=420400000003", headers=FORM)
    assert "Viser 1 - 1 av 1 linjer" in r.text and "Webbesen03" in r.text
    assert not [u for u in adresser(r.text) if "420400000003" in u]
    r = await client.post("/rapport/integreringsloven", content="navn=a%00b", headers=FORM)
    assert r.status_code == 200 and "navn: kan ikke inneholde kontrolltegn" in r.text

    # without identifying filters the links stay bookmarkable GET links
    r3 = await client.get("/rapport/integreringsloven?registrert_av=regelmotor")
    assert "Viser 1 - 1 av 1 linjer" in r3.text and "Avslutningsårsak ikke registrert" in r3.text
    assert any(u.startswith("/rapport/integreringsloven/csv?registrert_av=regelmotor") for u in adresser(r3.text))
    historikk = re.search(r'href="(/rapport/historikk/[^"]+)"', r3.text).group(1)
    h = await client.get(historikk)
    assert "All avslutningshistorikk" in h.text and "Regelmotor" in h.text
    r4 = await client.get("/rapport/integreringsloven?oppfolgingskommune=4204")
    neste = unescape(re.search(r'href="([^"]+)" id="neste"', r4.text).group(1))
    assert "oppfolgingskommune=4204" in neste and "side=2" in neste
    assert "Side 2 av" in (await client.get(neste)).text
    stats = await client.get("/rapport/maaloppnaaelse?aar=2023")
    assert "Andel i jobb eller utdanning" in stats.text and "Kristiansand" in stats.text
    client.cookies.clear()


async def test_identifiers_in_a_url_are_not_searched(client, kristiansand, token):
    await login(client, token("4204", user="4204-WEB"))
    for q in ("navn=webbesen", "duf_nummer=420400000003", "registrert_av=kommunen&navn="):
        r = await client.get(f"/rapport/integreringsloven?{q}")
        assert r.status_code == 400 and "sendes med skjemaet" in r.text and 'id="rapport"' not in r.text
        assert 'value="webbesen"' not in r.text and 'value="420400000003"' not in r.text
        assert (await client.get(f"/rapport/integreringsloven/csv?{q}")).status_code == 400
    client.cookies.clear()


async def test_a_post_from_another_site_is_refused(client, kristiansand, token):
    """CSRF: SameSite=Strict keeps the cookie off cross-site posts; a POST whose Origin is another host is
    refused even when the cookie comes along (a same-site neighbour)."""
    await login(client, token("4204"))
    for path in ("/rapport/integreringsloven", "/rapport/integreringsloven/csv"):
        for origin in ("https://angriper.example", "http://rapport.angriper.example", "null"):
            r = await client.post(path, content="navn=webbesen", headers={**FORM, "origin": origin})
            assert r.status_code == 403, (path, origin)
    r = await client.post(
        "/rapport/integreringsloven", content="navn=webbesen", headers={**FORM, "origin": "http://rapport"}
    )
    assert r.status_code == 200 and "Viser 1 - 25 av 27 linjer" in r.text
    r = await client.post(
        "/rapport/integreringsloven",
        content="navn=webbesen",
        headers={**FORM, "origin": "https://nir.example.no", "x-forwarded-host": "nir.example.no"},
    )
    assert r.status_code == 200  # behind an ingress
    client.cookies.clear()
    r = await client.post("/rapport/integreringsloven", content="navn=webbesen", headers=FORM)
    assert r.status_code == 303 and r.headers["location"] == "/rapport/logg-inn"
