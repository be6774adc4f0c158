"""The Arbeidsflate's frister and Folkeregister lists (issue #15) in the browser, against the real registrering,
rapport and regelmotor: a gjennomføringsfrist and an oppstartsfrist (no vedtak, no sluttmål) in the next 30
days, the 30/60/90 choice, and a «Flyttet» from the regelmotor that is new on the first visit and not on the next
one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.async_api import Page, expect

from services.plumbing.kafka import TopicNames, make_broker, publish
from shared.events import avslutning
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.regelverk.frister import legg_til_maaneder
from tests.registrering.conftest import person
from tests.support.browser import skjermbilde
from tests.web.conftest import Web, claims, logg_inn, uu

pytestmark = [pytest.mark.integration]


async def registrer(web: Web, *, etternavn: str, bosatt: date, start: date | None) -> str:
    """A person settled on `bosatt`; with a vedtak om deltakelse from `start` and a sluttmål when `start` is set."""
    r = web.registrering
    h = r.token(user="4223-CES", kommune="4223")
    body = person(fornavn="Frida", etternavn=etternavn, bosettingsdato=bosatt.isoformat())
    resp = await r.client.post("/api/v1/deltakere", json=body, headers=h)
    assert resp.status_code == 201, resp.text
    did = resp.json()["deltaker_id"]
    # the kategori from the opphold IMDi reports (issue #13 §1): a refugee granted a month before settling
    await r.opphold(body["duf_nummer"], ("FLYKTNING", (bosatt - timedelta(days=30)).isoformat(), None))
    if start is not None:
        for sti, inn in (
            (
                "vedtak",
                {
                    "vedtakstype": "DELTAKELSE",
                    "vedtaksdato": start.isoformat(),
                    "periode": {"fra": start.isoformat(), "til": None},
                },
            ),
            ("sluttmal", {"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": start.isoformat()}),
        ):
            resp = await r.client.post(f"/api/v1/deltakere/{did}/{sti}", json=inn, headers=h)
            assert resp.status_code == 201, resp.text
    return did


async def flyttet(web: Web, deltaker_id: str) -> None:
    """The regelmotor's «Flyttet» from the Folkeregister, on its topic as the regelmotor publishes it."""
    now = datetime.now(UTC)
    broker = make_broker(web.registrering.settings.kafka_bootstrap_servers, client_id="test-web-flyttet")
    await broker.start()
    try:
        await publish(
            broker,
            avslutning.BeregnetAvslutningOpprettet(
                occurred_at=now,
                recorded_at=now,
                correlation_id=uuid.uuid4(),
                producer="regelmotor",
                deltaker_id=uuid.UUID(deltaker_id),
                avslutning_id=uuid.uuid4(),
                avslutningstype=Avslutningstype.ORDINAER,
                arsak=Avslutningsarsakkode.FLYTTET,
                avslutningsdato=now.date(),
                oppfolgingskommune="4223",
                bydel=None,
                grunnlag=avslutning.Regelgrunnlag(regel="test", datoer={"idag": now.date()}),
            ),
            names=TopicNames(web.registrering.settings.topic_prefix),
        )
    finally:
        await broker.stop()


async def test_frister_og_folkeregisteret_paa_arbeidsflaten(web: Web, page: Page, browser):
    idag = date.today()
    # integreringsloven-2021, ARBEID_HAR_IKKE_VGO: 24 months from the start, the frist 12 days from today
    start = legg_til_maaneder(idag + timedelta(days=12), -24) + timedelta(days=1)
    i_program = await registrer(web, etternavn="Fristesen", bosatt=start - timedelta(days=20), start=start)
    # the oppstartsfrist (bosettingsdato + 24 months − 1 day) 20 days from today, nothing registered: 30 days' list
    uten = await registrer(
        web, etternavn="Oppstartsen", bosatt=legg_til_maaneder(idag + timedelta(days=21), -24), start=None
    )
    # 45 days away: only in the 60 days' list
    senere = await registrer(
        web, etternavn="Senere", bosatt=legg_til_maaneder(idag + timedelta(days=46), -24), start=None
    )
    flytter = await registrer(web, etternavn="Flyttesen", bosatt=start - timedelta(days=20), start=start)
    await web.projisert("Senere")
    await flyttet(web, flytter)
    await web.projisert("Flyttesen", status="avsluttet")

    await logg_inn(page, web, claims("4223-FRI", "4223"))
    frister = page.locator("#gjennomforingsfrister")
    await expect(frister.locator("a", has_text="Frida Fristesen")).to_have_attribute("href", f"/personer/{i_program}")
    await expect(frister.locator("tr", has_text="Fristesen").locator("td").nth(2)).to_have_text(
        (idag + timedelta(days=12)).strftime("%d.%m.%Y")
    )
    oppstart = page.locator("#oppstartsfrister")
    await expect(oppstart.locator("a", has_text="Frida Oppstartsen")).to_have_attribute("href", f"/personer/{uten}")
    await expect(oppstart.locator("a", has_text="Frida Senere")).to_have_count(0)
    # «Flyttet» has ended the programme: in the Folkeregister list, no longer among the frister
    await expect(page.locator("#folkeregister-tittel")).to_have_text("Flyttet, utvandret eller død siste 30 dager")
    rad = page.locator("#folkeregisterliste tr", has_text="Flyttesen")
    await expect(rad.locator("td").nth(2)).to_have_text("Flyttet")
    await expect(frister.locator("a", has_text="Flyttesen")).to_have_count(0)
    await uu(page)
    await skjermbilde(page, "web-arbeidsflate-frister")

    await page.click("#oppstart-60")
    await expect(page.locator("#oppstart-tittel")).to_have_text(
        "Oppstartsfrist uten vedtak og sluttmål de neste 60 dagene"
    )
    await expect(page.locator("#oppstart-60")).to_have_attribute("aria-current", "true")
    await expect(oppstart.locator("a", has_text="Frida Senere")).to_have_attribute("href", f"/personer/{senere}")
    # the other list keeps its own window
    await expect(page.locator("#gjennomforing-tittel")).to_have_text("Frist for gjennomføring de neste 30 dagene")

    # a reload in the same session keeps the «since» of this visit; a new session's visit sees nothing new
    await page.reload()
    await expect(page.locator("#folkeregisterliste tr", has_text="Flyttesen")).to_have_count(1)
    ny = await browser.new_context()
    try:
        side2 = await ny.new_page()
        await logg_inn(side2, web, claims("4223-FRI", "4223"))
        await expect(side2.locator("#folkeregister-tittel")).to_have_text(
            "Flyttet, utvandret eller død siden forrige besøk"
        )
        await expect(side2.locator("#folkeregisterliste tr", has_text="Flyttesen")).to_have_count(0)
    finally:
        await ny.close()
