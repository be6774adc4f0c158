"""Personer (NIR's personlister) in the browser: the kategori and bydel filters (issue #15), for an Oslo user who
sees every bydel and one limited to a bydel (who gets no bydel choice: its scope is one bydel)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.registrering.conftest import duf, ny_deltaker
from tests.support.browser import skjermbilde
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]


async def test_kategori_og_bydel(web: Web, page: Page):
    r = web.registrering
    # kategori is NIR's, from the opphold IMDi reports and the age at the tillatelse (issue #13 §1): a refugee of
    # 30 has rett og plikt, one of 61 «kan tilbys» (integreringsloven § 8 as enacted: over 55)
    for etternavn, bydel, fodt in (
        ("Filtersen", "030103", "1990-06-15"),
        ("Filterkan", "030103", "1960-01-01"),
        ("Filterstovner", "030114", "1990-06-15"),
    ):
        nummer = duf()
        await ny_deltaker(
            r,
            kommune="0301",
            sluttmal=False,
            fornavn="Fia",
            etternavn=etternavn,
            bydel=bydel,
            duf_nummer=nummer,
            fodselsdato=fodt,
        )
        await r.opphold(nummer, ("FLYKTNING", "2021-09-01", None))
    await web.projisert("Filterstovner", kommune="0301")
    await web.projisert("Filterkan", kommune="0301")
    await web.projisert("Filtersen", kommune="0301")

    await logg_inn(page, web, claims("0301-FIA", "0301"))
    await page.get_by_role("link", name="Personer").click()
    liste = page.locator("#personliste tbody")
    await page.select_option("#bydel", "030103")
    await page.select_option("#kategori", "RETT_OG_PLIKT")
    await page.click("#sok-knapp")
    await expect(liste).to_contain_text("Fia Filtersen")
    await expect(liste).not_to_contain_text("Filterkan")
    await expect(liste).not_to_contain_text("Filterstovner")
    await expect(page.locator("#bydel")).to_have_value("030103")  # the form keeps the choice
    await expect(page.locator("#kategori")).to_have_value("RETT_OG_PLIKT")
    await uu(page)
    await skjermbilde(page, "web-personer-filter")
    # the plain list's choices are in the address (no identifier among them): a bookmarkable link
    await page.goto(f"{web.url}/personer?kategori=KAN_TILBYS&bydel=030103")
    await expect(liste).to_contain_text("Fia Filterkan")
    await expect(liste).not_to_contain_text("Filtersen")
    await expect(page.locator("#kategori")).to_have_value("KAN_TILBYS")

    # a user limited to Stovner: no bydel choice, only Stovner's persons
    await page.context.clear_cookies()
    await logg_inn(page, web, {**claims("0301-STO", "0301"), "bydelsnummer": "030114"})
    await page.goto(f"{web.url}/personer?bydel=030103")
    await expect(page.locator("#bydel")).to_have_count(0)
    await expect(liste).to_contain_text("Fia Filterstovner")
    await expect(liste).not_to_contain_text("Filtersen")
