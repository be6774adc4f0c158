"""Real identity (issue #14 §3): the attacks that must get 401, the valid tokens without authority that get 403,
and a key rotation at the provider while the service runs — against the registrering service in-process and an
identity provider of the test's own (tests/support/private_idp.py), which it restarts: with new signing keys, and with
a clock in the past or the future so that the provider itself issues expired and not-yet-valid tokens.

Each attack is sent twice: as a GET, and as a POST whose body is invalid — authentication comes first, so both
are 401, never 422."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from prometheus_client import REGISTRY

from services.registrering.app import create_app
from shared.settings import RegistreringSettings
from tests.support.identity import IdentityProvider
from tests.support.naming import run_id
from tests.support.private_idp import PrivateIdentityProvider

pytestmark = pytest.mark.integration

LES = "/api/v1/kodeverk/kategorier"
SKRIV = "/api/v1/deltakere"


@dataclass
class Oppsett:
    idp: PrivateIdentityProvider
    tokens: IdentityProvider
    client: httpx.AsyncClient
    service: str = "registrering"


@pytest.fixture(scope="module")
async def eget(kafka_bootstrap, database_url, tmp_path_factory) -> AsyncIterator[Oppsett]:
    idp = PrivateIdentityProvider(tmp_path_factory.mktemp("idp"))
    idp.start()
    tokens = IdentityProvider(idp.base_url, "private")
    run = run_id()
    settings = RegistreringSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        topic_prefix=f"test-idt-{run}.",
        consumer_group=f"test-idt-{run}",
        jwks_min_refresh_seconds=1,
        **tokens.service_settings(),
    )
    app = create_app(settings)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registrering") as c,
        ):
            yield Oppsett(idp, tokens, c)
    finally:
        idp.stop()


def hentinger(grunn: str, utsteder: str = "saksbehandler") -> float:
    return (
        REGISTRY.get_sample_value(
            "nir_jwks_fetches_total", {"service": "registrering", "issuer": utsteder, "reason": grunn}
        )
        or 0.0
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def med_header(token: str, header: dict, signatur: bytes | None = None, nokkel: str | bytes | None = None) -> str:
    """The token's payload under another header, signed with HMAC-SHA256 over `nokkel`, or with `signatur`."""
    _, payload, _ = token.split(".")
    signert = f"{b64(json.dumps(header).encode())}.{payload}"
    if nokkel is not None:
        signatur = hmac.new(
            nokkel if isinstance(nokkel, bytes) else nokkel.encode(), signert.encode(), hashlib.sha256
        ).digest()
    return f"{signert}.{b64(signatur or b'')}"


def annen_nokkel(token: str, kid: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    angriper = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, angriper, algorithm="RS256", headers={"kid": kid})


async def svar(o: Oppsett, token: str | None, *, skriv: bool = False) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if skriv:
        return await o.client.post(SKRIV, headers=headers, json={"duf_nummer": 42})  # invalid: 422 if authenticated
    return await o.client.get(LES, headers=headers)


async def krev_401(o: Oppsett, token: str | None, grunn: str) -> None:
    for skriv in (False, True):
        r = await svar(o, token, skriv=skriv)
        assert r.status_code == 401, (grunn, skriv, r.status_code, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer"), grunn


async def test_the_attacks_get_401_before_anything_else(eget, identity_provider):
    o = eget
    cw = o.tokens.caseworker("4223-CES", "4223")
    system = o.tokens.system("4223")
    assert (await svar(o, cw)).status_code == 200 and (await svar(o, system)).status_code == 200
    assert (await svar(o, cw, skriv=True)).status_code == 422  # authenticated: then the body is validated

    jwks = httpx.get(f"{o.idp.base_url}/nir/jwks").json()["keys"][0]
    public_pem = jwt.PyJWK(jwks).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header, payload, signature = cw.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = b64(json.dumps({**claims, "kommunenummer": "0301"}).encode())

    angrep = {
        "no token": None,
        "garbage": "tull",
        "three dots of garbage": "a.b.c",
        "forged payload (another kommune)": f"{header}.{forged}.{signature}",
        "alg none": med_header(cw, {"alg": "none", "kid": "nir", "typ": "JWT"}),
        "alg none, no kid": med_header(cw, {"alg": "none", "typ": "JWT"}),
        "HS256 signed with the provider's public key": med_header(
            cw, {"alg": "HS256", "kid": "nir", "typ": "JWT"}, nokkel=public_pem
        ),
        "signed by another key under the provider's kid": annen_nokkel(cw, "nir"),
        "wrong issuer (another provider's caseworker token)": identity_provider.caseworker("4223-CES", "4223"),
        "wrong issuer (another provider's system token)": identity_provider.system("4223"),
        "wrong audience (no resource: aud unspecified)": o.tokens.system("4223", resource=None),
        "wrong audience (another API)": o.tokens.system("4223", resource="api://et-annet-api"),
        "missing scope": o.tokens.system("4223", scope="imdi:et.annet.scope"),
        "token for another client": o.tokens.caseworker("4223-CES", "4223", client_id="en-annen-app"),
    }
    for grunn, token in angrep.items():
        await krev_401(o, token, grunn)

    # an unknown kid makes the service fetch the JWKS once more (bounded: at most once a second here), and the
    # token is still refused
    await asyncio.sleep(1.1)
    for_ = hentinger("unknown_kid")
    await krev_401(o, annen_nokkel(cw, "angriperens-nokkel"), "unknown kid after refresh")
    assert hentinger("unknown_kid") == for_ + 1
    await krev_401(o, annen_nokkel(cw, "en-til"), "unknown kid, within the refresh bound")
    assert hentinger("unknown_kid") == for_ + 1  # no second fetch within jwks_min_refresh_seconds
    print(f"\n[identitet] attacks tried: {len(angrep) + 2} kinds, each as a GET and an invalid POST")


@pytest.mark.parametrize(
    "hvem,claims,melding",
    [
        ("no valid role", dict(kommune="4223", rolle="ANNET"), "ingen gyldig rolle"),
        ("kommune user without kommunenummer", dict(kommune=None), "kommunenummer"),
        ("unknown kommunenummer", dict(kommune="9999"), "kommunenummer"),
        ("bydel outside the kommune", dict(kommune="4223", bydel="030102"), "bydelsnummer"),
        ("IMDi with a kommune", dict(kommune="4223", rolle="IMDI"), "IMDi"),
    ],
)
async def test_a_valid_token_without_authority_is_403(eget, hvem, claims, melding):
    token = eget.tokens.caseworker(f"4223-{hvem[:3].upper().replace(' ', 'X')}", **claims)
    for skriv in (False, True):
        r = await svar(eget, token, skriv=skriv)
        assert r.status_code == 403 and r.json()["detail"].startswith("ingen tilgang i NIR") and melding in r.text, (
            hvem,
            r.text,
        )


async def test_an_organisation_that_is_no_kommune_is_403_and_a_read_only_client_may_not_write(eget):
    r = await svar(eget, eget.tokens.system(orgnr="974760673"))  # a valid orgnr, not in the org→kommune table
    assert r.status_code == 403 and "organisasjonen er ikke en kommune" in r.text
    les = eget.tokens.system("4223", skrive=False)
    assert (await svar(eget, les)).status_code == 200
    r = await svar(eget, les, skriv=True)
    assert r.status_code == 403 and 'error="insufficient_scope"' in r.headers["www-authenticate"]


async def test_expired_and_not_yet_valid_tokens_from_the_provider_itself_are_401(eget):
    """The provider restarted with its clock two hours back, then two hours ahead (beyond the 30 s leeway):
    the tokens it issues are expired, then not yet valid — each signed by its current key."""
    o = eget
    naa = datetime.now(UTC)
    try:
        for forskyvning, grunn in ((timedelta(hours=-2), "utløpt"), (timedelta(hours=2), "ikke gyldig ennå")):
            o.idp.restart(o.idp.config(system_time=(naa + forskyvning).isoformat().replace("+00:00", "Z")))
            o.tokens._tokens.clear()
            for token in (o.tokens.caseworker("4223-TID", "4223"), o.tokens.system("4223")):
                r = await svar(o, token)
                assert r.status_code == 401 and grunn in r.text, (grunn, r.text)
    finally:
        o.idp.restart()
        o.tokens._tokens.clear()
    assert (await svar(o, o.tokens.caseworker("4223-TID", "4223"))).status_code == 200


async def test_key_rotation_at_the_provider_while_requests_keep_coming(eget):
    """The provider restarts with new signing keys (the same issuers; the mock keeps each issuer's kid) while a
    client keeps calling the running service with the tokens the provider gives it: every request the provider
    could issue a token for succeeds, before, during and after — the service fetches the new JWKS when the
    cached key no longer verifies, with no restart of its own."""
    o = eget
    stopp = asyncio.Event()
    utfall: list[tuple[str, int]] = []
    for_ = hentinger("signature"), hentinger("signature", "system")

    async def klient() -> None:
        while not stopp.is_set():
            try:
                tokens = [
                    await asyncio.to_thread(o.tokens.caseworker, "4223-ROT", "4223"),
                    await asyncio.to_thread(o.tokens.system, "4223"),
                ]
            except Exception:  # noqa: BLE001 - the provider is restarting: no new token now
                tokens = [t for t, _ in o.tokens._tokens.values()]
            for token in tokens:
                utfall.append(("token", (await svar(o, token)).status_code))
            await asyncio.sleep(0.2)

    oppgave = asyncio.create_task(klient())
    await asyncio.sleep(1.5)
    gamle = {t for t, _ in o.tokens._tokens.values()}
    await asyncio.to_thread(o.idp.restart)
    o.tokens._tokens.clear()  # the client now gets tokens signed by the new keys
    await asyncio.sleep(3)
    stopp.set()
    await oppgave
    nye = {t for t, _ in o.tokens._tokens.values()}
    assert gamle and nye and not gamle & nye
    statuser = [s for _, s in utfall]
    assert len(statuser) > 20 and set(statuser) == {200}, statuser
    assert hentinger("signature") > for_[0] and hentinger("signature", "system") > for_[1]
    print(f"\n[identitet] key rotation: {len(statuser)} requests through a provider restart, all 200")
