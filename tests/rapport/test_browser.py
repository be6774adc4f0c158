"""The web page in headless Chromium (Debian's package) driven by Playwright: with the caseworker's access token
from the identity provider in the page's cookie (as the web application will set it),
filter, page, download the CSV for the filter, open a person's history (DOMAIN.md §7), see måloppnåelse. Every
page is checked with axe-core (WCAG 2.1 A/AA) and photographed at 1400 and 360 px (test-output/screenshots/)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from playwright.async_api import Page, expect

from services.rapport.web import COOKIE
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from tests.rapport import builders as b
from tests.rapport.test_projection import project_all
from tests.support.browser import serve, sjekk_uu, skjermbilde

pytestmark = [pytest.mark.integration]

# every address the page can send the browser to: the address bar, links and form actions
ADRESSER = "[location.href, ...[...document.querySelectorAll('a[href], form[action]')].map(e => e.href || e.action)]"


@pytest.fixture
async def served(rapport_app):
    async with serve(rapport_app) as url:
        yield url


@pytest.fixture
async def bodo(rapport_app):
    """Bodø (1804): 30 persons «Nettlesen NN», the last regelmotor's."""
    personer = b.kommunens_avsluttede(
        "1804",
        30,
        "Søren",
        "Nettlesen",
        regelmotorens=29,
        regelmotorens_dato=date(2023, 2, 1),
        arsak=Kode.FAGSKOLE,
        bruker="1804-NET",
    )
    await project_all(rapport_app.state.runtime.pool, [e for _, events in personer for e in events])
    return [did for did, _ in personer]


async def ingen_identer_i_adresser(page: Page) -> None:
    """Neither the address bar nor any link or form address holds the name searched for or a DUF-nummer."""
    assert not [u for u in await page.evaluate(ADRESSER) if "nettlesen" in u.lower() or "1804000000" in u]


async def test_caseworker_filters_pages_downloads_and_opens_history(served, bodo, token, page):
    await page.goto(f"{served}/rapport/integreringsloven")
    await expect(page).to_have_url(f"{served}/rapport/logg-inn")
    await sjekk_uu(page)
    await skjermbilde(page, "rapport-logg-inn")

    await page.context.add_cookies(
        [
            {
                "name": COOKIE,
                "value": token("1804", user="1804-NET"),
                "url": served,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    await page.goto(f"{served}/rapport/integreringsloven")
    await expect(page.locator("h1")).to_have_text(
        "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven"
    )
    await sjekk_uu(page)
    await skjermbilde(page, "rapport-integreringsloven")

    # a name search is posted: neither the address bar nor any link or form address holds the name
    await page.fill("#navn", "nettlesen")
    async with page.expect_navigation():  # the same address before and after: wait for the new document
        await page.click("#filtrer")
    await expect(page.locator("#linjer")).to_have_text(re.compile(r"^Viser 1 - 25 av 30 linjer"))
    await expect(page.locator("#rapport tbody tr")).to_have_count(25)
    await ingen_identer_i_adresser(page)
    await sjekk_uu(page)
    await skjermbilde(page, "rapport-navnesok")

    await page.click("#neste")
    await expect(page.locator("#linjer")).to_have_text(re.compile(r"^Viser 26 - 30 av 30 linjer"))
    assert page.url == f"{served}/rapport/integreringsloven"
    await ingen_identer_i_adresser(page)

    async with page.expect_download() as nedlasting:
        await page.click("#csv")
    fil = await (await nedlasting.value).path()
    rows = list(csv.reader(io.StringIO(fil.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["DUF-nummer", "Fornavn", "Etternavn"] and len(rows) == 31
    assert {r[1] for r in rows[1:]} == {"Søren"}

    await page.select_option("#registrert_av", "regelmotor")
    await page.click("#filtrer")
    await expect(page.locator("#linjer")).to_have_text(re.compile(r"^Viser 1 - 1 av 1 linjer"))
    await page.click("a.historikk")
    await expect(page.locator("h1")).to_have_text("All avslutningshistorikk")
    cells = await page.locator("#historikk tbody td").all_text_contents()
    assert cells[1] == "Avslutningsårsak ikke registrert" and cells[4] == "Regelmotor"
    await ingen_identer_i_adresser(page)
    await sjekk_uu(page)
    await skjermbilde(page, "rapport-historikk")

    await page.get_by_role("link", name="Måloppnåelse").click()
    await expect(page.locator("h1")).to_have_text("Måloppnåelse direkte etter endt program")
    await expect(page.locator("#maaloppnaaelse tbody tr").first).to_be_visible()
    await sjekk_uu(page)
    await skjermbilde(page, "rapport-maaloppnaaelse")
