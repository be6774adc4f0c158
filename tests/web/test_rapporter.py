"""Rapporter in the browser (seed §7–9): the page opens from the menu for a logged-in caseworker, axe finds no
violation, and the downloads come from rapport with its filename."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.async_api import Page, expect

from services.rapport.csv_export import KOLONNER
from tests.support.browser import skjermbilde
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]


async def test_rapporter_fra_menyen_og_nedlasting(web: Web, page: Page):
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.click("text=Rapporter")
    await expect(page.locator("h1")).to_have_text("Rapport – Integreringsloven")
    await uu(page)
    await skjermbilde(page, "rapporter")
    async with page.expect_download() as d:
        await page.click("#last-ned-xlsx")
    assert (await d.value).suggested_filename.endswith(".xlsx")


async def test_xlsx_csv_navnesok_og_utlogging(web: Web, page: Page, tmp_path):
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/rapporter/integreringsloven")
    async with page.expect_download() as d:
        await page.click("#last-ned-xlsx")
    fil = tmp_path / "rapport.xlsx"
    await (await d.value).save_as(fil)
    ark = openpyxl.load_workbook(fil).active
    assert [c.value for c in ark[3]] == list(KOLONNER)  # the column titles on row 3 (seed §9)
    async with page.expect_download() as d:
        await page.click("#last-ned-csv")
    assert (await d.value).suggested_filename.endswith(".csv")
    await page.fill("#navn", "Haddad")
    await page.click("#sok-knapp")
    await expect(page.locator("h1")).to_have_text("Rapport – Integreringsloven")
    assert "Haddad" not in page.url  # the name search is POSTed, never in the address
    gammel = [c for c in await page.context.cookies() if c["name"] == "nir_sesjon"]
    await page.click("#logg-ut")
    await expect(page.locator("h1")).to_have_text("Du er logget ut")
    await page.context.add_cookies(gammel)  # type: ignore[arg-type]  # a Cookie read back is a SetCookieParam
    svar = await page.context.request.get(f"{web.url}/rapporter/integreringsloven", max_redirects=0)
    assert svar.status == 303 and svar.headers["location"] == "/innlogging"
