"""Seed §2–6 in the browser, as a caseworker logged in through the provider's page: open the person, «+ Legg
til» Arbeid with 30,0 timer, the API's warning and «Er du sikker på at du vil lagre?», «Vis detaljer» →
«Rediger» → «Slett», and «Vis all avslutningshistorikk» with the slettet row in italics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Page, expect

from tests.registrering.conftest import FRIST, ny_deltaker
from tests.support.browser import skjermbilde
from tests.support.polling import eventually
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]


async def regelmotorens_slettet(web: Web, did: str) -> None:
    """Wait (on registrering's API, not by reloading the page) until the regelmotor has retracted its avslutning
    after the kommune's: the history holds a slettet version of the regelmotor's."""
    r = web.registrering

    async def trukket() -> bool:
        a = (await r.client.get(f"/api/v1/deltakere/{did}/avslutninger", headers=r.token())).json()
        return any(x["kilde"] == "regelmotor" and x["slettet"] for x in a["historikk"])

    await eventually(trukket, what="the regelmotor's avslutning retracted")


async def test_legg_til_bekreft_rediger_slett_og_historikk(web: Web, page: Page):
    did = await ny_deltaker(web.registrering)
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await uu(page)
    await skjermbilde(page, "web-arbeidsflate")

    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("h1")).to_have_text("Amina Haddad")
    await expect(page.locator("#ingen-avslutning")).to_be_visible()
    await expect(page.locator("#sluttmal")).to_have_text(
        "Arbeid, person har ikke utdanning på videregående nivå (fastsatt 03.01.2022)"
    )
    await uu(page)
    await skjermbilde(page, "web-person")

    # §2: + Legg til; the veiledningstekst as soon as the årsak is chosen; Arbeid asks for the hours
    await page.click("#legg-til")
    await expect(page.locator("#timer-felt")).to_be_hidden()
    await page.fill("#avslutningsdato", "2023-11-15")
    await page.select_option("#arsak", "ARBEID")
    await expect(page.locator("#veiledning")).to_have_text(
        "Fast eller midlertidig arbeid. Registrer antall timer pr. uke for arbeidsforholdet/ene"
    )
    await expect(page.locator("#timer-felt")).to_be_visible()
    await page.fill("#timer_arbeid_per_uke", "30,0")
    await uu(page)
    await skjermbilde(page, "web-legg-til")
    await page.click("#lagre")

    # the vedtak runs past the date: the API's warning, then «Er du sikker på at du vil lagre?» Ja
    await expect(page.locator("#advarsel")).to_contain_text("Er du sikker på at du vil lagre?")
    await expect(page.locator("#avslutningsdato")).to_have_value("2023-11-15")  # nothing lost from the form
    await expect(page.locator("#timer_arbeid_per_uke")).to_have_value("30,0")
    await uu(page)
    await skjermbilde(page, "web-advarsel")
    await page.click("#bekreft-ja")

    await expect(page.locator("#kvittering")).to_have_text("Avslutningen er lagret.")
    celler = await page.locator("#avslutninger tbody tr").first.locator("td").all_text_contents()
    assert celler[:6] == ["Ordinær avslutning", "Arbeid", "30,0", "15.11.2023", "4223-CES", "Vennesla"]
    await expect(page.locator("#vedtak tbody tr").first).to_contain_text("Ikke gjeldende")

    # §4: Vis detaljer → Rediger (the form holds the current values) → Lagre
    await page.click("#vis-detaljer")
    await expect(page.locator("tr.detaljer")).to_contain_text("Registrert dato:")
    await uu(page)
    await page.click("#rediger")
    await expect(page.locator("#timer_arbeid_per_uke")).to_have_value("30,0")
    await page.fill("#timer_arbeid_per_uke", "37,5")
    await page.click("#lagre")
    await expect(page.locator("#kvittering")).to_have_text("Avslutningen er endret.")
    await expect(page.locator("#avslutninger tbody tr").first.locator("td").nth(2)).to_have_text("37,5")

    # Slett, with its confirmation
    await page.click("#vis-detaljer")
    await page.click("#slett")
    await expect(page.locator("#slett-sporsmal")).to_have_text("Er du sikker på at du vil slette avslutningen?")
    await uu(page)
    await page.click("#slett-ja")
    await expect(page.locator("#kvittering")).to_have_text("Avslutningen er slettet.")
    await expect(page.locator("#ingen-avslutning")).to_be_visible()

    # Vis all avslutningshistorikk: every version, the slettet one in italics
    await page.click("#historikk-lenke")
    await expect(page.locator("#historikk-lenke")).to_have_text("Vis nyeste avslutningshistorikk")
    rader = page.locator("#avslutninger tbody tr")
    await expect(rader).to_have_count(3)
    forste = rader.first
    await expect(forste.locator("td").first).to_have_text("Ordinær avslutning (slettet)")
    assert await forste.evaluate("r => getComputedStyle(r.cells[0]).fontStyle") == "italic"
    await uu(page)
    await skjermbilde(page, "web-historikk")


async def test_arbeidsflaten_og_ny_arsak_over_avslutningsarsak_ikke_registrert(web: Web, page: Page):
    """Seed §5–6 (the Vennesla example): the regelmotor ends the person at the gjennomføringsfrist with
    «Avslutningsårsak ikke registrert»; the Arbeidsflate lists the person; the caseworker adds Arbeid, 30,0; the
    history shows the regelmotor's as «Ordinær avslutning (slettet)»."""
    did = await ny_deltaker(web.registrering, fornavn="Vera", etternavn="Vennesla")
    await web.tick_etter(did, FRIST + timedelta(days=1))
    await web.projisert("Vennesla", status="avsluttet")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    lenke = page.locator("#arbeidsliste a", has_text="Vera Vennesla")
    await expect(lenke).to_be_visible()
    await uu(page)
    await skjermbilde(page, "web-arbeidsflate-ikke-registrert")
    await lenke.click()
    rad = page.locator("#avslutninger tbody tr").first
    await expect(rad.locator("td").nth(1)).to_have_text("Avslutningsårsak ikke registrert")
    await expect(rad.locator("td").nth(4)).to_have_text("Regelmotor")
    await expect(page.locator("#vis-detaljer")).to_have_count(0)  # the regelmotor's: no Rediger/Slett

    await page.click("#legg-til")
    await page.fill("#avslutningsdato", FRIST.isoformat())
    await page.select_option("#arsak", "ARBEID")
    await page.fill("#timer_arbeid_per_uke", "30,0")
    await page.click("#lagre")  # on the frist, the vedtak's last day: no vedtak runs past it, no warning
    await expect(page.locator("#kvittering")).to_have_text("Avslutningen er lagret.")
    await expect(rad.locator("td").nth(1)).to_have_text("Arbeid")

    # the regelmotor retracts its own once it has the kommune's (eventually): the history shows it slettet
    await regelmotorens_slettet(web, did)
    await page.goto(f"{web.url}/personer/{did}?historikk=alle")
    await expect(page.locator("#avslutninger tbody tr").first.locator("td").first).to_have_text(
        "Ordinær avslutning (slettet)"
    )
    await uu(page)
    await skjermbilde(page, "web-historikk-vennesla")


async def test_permanent_stans_og_kommunens_arsak(web: Web, page: Page):
    """Seed §3 (the Bærum example): a vedtak om permanent stans; the regelmotor's «Vedtak om permanent stans»
    waits for the kommune's årsak; once it is registered, «Stans (slettet)» in the history."""
    r = web.registrering
    did = await ny_deltaker(r, fornavn="Berit", etternavn="Bærum")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    # the vedtak om permanent stans, registered on the person page («+ Legg til vedtak»); first without its
    # date: the form names the field and keeps what was typed
    await page.goto(f"{web.url}/personer/{did}")
    await page.click("#legg-til-vedtak")
    await page.select_option("#vedtakstype", "PERMANENT_STANS")
    await page.fill("#fra", "2022-09-14")
    await page.click("#lagre-vedtak")
    await expect(page.locator("#vedtaksdato-feil")).to_have_text("Vedtaksdato må fylles ut")
    await expect(page.locator("#fra")).to_have_value("2022-09-14")
    await uu(page)
    await skjermbilde(page, "web-vedtak-feltfeil")
    await page.fill("#vedtaksdato", "2022-09-14")
    await page.click("#lagre-vedtak")
    await expect(page.locator("#vedtak-kvittering")).to_have_text("Vedtaket er lagret.")
    await expect(page.locator("#vedtak tbody")).to_contain_text("14.09.2022")

    async def beregnet() -> bool:
        a = (await r.client.get(f"/api/v1/deltakere/{did}/avslutninger", headers=r.token())).json()
        return a["gjeldende"] is not None and a["gjeldende"]["arsak"]["kode"] == "VEDTAK_OM_PERMANENT_STANS"

    await eventually(beregnet, what="the regelmotor's «Vedtak om permanent stans»")

    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("#venter")).to_be_visible()
    await expect(page.locator("#avslutninger tbody tr").first.locator("td").first).to_have_text("Stans")
    await page.click("#legg-til")
    await page.fill("#avslutningsdato", "2022-09-14")
    await page.select_option("#arsak", "ARBEID")
    await page.fill("#timer_arbeid_per_uke", "30,0")
    await page.click("#lagre")
    await expect(page.locator("#advarsel")).to_be_visible()  # the vedtak om deltakelse runs past the stans date
    await page.click("#bekreft-ja")
    await expect(page.locator("#kvittering")).to_have_text("Avslutningen er lagret.")

    await regelmotorens_slettet(web, did)
    await page.goto(f"{web.url}/personer/{did}?historikk=alle")
    await expect(page.locator("#avslutninger tbody tr").first.locator("td").first).to_have_text("Stans (slettet)")
    await uu(page)
    await skjermbilde(page, "web-permanent-stans")


async def test_dobbeltklikk_lagrer_en_gang(web: Web, page: Page):
    """Each form carries its own Idempotency-Key: the same form sent twice stores one avslutning."""
    did = await ny_deltaker(web.registrering)
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/personer/{did}?legg_til=1")
    skjema: dict[str, str | float | bool] = {
        n: await page.locator(f"#avslutning-skjema input[name={n}]").get_attribute("value") or ""
        for n in ("_csrf", "idempotency_key")
    }
    skjema |= {"avslutningsdato": FRIST.isoformat(), "arsak": "GRUNNSKOLE"}  # no vedtak past it: no warning
    for _ in range(2):
        svar = await page.context.request.post(f"{web.url}/personer/{did}/avslutninger", form=skjema, max_redirects=0)
        assert svar.status == 303, await svar.text()
    a = (
        await web.registrering.client.get(f"/api/v1/deltakere/{did}/avslutninger", headers=web.registrering.token())
    ).json()
    assert len(a["historikk"]) == 1


async def tab_til(page: Page, element_id: str, maks: int = 80) -> None:
    """Press Tab until the element has focus, as a keyboard user moves through the page."""
    for _ in range(maks):
        if await page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        await page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reached with Tab")


async def skriv_dato(page: Page, iso: str) -> None:
    """Type a date into the focused date field. Chromium's field takes its segments in the order of the browser's
    own UI language (not the page's), so try the orders a user of each would type."""
    aar, maaned, dag = iso.split("-")
    for rekkefolge in ((maaned, dag, aar), (dag, maaned, aar), (aar, maaned, dag)):
        await page.keyboard.type("".join(rekkefolge))
        if await page.evaluate("document.activeElement.value") == iso:
            return
        await page.keyboard.press("Shift+Tab")  # back out and in again: the first segment, typed over
        await page.keyboard.press("Tab")
    raise AssertionError(f"could not type {iso} into the date field")


async def test_legg_til_med_tastaturet_alene(web: Web, page: Page):
    """Issue #15: the whole Legg til flow works with the keyboard alone, the warning's «Ja» included."""
    did = await ny_deltaker(web.registrering, fornavn="Tove", etternavn="Tastatur")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/personer/{did}")
    await tab_til(page, "legg-til")
    await page.keyboard.press("Enter")
    await expect(page.locator("#avslutning-skjema")).to_be_visible()
    await tab_til(page, "avslutningsdato")
    await skriv_dato(page, "2023-11-15")
    await tab_til(page, "arsak")
    await page.keyboard.press("ArrowDown")  # the first code in the seed's order: Arbeid
    await expect(page.locator("#arsak")).to_have_value("ARBEID")
    await expect(page.locator("#timer-felt")).to_be_visible()
    await tab_til(page, "timer_arbeid_per_uke")
    await page.keyboard.type("30,0")
    await page.keyboard.press("Enter")
    await expect(page.locator("#advarsel")).to_be_visible()
    await tab_til(page, "bekreft-ja")
    await page.keyboard.press("Enter")
    await expect(page.locator("#kvittering")).to_have_text("Avslutningen er lagret.")
    await expect(page.locator("#avslutninger tbody tr").first.locator("td").nth(2)).to_have_text("30,0")
