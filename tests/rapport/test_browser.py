"""The web page in headless Chromium (Debian's package), driven over the DevTools protocol: log in with a
development token, filter, page, download the CSV for the filter, open a person's history (DOMAIN.md §7)."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
from datetime import date

import pytest
import uvicorn

from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from tests.rapport import builders as b
from tests.rapport.cdp import Browser, chromium_binary
from tests.rapport.test_projection import project_all

pytestmark = [pytest.mark.integration]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def served(rapport_app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(rapport_app, host="127.0.0.1", port=port, lifespan="off",
                                           log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def bodo(rapport_app):
    """Bodø (1804): 30 persons «Nettlesen NN», the last regelmotor's."""
    personer = b.kommunens_avsluttede("1804", 30, "Søren", "Nettlesen", regelmotorens=29,
                                      regelmotorens_dato=date(2023, 2, 1), arsak=Kode.FAGSKOLE, bruker="1804-NET")
    await project_all(rapport_app.state.runtime.pool, [e for _, events in personer for e in events])
    return [did for did, _ in personer]


async def test_caseworker_filters_pages_downloads_and_opens_history(served, bodo, token, tmp_path):
    # `make test` installs Debian's chromium; without it this test fails rather than skips.
    assert chromium_binary() is not None, "needs Debian's chromium: apt-get install -y chromium (make test does it)"
    browser = await Browser.start(tmp_path / "profile")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    try:
        await browser.browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
        page = browser.page
        await browser.goto(f"{served}/rapport/integreringsloven")
        assert "/rapport/logg-inn" in await page.eval("location.href")
        await page.eval(f"document.querySelector('#token').value = {token('1804', user='1804-NET')!r}")
        await browser.click_and_wait("#logg-inn")
        assert await page.eval("document.querySelector('h1').textContent") == (
            "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven")

        # a name search is posted: neither the address bar nor any link or form address holds the name
        await page.eval("document.querySelector('#navn').value = 'nettlesen'")
        await browser.click_and_wait("#filtrer")
        assert (await page.eval("document.querySelector('#linjer').textContent")).startswith("Viser 1 - 25 av 30 linjer")
        assert await page.eval("document.querySelectorAll('#rapport tbody tr').length") == 25
        adresser = "[location.href, ...[...document.querySelectorAll('a[href], form[action]')].map(e => e.href || e.action)]"
        assert not [u for u in await page.eval(adresser) if "nettlesen" in u.lower() or "1804000000" in u]
        await browser.click_and_wait("#neste")
        assert (await page.eval("document.querySelector('#linjer').textContent")).startswith("Viser 26 - 30 av 30 linjer")
        assert await page.eval("location.href") == f"{served}/rapport/integreringsloven"

        await page.eval("document.querySelector('#csv').click()")
        for _ in range(100):
            files = [p for p in downloads.iterdir() if p.suffix == ".csv"]
            if files:
                break
            await asyncio.sleep(0.1)
        assert files, "no CSV was downloaded"
        rows = list(csv.reader(io.StringIO(files[0].read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
        assert rows[0][:3] == ["DUF-nummer", "Fornavn", "Etternavn"] and len(rows) == 31
        assert {r[1] for r in rows[1:]} == {"Søren"}

        await page.eval("document.querySelector('#registrert_av').value = 'regelmotor'")
        await browser.click_and_wait("#filtrer")
        assert (await page.eval("document.querySelector('#linjer').textContent")).startswith("Viser 1 - 1 av 1 linjer")
        await browser.click_and_wait("a.historikk")
        assert await page.eval("document.querySelector('h1').textContent") == "All avslutningshistorikk"
        cells = await page.eval("[...document.querySelectorAll('#historikk tbody td')].map(td => td.textContent)")
        assert cells[1] == "Avslutningsårsak ikke registrert" and cells[4] == "Regelmotor"
    finally:
        await browser.stop()
