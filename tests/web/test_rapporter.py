"""Rapporter in the browser (seed §7–9): the page opens from the menu for a logged-in caseworker, axe finds no
violation, and the downloads come from rapport with its filename."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.async_api import Page, expect

from services.rapport.csv_export import KOLONNER
from tests.registrering.conftest import ny_deltaker
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


async def avsluttet(web: Web, fornavn: str, dato: str) -> None:
    r = web.registrering
    did = await ny_deltaker(r, fornavn=fornavn, etternavn="Sortesen")
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger?confirm=true",
        json={"arsak": "GRUNNSKOLE", "avslutningsdato": dato},
        headers=r.token(),
    )
    assert resp.status_code == 201, resp.text


async def test_sortering_og_nedlasting_av_navnesok(web: Web, page: Page, tmp_path):
    """Column sorting (seed §8: the list sorted by a column, «Viser 1 - 25 av … linjer»), for the plain report by
    links and for a name search by POST; the name search's CSV downloaded by POST, holding just its rows."""
    await avsluttet(web, "Anna", "2023-03-01")
    await avsluttet(web, "Berit", "2023-02-01")
    await web.projisert("Sortesen", antall=2, status="avsluttet")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/rapporter/integreringsloven")
    await page.click("#sorter-avslutningsdato")
    assert "sorter=avslutningsdato" in page.url and "retning=stigende" in page.url
    overskrift = page.locator("#rapport th", has=page.locator("#sorter-avslutningsdato"))
    await expect(overskrift).to_have_attribute("aria-sort", "ascending")
    await page.click("#sorter-avslutningsdato")
    await expect(overskrift).to_have_attribute("aria-sort", "descending")
    datoer = await page.locator("#rapport tbody tr td:nth-child(7)").all_inner_texts()
    iso = ["-".join(reversed(d.split("."))) for d in datoer]
    assert iso == sorted(iso, reverse=True)

    await page.fill("#navn", "Sortesen")
    await page.click("#sok-knapp")
    fornavn = page.locator("#rapport tbody tr td:nth-child(2)")
    await expect(fornavn).to_have_text(["Anna", "Berit"])  # etternavn, then fornavn
    await page.click("#sorter-fornavn")  # already by name: fornavn first, ascending
    await page.click("#sorter-fornavn")
    await expect(fornavn).to_have_text(["Berit", "Anna"])
    await expect(page.locator("#rapport th", has=page.locator("#sorter-fornavn"))).to_have_attribute(
        "aria-sort", "descending"
    )
    assert "Sortesen" not in page.url
    await uu(page)
    await skjermbilde(page, "rapporter-navnesok-sortert")

    async with page.expect_download() as d:
        await page.click("#last-ned-csv")
    fil = tmp_path / "sok.csv"
    await (await d.value).save_as(fil)
    linjer = fil.read_text(encoding="utf-8-sig").splitlines()
    assert len(linjer) == 3 and all("Sortesen" in x for x in linjer[1:])
    assert [x.split(";")[1] for x in linjer[1:]] == ["Berit", "Anna"]  # the search's sort, in the file too
    assert "Sortesen" not in page.url
