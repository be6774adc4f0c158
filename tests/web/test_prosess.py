"""The web application runs as its own process (python -m services.web): it starts, applies its migrations,
reports ready, serves Designsystemet from node_modules, and stops gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import httpx
import pytest

from services.web.app import create_app
from shared.settings import WebSettings
from tests.integration.test_services_start import ROOT, free_port, wait_ready
from tests.support.browser import serve

pytestmark = pytest.mark.integration


async def test_web_starter_og_stopper_paa_sigterm(database_url, identity_provider):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HTTP_PORT": str(port),
        "WEB_OIDC_DISCOVERY_URL": identity_provider.discovery_url(),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.web",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        checks = await wait_ready(port, proc)
        assert checks["postgres"] is True
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as c:
            for sti in ("/designsystemet/css/index.css", "/designsystemet/theme/digdir.css", "/static/nir.css"):
                r = await c.get(sti)
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/css"), sti
            r = await c.get("/personer")  # not logged in: to the login
            assert r.status_code == 303 and r.headers["location"] == "/innlogging"
            r = await c.get("/innlogging")
            assert r.status_code == 303 and r.headers["location"].startswith(identity_provider.issuer() + "/authorize?")
            cookie = r.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, output.decode()[-3000:]
    messages = [json.loads(line)["msg"] for line in output.decode().splitlines() if line.startswith("{")]
    assert "service ready" in messages and messages.index("service stopping") < messages.index("service stopped")


async def test_utilgjengelig_identitetsleverandor_gir_en_norsk_503_side(database_url):
    app = create_app(WebSettings(database_url=database_url, web_oidc_discovery_url=f"http://127.0.0.1:{free_port()}/x"))
    async with serve(app) as url, app.router.lifespan_context(app), httpx.AsyncClient() as c:
        r = await c.get(f"{url}/innlogging")
    assert r.status_code == 503 and "NIR svarer ikke akkurat nå" in r.text
