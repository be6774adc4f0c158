"""services/web/oidc.py against the real provider, without a browser: the authorization request it builds (PKCE
S256, state, nonce), the login page's answer, the code exchanged with private_key_jwt client authentication (as
production) and the ID token validated; another nonce, or another verifier, is refused."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.web.oidc import InnloggingFeilet, Leverandor
from shared.settings import WebSettings
from tests.web.conftest import claims

pytestmark = [pytest.mark.integration]
REDIRECT = "http://127.0.0.1:1/innlogging/callback"  # never visited: the code is read from the redirect


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
async def leverandor(identity_provider):
    settings = WebSettings(
        web_oidc_discovery_url=identity_provider.discovery_url(),
        public_url="http://127.0.0.1:1",
        web_client_key=_pem(),
        web_client_kid="nir-web-test",
    )
    async with httpx.AsyncClient(timeout=10) as http:
        yield Leverandor(settings, http)


async def _kode(url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] and query["nonce"]
    async with httpx.AsyncClient(timeout=10) as http:
        side = await http.get(url)
        svar = await http.post(side.url, data={"username": "sub-4223-CES", "claims": json.dumps(claims())})
    assert svar.status_code == 302
    tilbake = urlsplit(svar.headers["location"])
    assert f"{tilbake.scheme}://{tilbake.netloc}{tilbake.path}" == REDIRECT
    svar_q = parse_qs(tilbake.query)
    assert svar_q["state"] == parse_qs(urlsplit(url).query)["state"]
    return svar_q["code"][0]


async def test_innlogging_med_private_key_jwt(leverandor):
    f = await leverandor.start()
    t = await leverandor.fullfor(code=await _kode(f.url), code_verifier=f.code_verifier, nonce=f.nonce)
    assert t.claims["preferred_username"] == "4223-CES" and t.claims["roller"] == ["SAKSBEHANDLER"]
    assert t.claims["nonce"] == f.nonce and t.access_token and t.id_token


async def test_annen_nonce_eller_verifier_nektes(leverandor):
    f = await leverandor.start()
    with pytest.raises(InnloggingFeilet):
        await leverandor.fullfor(code=await _kode(f.url), code_verifier=f.code_verifier, nonce="en-annen")
    f = await leverandor.start()
    with pytest.raises(InnloggingFeilet):
        await leverandor.fullfor(code=await _kode(f.url), code_verifier="x" * 50, nonce=f.nonce)
