"""Who sees what, in the browser: a LESETILGANG user sees no write buttons; another kommune's person is a 404 page
like an unknown one; a POST without the session's CSRF token is refused; logout ends the session (the old cookie
logs nobody in); a search is posted and its identifier lands in no address; an API field error is shown at the
field with the form as it was sent."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Page, expect

from tests.registrering.conftest import ny_deltaker
from tests.support.browser import skjermbilde
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]

ADRESSER = "[location.href, ...[...document.querySelectorAll('a[href], form[action]')].map(e => e.href || e.action)]"


async def test_lesetilgang_ser_ingen_skriveknapper(web: Web, page: Page):
    did = await ny_deltaker(web.registrering)
    await logg_inn(page, web, claims("4223-LES", "4223", rolle="LESETILGANG"))
    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("h1")).to_have_text("Amina Haddad")
    await expect(page.locator("#legg-til")).to_have_count(0)
    await page.goto(f"{web.url}/personer/{did}?legg_til=1")  # the link's address by hand: still no form
    await expect(page.locator("#avslutning-skjema")).to_have_count(0)


async def test_en_annen_kommunes_person_finnes_ikke(web: Web, page: Page):
    annen = await ny_deltaker(web.registrering, kommune="0301")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    svar = await page.goto(f"{web.url}/personer/{annen}")
    assert svar is not None
    assert svar.status == 404
    await expect(page.locator("h1")).to_have_text("Personen finnes ikke")
    tekst = await page.locator("main").inner_text()
    ukjent = await page.goto(f"{web.url}/personer/{uuid.uuid4()}")  # exactly as a person nobody registered
    assert ukjent is not None
    assert ukjent.status == 404 and await page.locator("main").inner_text() == tekst
    await uu(page)
    await skjermbilde(page, "web-finnes-ikke")


async def test_post_uten_csrf_nektes_og_utlogging_avslutter_sesjonen(web: Web, page: Page):
    did = await ny_deltaker(web.registrering)
    await logg_inn(page, web, claims("4223-CES", "4223"))
    skjema: dict[str, str | float | bool] = {"avslutningsdato": "2023-11-15", "arsak": "GRUNNSKOLE"}
    svar = await page.context.request.post(f"{web.url}/personer/{did}/avslutninger", form=skjema, max_redirects=0)
    assert svar.status == 403 and "sikkerhetsnøkkelen" in await svar.text()
    svar = await page.context.request.post(
        f"{web.url}/personer/{did}/avslutninger", form={**skjema, "_csrf": "feil"}, max_redirects=0
    )
    assert svar.status == 403
    avslutninger = await web.registrering.client.get(
        f"/api/v1/deltakere/{did}/avslutninger", headers=web.registrering.token()
    )
    assert avslutninger.json()["gjeldende"] is None  # nothing was stored

    gammel = [c for c in await page.context.cookies() if c["name"] == "nir_sesjon"]
    await page.click("#logg-ut")
    await expect(page.locator("h1")).to_have_text("Du er logget ut")
    await uu(page)
    # the old session cookie, put back, logs nobody in: the page sends the browser to log in again
    await page.context.add_cookies(gammel)  # type: ignore[arg-type]  # a Cookie read back is a SetCookieParam
    svar = await page.context.request.get(f"{web.url}/personer/{did}", max_redirects=0)
    assert svar.status == 303 and svar.headers["location"] == "/innlogging"


async def test_sok_postes_og_feltfeil_vises_ved_feltet(web: Web, page: Page):
    did = await ny_deltaker(web.registrering, fornavn="Sofie", etternavn="Søkesen")
    duf = (await web.registrering.client.get(f"/api/v1/deltakere/{did}", headers=web.registrering.token())).json()[
        "duf_nummer"
    ]
    await web.projisert("Søkesen")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.get_by_role("link", name="Personer").click()
    # NIR's personlister: the persons in programme too (from rapport's read models, once projected)
    await page.select_option("#status", "i_program")
    await page.fill("#navn", "søkesen")
    await page.click("#sok-knapp")
    await expect(page.locator("#personliste tbody tr").first).to_contain_text("Sofie Søkesen")
    await expect(page.locator("#personliste tbody tr").first).to_contain_text("I program")
    assert not [u for u in await page.evaluate(ADRESSER) if "søkesen" in u.lower()]
    await uu(page)
    await skjermbilde(page, "web-personer")
    await page.fill("#ident", duf)
    await page.click("#sok-knapp")
    await expect(page.locator("h1")).to_have_text("Sofie Søkesen")
    assert not [u for u in await page.evaluate(ADRESSER) if duf in u]

    # Arbeid without the hours: the API's message at the hours field, the date and årsak kept
    await page.click("#legg-til")
    await page.fill("#avslutningsdato", "2023-11-15")
    await page.select_option("#arsak", "ARBEID")
    await page.click("#lagre")
    await expect(page.locator("#timer-feil")).to_be_visible()
    await expect(page.locator("#avslutningsdato")).to_have_value("2023-11-15")
    await expect(page.locator("#arsak")).to_have_value("ARBEID")
    await uu(page)
    await skjermbilde(page, "web-feltfeil")


async def test_imdi_ser_alle_kommuner_men_skriver_ikke(web: Web, page: Page):
    did = await ny_deltaker(web.registrering, kommune="0301")
    await logg_inn(page, web, claims("IMDI-ANNE", None, rolle="IMDI"))
    await expect(page.locator(".hvem")).to_contain_text("IMDI-ANNE (IMDi)")
    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("h1")).to_have_text("Amina Haddad")
    await expect(page.locator("#legg-til")).to_have_count(0)
