"""Swagger UI (issue #14 §5) in Debian's chromium: /docs loads its assets from the service itself (no request
leaves 127.0.0.1), «Authorize» logs a caseworker in at the real identity provider's login page (authorization
code with PKCE, public client nir-swagger), and «Try it out» then calls the API with that token."""

from __future__ import annotations

import json
import re

import pytest
from playwright.async_api import Page, expect

from tests.support.browser import serve, skjermbilde

pytestmark = pytest.mark.integration


async def test_authorize_logs_in_at_the_provider_and_try_it_out_calls_the_api(registrering, page: Page):
    # The mock provider's own login page links a web font from the internet, which this machine cannot reach:
    # answer it empty (it is the provider's page, not ours; ours is checked below to load nothing from outside).
    await page.context.route(
        re.compile(r"^https?://fonts\.googleapis\.com/"),
        lambda route: route.fulfill(status=200, content_type="text/css", body=""),
    )
    utenfor: list[str] = []
    page.on("request", lambda r: utenfor.append(r.url) if not r.url.startswith("http://127.0.0.1") else None)
    async with serve(registrering.app) as url:
        await page.goto(f"{url}/docs")
        await expect(page.locator(".swagger-ui .info .title")).to_contain_text("registrering")
        await page.click("button.authorize")
        boks = page.locator(".auth-container").filter(has_text="saksbehandler (OAuth2, authorization_code with PKCE)")
        await boks.locator("#client_id_authorization_code").fill("nir-swagger")
        async with page.expect_popup() as popup:
            await boks.locator("button.authorize").click()
        login = await popup.value
        await login.fill("input[name=username]", "sub-4223-SWA")  # the provider's own login page
        await login.fill(
            "textarea[name=claims]",
            json.dumps({"preferred_username": "4223-SWA", "kommunenummer": "4223", "roller": ["SAKSBEHANDLER"]}),
        )
        await login.click("[type=submit]")
        await expect(boks.locator("h6", has_text="Authorized")).to_be_visible()
        await page.locator(".auth-btn-wrapper button.btn-done").first.click()

        operasjon = page.locator("#operations-kodeverk-list_kategorier")
        await operasjon.locator(".opblock-summary").click()
        await operasjon.locator("button.try-out__btn").click()
        async with page.expect_response(lambda r: r.url.endswith("/api/v1/kodeverk/kategorier")) as svar:
            await operasjon.locator("button.execute").click()
        r = await svar.value
        assert r.status == 200 and (await r.request.all_headers())["authorization"].startswith("Bearer ey")
        await expect(operasjon.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
        await skjermbilde(page, "swagger-ui-autorisert")
    assert utenfor == [], utenfor
