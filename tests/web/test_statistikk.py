"""Statistikk in the browser (issue #17 §1; seed imdi-resultater-introduksjonsordningen-2007 Tabell 2, Figur 5–9):
the page opens from the menu, shows exactly the numbers rapport's API gives the same user (every cell of the
måloppnåelse table and of the code table), prikket cells as «:» and never their number, both charts as images
with a table alternative, axe finds no violation at 1400 and 360 px, and screenshots are saved.

The year is tests/rapport/statistikkdata.py's (2012, introduksjonsloven: no other web test registers it),
projected straight into the web suite's rapport schema."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from playwright.async_api import Page, expect

from services.rapport import forbruker
from tests.rapport import statistikkdata as data
from tests.support.browser import skjermbilde
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]

URL = f"/statistikk/introduksjonsloven?fra_aar={data.AAR}&til_aar={data.AAR}"
FELT = ("avsluttet", "i_jobb", "i_utdanning", "utenfor_tallgrunnlaget")


@pytest.fixture(scope="module")
async def projisert(web: Web) -> None:
    conn = await asyncpg.connect(web.database_url, server_settings={"search_path": "rapport"})
    try:
        async with conn.transaction():
            await forbruker.behandle(conn, data.hendelser())
    finally:
        await conn.close()


async def fra_api(web: Web, headers: dict[str, str]) -> dict:
    async with httpx.AsyncClient() as c:
        r = await c.get(
            f"{web.rapport_url}/api/v1/statistikk/introduksjonsloven",
            params={"fra_aar": data.AAR, "til_aar": data.AAR},
            headers=headers,
        )
    assert r.status_code == 200, r.text
    (aar,) = r.json()["aar"]
    return aar


def synlig(tekst: str) -> str:
    """A cell's text as seen: without the «prikket» said to screen readers only."""
    return tekst.replace("prikket", "").strip()


def prosent(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f} %".replace(".", ",")


async def samme_tall(page: Page, aar: dict) -> None:
    """Every line of the API's answer is a row of the page's table, in the same order, with the same numbers;
    a prikket line shows «:» in every cell and nothing else."""
    rader = page.locator(f"#maaloppnaaelse-{data.AAR} tbody tr")
    assert await rader.evaluate_all("rs => rs.map(r => r.dataset.linje)") == [x["id"] for x in aar["linjer"]]
    for x in aar["linjer"]:
        rad = page.locator(f'#maaloppnaaelse-{data.AAR} tr[data-linje="{x["id"]}"]')
        await expect(rad.locator("th")).to_have_text(x["navn"])
        celler = [synlig(t) for t in await rad.locator("td").all_inner_texts()]
        if x["prikket"]:
            assert set(celler) == {":"}, (x["id"], celler)
            continue
        for felt in FELT:
            assert await rad.locator(f'td[data-felt="{felt}"]').inner_text() == str(x[felt]), (x["id"], felt)
        for felt in ("andel_i_jobb", "andel_i_utdanning", "andel_i_jobb_eller_utdanning"):
            andel = await rad.locator(f'td[data-felt="{felt}"]').inner_text()
            assert andel == prosent(x[felt]), (x["id"], felt)
        assert len(celler) == 9
        assert await rad.locator('td[data-felt="andel_forlenget"]').inner_text() == prosent(x["andel_forlenget"])
        t = x["tid_i_program"]
        tid = await rad.locator('td[data-felt="tid_i_program"]').inner_text()
        assert synlig(tid) == (f"{t['median']} ({t['nedre_kvartil']}–{t['ovre_kvartil']})" if t else ":")
    for k in aar["koder"]:
        celle = page.locator(f'#kodetabell-{data.AAR} tr[data-kode="{k["kode"]}"] td.tall')
        assert synlig(await celle.inner_text()) == (":" if k["prikket"] else str(k["antall"])), k


async def test_imdi_ser_alle_nivaaer_med_samme_tall_som_apiet(web: Web, page: Page, projisert):
    await logg_inn(page, web, claims("IMDI-STAT", None, rolle="IMDI"))
    await page.click("text=Statistikk")
    await expect(page.locator("h1")).to_have_text("Statistikk – Integreringsloven")
    await page.goto(web.url + URL)
    await expect(page.locator("h1")).to_have_text("Statistikk – Introduksjonsloven")
    aar = await fra_api(web, web.registrering.token("IMDI-STAT", imdi=True))
    ider = {x["id"] for x in aar["linjer"]}
    assert {"landet", "fylke:42", "kommune:4203", "kommune:0301", "bydel:030101"} <= ider  # every level
    prikket = {x["id"] for x in aar["linjer"] if x["prikket"]}
    assert {"kommune:4211", "bydel:030102"} <= prikket  # Gjerstad (3) and Grünerløkka (2) with their secondary
    await samme_tall(page, aar)
    # Gjerstad's 3 appear nowhere in its row; the page explains the mark
    gjerstad = page.locator(f'#maaloppnaaelse-{data.AAR} tr[data-linje="kommune:4211"]')
    assert "3" not in await gjerstad.locator("td").all_inner_texts()
    await expect(page.locator("#prikking")).to_contain_text("færre enn 5")
    # the charts are images of our own making (no script, no other origin) with the numbers as a table too
    figur = page.locator(f"#fylkesfigur-{data.AAR}")
    assert (await figur.get_attribute("src") or "").startswith("data:image/svg+xml;base64,")
    assert "hele landet" in (await figur.get_attribute("alt") or "")
    assert await figur.evaluate("img => img.naturalWidth") > 0  # the browser could draw it
    fylker = {x["navn"]: prosent(x["andel_i_jobb_eller_utdanning"]) for x in aar["linjer"] if x["nivaa"] == "fylke"}
    await page.click("text=Figuren som tabell")
    for navn, andel in fylker.items():
        rad = page.locator(f"#fylkestabell-{data.AAR} tr", has=page.locator("th", has_text=navn))
        await expect(rad.locator("td")).to_have_text(andel)
    assert await page.locator(f"#fordelingsfigur-{data.AAR}").evaluate("img => img.naturalWidth") > 0
    await uu(page)
    await skjermbilde(page, "statistikk-imdi")


async def test_kommunen_ser_seg_selv_ved_fylket_og_landet(web: Web, page: Page, projisert):
    await logg_inn(page, web, claims("4203-STAT", "4203"))
    await page.goto(web.url + URL)
    aar = await fra_api(web, web.registrering.token("4203-STAT", "4203"))
    ider = [x["id"] for x in aar["linjer"]]
    assert "kommune:4203" in ider and "fylke:42" in ider and "landet" in ider
    assert not {"kommune:4201", "kommune:4211", "kommune:1120"} & set(ider)  # no other kommune's line
    await samme_tall(page, aar)
    # the distribution compares Arendal with Agder and the country
    kolonner = await page.locator(f"#fordelingstabell-{data.AAR} thead th").all_inner_texts()
    assert kolonner == ["Gruppe", "Hele landet", "Agder", "Arendal"]
    await uu(page)
    await skjermbilde(page, "statistikk-kommune")


async def test_ugyldig_periode_gir_norsk_feil(web: Web, page: Page, projisert):
    await logg_inn(page, web, claims("4203-STAT", "4203"))
    svar = await page.goto(f"{web.url}/statistikk/introduksjonsloven?fra_aar=2020&til_aar=2012")
    assert svar is not None and svar.status == 422
    await expect(page.locator("#feil")).to_have_text("Fra år: kan ikke være etter til år.")
    await uu(page)
