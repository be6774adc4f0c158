"""The browser-test helpers can fail: axe-core finds real violations, page errors are caught, screenshots have the
widths they claim. A small page of the test's own, served like the services' pages are."""

from __future__ import annotations

import struct

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

from tests.support.browser import serve, sjekk_uu, skjermbilde

GOD = (
    """<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Eksempel</title></head>
<body><main><h1>Eksempel</h1><label>Navn <input name="navn"></label><a id="fil" href="/fil">Last ned</a>
<div style="overflow-x:auto"><table><tr><th>Bred tabell</th><td style="min-width:900px">i en boks som ruller</td></tr>
</table></div><p id="lang">"""
    + "Lang tekst. " * 300
    + "</p></main></body></html>"
)
DARLIG = """<!doctype html><html><head><title>Dårlig</title></head>
<body><main><h1>Dårlig</h1><input id="uten-etikett"><p style="color:#bbb">Lys grå tekst</p>
<div id="bred" style="width:600px">For bred for en telefon</div>
<h2 id="ord">Introduksjonsprogramavslutningsregistreringsskjermbilde</h2></main></body></html>"""

app = FastAPI()
app.get("/god")(lambda: HTMLResponse(GOD, headers={"Content-Security-Policy": "script-src 'self'"}))
app.get("/darlig")(lambda: HTMLResponse(DARLIG))
app.get("/feil")(lambda: HTMLResponse(GOD.replace("</main>", '<img src="/mangler.png" alt="mangler"></main>')))
app.get("/avvist")(lambda: HTMLResponse(GOD, status_code=400))
app.get("/krasj")(lambda: HTMLResponse("<!doctype html><title>Feil</title>", status_code=500))
app.get("/fil")(
    lambda: Response("a;b\n", media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="fil.csv"'})
)


@pytest.fixture
async def url():
    async with serve(app) as base:
        yield base


async def test_a_good_page_passes_even_under_a_strict_content_security_policy_and_with_a_wide_table_in_a_box(page, url):
    await page.goto(f"{url}/god")
    assert [b["id"] for b in await sjekk_uu(page)] == []


async def test_a_bad_page_fails_with_every_serious_violation_its_rule_width_and_element(page, url):
    await page.goto(f"{url}/darlig")
    with pytest.raises(pytest.fail.Exception) as feil:
        await sjekk_uu(page)
    melding = str(feil.value)
    for ventet in (
        "html-has-lang (serious) at 1400 px",
        "label (critical) at 360 px",
        "#uten-etikett",
        "color-contrast (serious)",
        "reflow (serious) at 360 px",
        "div#bred «For bred for en telefon» to 608 px",
        "h2#ord «Introduksjonsprogramavslutningsregist",
    ):
        assert ventet in melding, melding


async def test_page_errors_are_recorded_but_an_asked_for_4xx_page_and_a_download_are_not(page, sidefeil, url):
    await page.goto(f"{url}/avvist")
    async with page.expect_download() as nedlasting:
        await page.goto(f"{url}/god")
        await page.click("#fil")
    assert (await (await nedlasting.value).path()).read_text() == "a;b\n"
    assert sidefeil == []

    await page.goto(f"{url}/feil")
    await page.evaluate("console.error('noe gikk galt')")
    async with page.expect_event("pageerror"):
        await page.evaluate("setTimeout(() => { throw new Error('ukjent feil') })")
    await page.goto(f"{url}/krasj")
    assert f"HTTP 404 for GET {url}/mangler.png" in sidefeil
    assert "console error: noe gikk galt" in sidefeil
    assert any("uncaught exception" in f and "ukjent feil" in f for f in sidefeil), sidefeil
    assert f"HTTP 500 for GET {url}/krasj" in sidefeil
    sidefeil.clear()  # provoked on purpose: the fixture would fail the test at teardown otherwise


def png_bredde(fil) -> int:
    data = fil.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]  # IHDR width


async def test_screenshots_at_1400_and_360_px_full_page_and_names_are_not_reused(page, url):
    await page.goto(f"{url}/god")
    filer = await skjermbilde(page, "stotte-eksempel")
    assert [f.name for f in filer] == ["stotte-eksempel-1400.png", "stotte-eksempel-360.png"]
    assert [png_bredde(f) for f in filer] == [1400, 360]
    assert struct.unpack(">I", filer[1].read_bytes()[20:24])[0] > 900  # the whole long page, not the viewport
    assert page.viewport_size == {"width": 1400, "height": 900}
    with pytest.raises(AssertionError, match="taken already"):
        await skjermbilde(page, "stotte-eksempel")
