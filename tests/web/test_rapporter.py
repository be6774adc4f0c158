"""Rapporter in the browser (seed §7–9): the page opens from the menu for a logged-in caseworker, axe finds no
violation, and the downloads come from rapport with its filename."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]


async def test_rapporter_fra_menyen_og_nedlasting(web: Web, page: Page):
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.click("text=Rapporter")
    await expect(page.locator("h1")).to_have_text("Rapport – Integreringsloven")
    await uu(page)
    async with page.expect_download() as d:
        await page.click("#last-ned-xlsx")
    assert (await d.value).suggested_filename.endswith(".xlsx")
