"""The web application against the real services: registrering and rapport in-process on one topic prefix (so the
report projects what registrering publishes), each served over HTTP on 127.0.0.1 as the web application calls
them, the web application itself served for the browser, and the real identity provider's login page."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg
import httpx
import pytest
from playwright.async_api import Page, expect

from services.plumbing.kafka import TopicNames, make_broker, publish
from services.rapport.app import create_app as create_rapport
from services.regelmotor.app import create_app as create_regelmotor
from services.web.app import create_app as create_web
from shared.events.klokke import DognPassert
from shared.settings import RapportSettings, RegelmotorSettings, WebSettings
from tests.conftest import fresh_database
from tests.registrering.conftest import Registrering, start_registrering
from tests.support.browser import beskriv, serve, sjekk_uu
from tests.support.identity import IdentityProvider
from tests.support.naming import run_id
from tests.support.polling import eventually


@dataclass
class Web:
    url: str
    registrering: Registrering
    idp: IdentityProvider
    rapport_url: str
    database_url: str

    async def tick_etter(self, deltaker_id: str, dato: date) -> None:
        """The day `dato` begins (DognPassert), once the regelmotor knows the person's gjennomføringsfrist: as in
        production, midnight comes after the day's registrations have been decided."""

        async def kjent() -> bool:
            conn = await asyncpg.connect(self.database_url)
            try:
                return (
                    await conn.fetchval(
                        "SELECT gjennomforingsfrist IS NOT NULL FROM regelmotor.deltaker_tilstand"
                        " WHERE deltaker_id = $1",
                        uuid.UUID(deltaker_id),
                    )
                    is True
                )
            finally:
                await conn.close()

        await eventually(kjent, what="the regelmotor knows the person's frist")
        now = datetime.now(UTC)
        broker = make_broker(self.registrering.settings.kafka_bootstrap_servers, client_id="test-web-klokke")
        await broker.start()
        try:
            await publish(
                broker,
                DognPassert(
                    dato=dato, occurred_at=now, recorded_at=now, correlation_id=uuid.uuid4(), producer="test-web"
                ),
                names=TopicNames(self.registrering.settings.topic_prefix),
            )
        finally:
            await broker.stop()

    async def projisert(self, navn: str, antall: int = 1, status: str = "alle", kommune: str = "4223") -> None:
        """Wait until rapport's read models hold `antall` persons by this name in `kommune` (its personlister)."""

        async def finnes() -> bool:
            async with httpx.AsyncClient() as c:
                r = await c.post(
                    f"{self.rapport_url}/api/v1/personer/sok",
                    json={"navn": navn, "status": status},
                    headers=self.registrering.token(user=f"{kommune}-CES", kommune=kommune),
                )
            return r.status_code == 200 and r.json()["totalt"] >= antall

        await eventually(finnes, what=f"rapport projects {navn}")


@pytest.fixture(autouse=True)
async def _verlatt_side(page: Page, sidefeil: list[str]) -> AsyncIterator[None]:
    """A stylesheet or script of ours still loading when the test moves on (the next click navigates before the
    page's load event) is cancelled with ERR_ABORTED: the page was left, it did not fail. A failed load still
    counts (an error status, a refused connection: browser.py's other records)."""
    yield
    sidefeil[:] = [
        f
        for f in sidefeil
        if not (
            f.startswith("request failed: GET ")
            and f.endswith(": net::ERR_ABORTED")
            and ("/designsystemet/" in f or "/static/" in f)
        )
    ]


@pytest.fixture(scope="session")
async def web(kafka_bootstrap, infrastructure, identity_provider) -> AsyncIterator[Web]:
    run = run_id()
    # A database of its own: other suites run registrering and rapport on the session database's schemas with
    # other topic prefixes, and two outbox relays on one schema would publish each other's events.
    async with (
        fresh_database(infrastructure) as database_url,
        start_registrering(kafka_bootstrap, database_url, identity_provider) as reg,
    ):
        felles = dict(
            database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=reg.settings.topic_prefix
        )
        rapport = create_rapport(
            RapportSettings(**felles, consumer_group=f"test-web-rapport-{run}", **identity_provider.service_settings())
        )
        # the regelmotor with its clock off: a test moves the day by publishing DognPassert (Web.tick)
        regelmotor = create_regelmotor(
            RegelmotorSettings(**felles, consumer_group=f"test-web-regelmotor-{run}", klokke_aktiv=False)
        )
        async with (
            rapport.router.lifespan_context(rapport),
            regelmotor.router.lifespan_context(regelmotor),
            serve(reg.app) as reg_url,
            serve(rapport) as rapport_url,
        ):
            app = create_web(
                WebSettings(
                    database_url=database_url,
                    registrering_url=reg_url,
                    rapport_url=rapport_url,
                    web_oidc_discovery_url=identity_provider.discovery_url(),
                )
            )
            async with serve(app) as url:
                app.state.settings = app.state.settings.model_copy(update={"public_url": url})
                async with app.router.lifespan_context(app):
                    yield Web(url, reg, identity_provider, rapport_url, database_url)


def claims(ident: str = "4223-CES", kommune: str | None = "4223", rolle: str = "SAKSBEHANDLER") -> dict:
    c = {"preferred_username": ident, "name": f"Test {ident}", "roller": [rolle]}
    if kommune:
        c["kommunenummer"] = kommune
    return c


async def logg_inn(page: Page, web: Web, c: dict) -> None:
    """Through the provider's own interactive login page: type the subject and the claims, sign in."""
    # The provider's page links a web font from fonts.googleapis.com, which this closed network cannot reach:
    # answer it with an empty stylesheet (it is the mock's page, not ours).
    await page.route("**/fonts.googleapis.com/**", lambda r: r.fulfill(status=200, body="", content_type="text/css"))
    await page.goto(f"{web.url}/innlogging")
    await page.fill("input[name=username]", f"sub-{c['preferred_username']}")
    await page.fill("textarea[name=claims]", json.dumps(c))
    await page.click("input[type=submit]")
    await expect(page.locator("h1")).to_have_text("Arbeidsflate")


async def uu(page: Page) -> None:
    """axe-core's WCAG 2.1 A/AA rules and reflow (tests/support/browser.py): not a single violation, of any impact."""
    brudd = await sjekk_uu(page)
    assert not brudd, f"axe-core on {page.url}:\n" + "\n".join(map(beskriv, brudd))
