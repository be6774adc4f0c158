"""Browser tests: Debian's chromium driven by Playwright for Python, axe-core from npm, screenshots for people.

Playwright never downloads a browser here: it launches Debian's `/usr/bin/chromium` (`make browser`, which
`make test` runs) through `executable_path`. axe-core comes from node_modules (package-lock.json, `make setup`).
tests/conftest.py registers this module as a plugin, so every test directory has its fixtures:

- `browser`: one headless Chromium for the whole session.
- `page`: a fresh browser context and page per test (nb-NO, Europe/Oslo, 1400 px wide, downloads accepted).
- `sidefeil`: what went wrong in that page — console errors, uncaught exceptions, failed requests, error
  answers to a CSS, script or image. The test fails at teardown unless it is empty; a test that provokes one
  on purpose asserts on it and clears the list.

and these helpers:

- `serve(app)`: an ASGI app on a free port of 127.0.0.1 in the test's event loop, for the browser to visit.
- `skjermbilde(page, name)`: full-page PNGs at 1400 px and 360 px under test-output/screenshots/.
- `sjekk_uu(page)`: axe-core with the WCAG 2.1 A and AA rules at 1400 and 360 px; fails on any serious or critical
  violation, and on a page that scrolls sideways at 360 px (1.4.10 Reflow).
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps opening connections to Google's services, which this
# machine's closed network refuses; QUIC is disabled for the same reason. Playwright adds --headless itself.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BREDDER = (1400, 360)  # a caseworker's desktop, and the narrowest phone the pages must work on
HOYDE = 900
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ALVORLIG = ("serious", "critical")
# WCAG 2.1 1.4.10 Reflow, which axe-core cannot judge: at the narrow width the page itself must not scroll
# sideways. A wide data table may, inside a box of its own (overflow-x: auto). Returns what sticks out past the
# right edge outside such a box: the outermost box that is too wide, or the innermost element whose own content
# (a word too long) spills out of a box that fits.
UTENFOR_KANTEN = """() => {
  const bredde = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= bredde) return [];
  const boks = e => e.getBoundingClientRect();
  const rullboks = e => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX);
  const kant = e => rullboks(e) ? boks(e).right : Math.max(boks(e).right, boks(e).left + e.scrollWidth);
  const iRullboks = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (rullboks(p)) return true;
    return false;
  };
  const stikker = [...document.body.querySelectorAll('*')].filter(
    e => boks(e).width > 0 && kant(e) > bredde + 1 && !iRullboks(e));
  const ute = [];
  for (const e of stikker) {
    if (ute.some(u => u.contains(e))) continue;
    if (boks(e).right > bredde + 1 || !stikker.some(c => c !== e && e.contains(c))) ute.push(e);
  }
  return ute.map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.classList.length ? '.' + [...e.classList].join('.') : '') +
    ` «${e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)}» to ${Math.round(kant(e))} px`);
}"""

_skjermbilder: set[str] = set()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM.exists(), f"needs Debian's chromium at {CHROMIUM}: apt-get install -y chromium (make test does it)"
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        await b.close()


@pytest.fixture
def sidefeil() -> list[str]:
    return []


@pytest.fixture
async def page(browser: Browser, sidefeil: list[str]) -> AsyncIterator[Page]:
    context = await browser.new_context(
        viewport={"width": BREDDER[0], "height": HOYDE},
        locale="nb-NO",
        timezone_id="Europe/Oslo",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    lytt_etter_feil(context, sidefeil)
    yield await context.new_page()
    await context.close()
    if sidefeil:
        pytest.fail("the page had errors:\n" + "\n".join(f"- {f}" for f in sidefeil), pytrace=False)


def lytt_etter_feil(context: BrowserContext, feil: list[str]) -> None:
    """Record into `feil` what a person's browser would count as broken. A page (document) answered with 4xx is
    not: it is an answer the test asked for and asserts on (a refused search, a missing person)."""

    def console(msg) -> None:
        # «Failed to load resource: … status of 404» repeats what response() judges, and also counts a document's
        # 4xx and the browser's own /favicon.ico request, which are not the page's errors
        if msg.type == "error" and not msg.text.startswith("Failed to load resource:"):
            hvor = msg.location.get("url")
            feil.append(f"console error: {msg.text}" + (f" ({hvor})" if hvor else ""))

    def requestfailed(request) -> None:
        # a navigation that turns into a download (or is replaced by the next one) ends its document request
        # with ERR_ABORTED: that is no failure
        if request.failure == "net::ERR_ABORTED" and request.is_navigation_request():
            return
        feil.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def response(resp) -> None:
        if resp.status >= 500 or (resp.status >= 400 and resp.request.resource_type != "document"):
            feil.append(f"HTTP {resp.status} for {resp.request.method} {resp.url}")

    context.on("console", console)
    context.on("weberror", lambda e: feil.append(f"uncaught exception: {e.error}"))
    context.on("requestfailed", requestfailed)
    context.on("response", response)


@asynccontextmanager
async def serve(app) -> AsyncIterator[str]:
    """Serve the ASGI `app` on 127.0.0.1 (lifespan off: the test started the app) and yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # uvicorn takes the bound socket: no race for the port
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_config=None, access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # raises what stopped it
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def skjermbilde(page: Page, name: str) -> list[Path]:
    """Full-page screenshots of the page as it is now, at each width in BREDDER: test-output/screenshots/
    <name>-1400.png and <name>-360.png. Names are unique within a session, so no test overwrites another's."""
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name), f"screenshot name {name!r}: lower-case letters, digits and -"
    assert name not in _skjermbilder, f"screenshot name {name!r} is taken already in this session"
    _skjermbilder.add(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None  # new_page opens every context with one
    filer = []
    try:
        for bredde in BREDDER:
            await page.set_viewport_size({"width": bredde, "height": HOYDE})
            fil = SCREENSHOTS / f"{name}-{bredde}.png"
            await page.screenshot(path=fil, full_page=True, animations="disabled")
            filer.append(fil)
    finally:
        await page.set_viewport_size(viewport)
    return filer


@cache
def _axe_source() -> str:
    assert AXE.exists(), f"{AXE.relative_to(ROOT)} is missing: run make setup (npm ci from package-lock.json)"
    return AXE.read_text(encoding="utf-8")


async def sjekk_uu(page: Page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page as it is now (open a dialog first to check it too), at
    each width in BREDDER (text that overflows a narrow header onto the white page shows only at 360 px), and at
    the narrowest checks 1.4.10 Reflow (UTENFOR_KANTEN), which axe-core leaves to people.
    Fails the test on serious or critical violations; returns every violation (moderate and minor included)."""
    if not await page.evaluate("typeof window.axe === 'object'"):
        # evaluated, not added as a <script>: a page's Content-Security-Policy would block an inline script
        await page.evaluate(_axe_source())
    viewport = page.viewport_size
    assert viewport is not None  # new_page opens every context with one
    brudd, alvorlige = [], []
    try:
        for bredde in BREDDER:
            await page.set_viewport_size({"width": bredde, "height": HOYDE})
            resultat = await page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                WCAG_21_AA,
            )
            for v in resultat["violations"]:
                v["bredde"] = bredde
                brudd.append(v)
                if v["impact"] in ALVORLIG:
                    alvorlige.append(v)
            if bredde == min(BREDDER) and (ute := await page.evaluate(UTENFOR_KANTEN)):
                alvorlige.append(
                    {
                        "id": "reflow",
                        "impact": "serious",
                        "bredde": bredde,
                        "nodes": [],
                        "help": "WCAG 2.1 1.4.10: the page scrolls sideways; these reach past its edge: "
                        + "; ".join(ute),
                        "helpUrl": "https://www.w3.org/WAI/WCAG21/Understanding/reflow",
                    }
                )
    finally:
        await page.set_viewport_size(viewport)
    if alvorlige:
        pytest.fail(
            f"{len(alvorlige)} serious or critical WCAG 2.1 A/AA violations on {page.url} (axe-core "
            f"{resultat['testEngine']['version']}, and reflow):\n" + "\n".join(map(beskriv, alvorlige)),
            pytrace=False,
        )
    return brudd


def beskriv(brudd: dict) -> str:
    """One violation, readable: rule id, impact, what it means, and each element it found (CSS selector)."""
    linjer = [f"- {brudd['id']} ({brudd['impact']}) at {brudd['bredde']} px: {brudd['help']}  [{brudd['helpUrl']}]"]
    for node in brudd["nodes"]:
        hvorfor = node.get("failureSummary", "").replace("\n", " ")
        linjer.append(f"    {' '.join(map(str, node['target']))}: {hvorfor}")
    return "\n".join(linjer)
