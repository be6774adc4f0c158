"""Vedtak, tiltak and sluttmål from the person page (issue #15): «+ Legg til tiltak», «Rediger», «Slett» with «Er du
sikker…», «Endre sluttmål», the API's refusal shown on the form; against the real registrering, in the browser."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.registrering.conftest import ny_deltaker, person
from tests.support.browser import skjermbilde
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]


async def test_tiltak_legg_til_rediger_slett(web: Web, page: Page):
    did = await ny_deltaker(web.registrering, fornavn="Tiril", etternavn="Tiltaksen")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/personer/{did}")
    await page.click("#legg-til-tiltak")
    await expect(page.locator("h1")).to_have_text("Legg til tiltak")
    await page.fill("#tiltakskode", "NORSKOPPLAERING")
    await page.fill("#fra", "2022-01-10")
    await page.click("#lagre-tiltak")  # no hours: the form names the field, keeps what was typed
    await expect(page.locator("#timer_per_uke-feil")).to_have_text("Timer per uke må fylles ut")
    await expect(page.locator("#tiltakskode")).to_have_value("NORSKOPPLAERING")
    await page.fill("#timer_per_uke", "0")
    await page.click("#lagre-tiltak")  # the API's refusal at its field
    await expect(page.locator("#timer_per_uke-feil")).to_be_visible()
    await uu(page)
    await skjermbilde(page, "web-tiltak-feltfeil")
    await page.fill("#timer_per_uke", "22,5")
    await page.click("#lagre-tiltak")
    await expect(page.locator("#tiltak-kvittering")).to_have_text("Tiltaket er lagret.")
    rad = page.locator("#tiltak tbody tr").first
    await expect(rad.locator("td").nth(3)).to_have_text("22,5")

    await rad.get_by_role("link", name="Rediger").click()
    await expect(page.locator("h1")).to_have_text("Rediger tiltak")
    await expect(page.locator("#timer_per_uke")).to_have_value("22,5")
    await page.fill("#timer_per_uke", "30")
    await page.fill("#til", "2022-12-31")
    await page.click("#lagre-tiltak")
    await expect(page.locator("#tiltak-kvittering")).to_have_text("Tiltaket er endret.")
    await expect(rad.locator("td").nth(2)).to_have_text("31.12.2022")
    await expect(rad.locator("td").nth(3)).to_have_text("30,0")

    await rad.get_by_role("link", name="Slett").click()
    await expect(page.locator("h1")).to_have_text("Slett tiltak")
    await expect(page.locator("#slett-sporsmal")).to_have_text("Er du sikker på at du vil slette tiltaket?")
    await uu(page)
    await skjermbilde(page, "web-tiltak-slett")
    await page.click("#slett-ja")
    await expect(page.locator("#tiltak-kvittering")).to_have_text("Tiltaket er slettet.")
    await expect(page.locator("#tiltak")).to_have_count(0)
    tiltak = await web.registrering.client.get(f"/api/v1/deltakere/{did}/tiltak", headers=web.registrering.token())
    assert tiltak.json() == []


async def test_vedtak_rediger_slett_og_sluttmal(web: Web, page: Page):
    r = web.registrering
    did = await ny_deltaker(r, fornavn="Vilde", etternavn="Vedtaksen")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/personer/{did}")
    deltakelse = page.locator("#vedtak tbody tr", has_text="Deltakelse")
    await deltakelse.get_by_role("link", name="Rediger").click()
    await expect(page.locator("h1")).to_have_text("Rediger vedtak")
    await expect(page.locator("#fra")).to_have_value("2022-01-10")
    # the API's rule (DOMAIN.md §4.7): without its vedtak om deltakelse a forlengelse has no programme
    await page.select_option("#vedtakstype", "FORLENGELSE")
    await page.click("#lagre-vedtak")
    await expect(page.locator("#melding")).to_contain_text("krever et vedtak om deltakelse")
    await expect(page.locator("#vedtakstype")).to_have_value("FORLENGELSE")
    await uu(page)
    await skjermbilde(page, "web-vedtak-rediger")
    await page.select_option("#vedtakstype", "DELTAKELSE")
    await page.fill("#til", "2023-12-31")
    await page.click("#lagre-vedtak")
    await expect(page.locator("#vedtak-kvittering")).to_have_text("Vedtaket er endret.")
    await expect(deltakelse.locator("td").nth(4)).to_have_text("31.12.2023")

    # a permisjon registered by mistake, then deleted
    await page.click("#legg-til-vedtak")
    await page.select_option("#vedtakstype", "PERMISJON")
    await page.fill("#vedtaksdato", "2022-03-01")
    await page.fill("#fra", "2022-03-01")
    await page.fill("#til", "2022-04-01")
    await page.click("#lagre-vedtak")
    await expect(page.locator("#vedtak-kvittering")).to_have_text("Vedtaket er lagret.")
    permisjon = page.locator("#vedtak tbody tr", has_text="Permisjon")
    await permisjon.get_by_role("link", name="Slett").click()
    await page.click("#slett-nei")  # «Nei»: nothing deleted
    await expect(permisjon).to_have_count(1)
    await permisjon.get_by_role("link", name="Slett").click()
    await page.click("#slett-ja")
    await expect(page.locator("#vedtak-kvittering")).to_have_text("Vedtaket er slettet.")
    await expect(permisjon).to_have_count(0)

    # the sluttmål in force is the one fastsatt last: «Endre sluttmål» registers the new one
    await page.click("#endre-sluttmal")
    await page.select_option("#sluttmal", "ARBEID_HAR_VGO")
    await page.fill("#fastsatt_dato", "2022-02-01")
    await page.click("#lagre-sluttmal")
    await expect(page.locator("#sluttmal-kvittering")).to_have_text("Sluttmålet er lagret.")
    await expect(page.locator("#sluttmal")).to_have_text(
        "Arbeid, person har utdanning på videregående nivå (fastsatt 01.02.2022)"
    )
    await uu(page)
    await skjermbilde(page, "web-person-programfakta")


async def test_lesetilgang_ser_ingen_endringslenker(web: Web, page: Page):
    did = await ny_deltaker(web.registrering, fornavn="Lea", etternavn="Leser")
    await logg_inn(page, web, claims("4223-LES", "4223", rolle="LESETILGANG"))
    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("#vedtak tbody tr").first).to_be_visible()
    await expect(page.get_by_role("link", name="Rediger")).to_have_count(0)
    for lenke in ("#legg-til-tiltak", "#endre-sluttmal", "#legg-til-vedtak"):
        await expect(page.locator(lenke)).to_have_count(0)
    vid = await web.registrering.client.get(f"/api/v1/deltakere/{did}/vedtak", headers=web.registrering.token())
    svar = await page.goto(f"{web.url}/personer/{did}/vedtak/{vid.json()[0]['vedtak_id']}")
    assert svar is not None and svar.status == 403


async def test_fravaer_legg_til_vises_slett_med_bekreftelse(web: Web, page: Page):
    did = await ny_deltaker(web.registrering, fornavn="Frida", etternavn="Fraværsen")
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("#fravaer-tittel")).to_have_text("Fravær/permisjon")
    await page.click("#legg-til-fravaer")
    await expect(page.locator("h1")).to_have_text("Legg til fravær")
    await page.fill("#fra", "2022-04-01")
    await page.click("#lagre-fravaer")  # no type: the form names the field, keeps what was typed
    await expect(page.locator("#fravaerstype-feil")).to_have_text("Type fravær må velges")
    await expect(page.locator("#fra")).to_have_value("2022-04-01")
    await page.select_option("#fravaerstype", "GYLDIG")
    await page.fill("#til", "2022-03-01")
    await page.click("#lagre-fravaer")  # the API's refusal (til before fra) shown on the form
    await expect(page.locator("#fra-feil, #melding").first).to_contain_text("til-dato")
    await uu(page)
    await skjermbilde(page, "web-fravaer-feil")
    await page.fill("#til", "2022-04-05")
    await page.click("#lagre-fravaer")
    await expect(page.locator("#fravaer-kvittering")).to_have_text("Fraværet er lagret.")
    rad = page.locator("#fravaer tbody tr")
    await expect(rad).to_have_count(1)
    await expect(rad.locator("td").nth(0)).to_have_text("Gyldig fravær")
    await expect(rad.locator("td").nth(1)).to_have_text("01.04.2022")
    await expect(rad.locator("td").nth(2)).to_have_text("05.04.2022")
    await expect(rad.get_by_role("link", name="Rediger")).to_have_count(0)  # registrering has no PUT for fravær
    await uu(page)
    await skjermbilde(page, "web-person-fravaer")

    await rad.get_by_role("link", name="Slett").click()
    await expect(page.locator("h1")).to_have_text("Slett fravær")
    await expect(page.locator("#slett-sporsmal")).to_have_text("Er du sikker på at du vil slette fraværet?")
    await page.click("#slett-nei")  # «Nei»: nothing deleted
    await expect(rad).to_have_count(1)
    await rad.get_by_role("link", name="Slett").click()
    await uu(page)
    await skjermbilde(page, "web-fravaer-slett")
    await page.click("#slett-ja")
    await expect(page.locator("#fravaer-kvittering")).to_have_text("Fraværet er slettet.")
    await expect(page.locator("#fravaer")).to_have_count(0)
    fravaer = await web.registrering.client.get(f"/api/v1/deltakere/{did}/fravaer", headers=web.registrering.token())
    assert fravaer.json() == []


async def test_en_annen_kommunes_fravaer_naas_ikke_med_adressen(web: Web, page: Page):
    r = web.registrering
    annen = await ny_deltaker(r, kommune="0301")
    oslo = r.token(user="0301-ABC", kommune="0301")
    fid = (
        await r.client.post(
            f"/api/v1/deltakere/{annen}/fravaer",
            headers=oslo,
            json={"fravaerstype": "GYLDIG", "periode": {"fra": "2022-04-01", "til": "2022-04-05"}},
        )
    ).json()["id"]
    egen = await ny_deltaker(r)
    await logg_inn(page, web, claims("4223-CES", "4223"))
    for adresse in (f"/personer/{annen}/fravaer/ny", f"/personer/{annen}/fravaer/{fid}?slett=1"):
        svar = await page.goto(f"{web.url}{adresse}")
        assert svar is not None and svar.status == 404, adresse
        await expect(page.locator("h1")).to_have_text("Personen finnes ikke")
    await page.goto(f"{web.url}/personer/{egen}/fravaer/ny")  # a valid CSRF token of this session
    csrf = await page.locator("#fravaer-skjema input[name=_csrf]").get_attribute("value")
    assert csrf
    slett = await page.context.request.post(
        f"{web.url}/personer/{annen}/fravaer/{fid}/slett", form={"_csrf": csrf}, max_redirects=0
    )
    assert slett.status == 404
    still = await r.client.get(f"/api/v1/deltakere/{annen}/fravaer", headers=oslo)
    assert [f["fravaer_id"] for f in still.json()] == [fid]


async def test_utdanningsbakgrunn_styrer_sluttmalet_og_hovedregelen_bekreftes(web: Web, page: Page):
    """Issue #13 §2 from the person page: the utdanningsbakgrunn registered on its own form; a sluttmål of the other
    paragraph refused at the field naming the rule (seed prop81L-2024-2025: § 13 with videregående, § 14 without);
    «hovedregel for personer under 25 år» is a warning asked on the form, stored after «Ja» (DOMAIN.md §4 rule 4's
    flow)."""
    r = web.registrering
    h = r.token()
    resp = await r.client.post(
        "/api/v1/deltakere",
        json=person(fodselsdato="1995-03-02", bosettingsdato="2026-01-15", fornavn="Ulla", etternavn="Utdanning"),
        headers=h,
    )
    assert resp.status_code == 201, resp.text
    did = resp.json()["deltaker_id"]
    v = await r.client.post(
        f"/api/v1/deltakere/{did}/vedtak",
        headers=h,
        json={"vedtakstype": "DELTAKELSE", "vedtaksdato": "2026-02-01", "periode": {"fra": "2026-02-02"}},
    )
    assert v.status_code == 201, v.text
    await logg_inn(page, web, claims("4223-CES", "4223"))
    await page.goto(f"{web.url}/personer/{did}")
    await expect(page.locator("#utdanningsbakgrunn")).to_contain_text("Ikke registrert")
    await page.click("#endre-utdanningsbakgrunn")
    await expect(page.locator("h1")).to_have_text("Legg til utdanningsbakgrunn")
    await page.select_option("#utdanningsbakgrunn", "IKKE_VGO")
    await page.click("#lagre-utdanningsbakgrunn")
    await expect(page.locator("#utdanningsbakgrunn-kvittering")).to_have_text("Utdanningsbakgrunnen er lagret.")
    await expect(page.locator("#utdanningsbakgrunn")).to_contain_text("Ikke utdanning på videregående nivå")

    await page.click("#endre-sluttmal")
    await page.select_option("#sluttmal", "P13_ARBEID")
    await page.fill("#fastsatt_dato", "2026-02-02")
    await page.click("#lagre-sluttmal")
    await expect(page.locator("#sluttmal-feil")).to_contain_text("§ 13")
    await uu(page)
    await skjermbilde(page, "web-sluttmal-feil-paragraf")

    await page.select_option("#sluttmal", "P14_VGO_FAG_OG_YRKE")  # 30 years old: above the main rule's 25
    await page.click("#lagre-sluttmal")
    await expect(page.locator("#advarsel")).to_contain_text("25")
    assert (await r.client.get(f"/api/v1/deltakere/{did}/sluttmal", headers=h)).json() == []
    await uu(page)
    await skjermbilde(page, "web-sluttmal-hovedregel-advarsel")
    await page.click("#bekreft-ja")
    await expect(page.locator("#sluttmal-kvittering")).to_have_text("Sluttmålet er lagret.")
    lagret = (await r.client.get(f"/api/v1/deltakere/{did}/sluttmal", headers=h)).json()
    assert [s["sluttmal"] for s in lagret] == ["P14_VGO_FAG_OG_YRKE"]
