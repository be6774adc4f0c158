"""The session (issue #14 §2): idle and absolute timeouts end it, an access token about to expire is renewed with
the refresh token, a callback with another state is refused, and a wrong address is a Norwegian 404 page."""

from __future__ import annotations

import hashlib

import asyncpg
import pytest
from playwright.async_api import Page, expect

from tests.registrering.conftest import ny_deltaker
from tests.web.conftest import Web, claims, logg_inn

pytestmark = [pytest.mark.integration]


async def _sql(web: Web, sql: str) -> None:
    conn = await asyncpg.connect(web.database_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _min_sesjon(web: Web, page: Page) -> str:
    """The WHERE condition for this browser's session row (the table holds the cookie's SHA-256)."""
    [cookie] = [c for c in await page.context.cookies() if c["name"] == "nir_sesjon"]
    return f"id_hash = '{hashlib.sha256(cookie['value'].encode()).hexdigest()}'"


@pytest.mark.parametrize(
    "kolonne, siden", [("sist_brukt", "31 minutes"), ("opprettet", "11 hours")], ids=["idle", "absolutt"]
)
async def test_tidsavbrudd_avslutter_sesjonen(web: Web, page: Page, kolonne: str, siden: str):
    await logg_inn(page, web, claims("4223-CES", "4223"))
    # the session as if it were last used (or logged in) that long ago: PostgreSQL's clock decides
    await _sql(
        web, f"UPDATE web.sesjon SET {kolonne} = now() - interval '{siden}' WHERE {await _min_sesjon(web, page)}"
    )
    svar = await page.context.request.get(f"{web.url}/personer", max_redirects=0)
    assert svar.status == 303 and svar.headers["location"] == "/innlogging"


async def test_utlopende_access_token_fornyes_med_refresh_token(web: Web, page: Page):
    did = await ny_deltaker(web.registrering)
    await logg_inn(page, web, claims("4223-CES", "4223"))
    hvor = await _min_sesjon(web, page)
    conn = await asyncpg.connect(web.database_url)
    try:
        assert await conn.fetchval(f"SELECT refresh_token IS NOT NULL FROM web.sesjon WHERE {hvor}")
        gammelt = await conn.fetchval(f"SELECT access_token FROM web.sesjon WHERE {hvor}")
        # encrypted at rest: no JWT (base64 of '{"') in the table, a Fernet token instead
        assert not gammelt.startswith("eyJ") and gammelt.startswith("gAAAAA"), gammelt[:10]
        await conn.execute(f"UPDATE web.sesjon SET token_utloper = now() WHERE {hvor}")
        await page.goto(f"{web.url}/personer/{did}")
        await expect(page.locator("h1")).to_have_text("Amina Haddad")
        nytt, utloper = await conn.fetchrow(f"SELECT access_token, token_utloper > now() FROM web.sesjon WHERE {hvor}")
        assert nytt != gammelt and utloper
    finally:
        await conn.close()


async def test_callback_med_annen_state_nektes(web: Web, page: Page):
    await page.route("**/fonts.googleapis.com/**", lambda r: r.fulfill(status=200, body="", content_type="text/css"))
    await page.goto(f"{web.url}/innlogging")  # the provider's page: this browser has a pending login now
    svar = await page.goto(f"{web.url}/innlogging/callback?code=x&state=en-annen")
    assert svar is not None
    assert svar.status == 400
    await expect(page.locator("h1")).to_have_text("Innloggingen kunne ikke fullføres")


async def test_ukjent_adresse_er_en_norsk_404_side(web: Web, page: Page):
    svar = await page.goto(f"{web.url}/finnes-ikke")
    assert svar is not None
    assert svar.status == 404 and "text/html" in svar.headers["content-type"]
    await expect(page.locator("h1")).to_have_text("Siden finnes ikke")
    svar = await page.goto(f"{web.url}/personer/ikke-en-id")
    assert svar is not None
    assert svar.status == 404
