"""Tokens from the real identity provider (NAV's mock-oauth2-server, configured by deploy/local/idp.json), fetched
over HTTP the way a fagsystem and the caseworkers' web application get them; tests/support/infrastructure.py says where
the provider comes from.

Two issuers, as in production (where they are ID-porten or a kommune's Entra ID, and Maskinporten):

- `{base}/nir`, caseworkers: `caseworker_tokens()` runs the authorization code flow with PKCE, state and nonce
  through the provider's own login page (GET /nir/authorize → POST the page's form with `username` = the
  subject and `claims` = JSON → 302 to redirect_uri with code and state → POST /nir/token with the code and the
  code_verifier). ID and access token: sub, the claims typed on the page, aud [client_id, API_AUDIENCE],
  azp client_id, nonce; 3600 s.
- `{base}/maskinporten`, systems: `system_token()` is a client_credentials request with `scope`, `resource`
  (→ aud) and `consumer_org` (→ consumer {"authority": "iso6523-actorid-upis", "ID": "0192:<orgnr>"}: in
  Maskinporten the organisation is the one the client is registered to or acts for; the mock takes it from
  this parameter). No sub, like Maskinporten's tokens; 120 s, so fetch one when you need it.

Both authenticate the client with private_key_jwt (client_assertion), the method production uses. The mock
parses the assertion but does not verify it: client authentication is not what these tokens prove.

For the services' tests: `service_settings()` points a service's IdentitySettings at this provider;
`caseworker(...)` and `system(...)` give access tokens for the identity contract's callers (a caseworker with
roller/kommunenummer/bydelsnummer; a kommune's fagsystem by its orgnr from deploy/local/kommune-orgnr.csv),
remembered until shortly before they expire.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CASEWORKER_ISSUER = "nir"
SYSTEM_ISSUER = "maskinporten"
# The audience every NIR API token carries (idp.json puts it in caseworkers' tokens; systems ask for it as
# `resource`, which RFC 8707 wants to be an absolute URI).
API_AUDIENCE = "api://nir-avslutning"
WEB_CLIENT_ID = "nir-web"
WEB_REDIRECT_URI = "http://127.0.0.1:8084/innlogging/callback"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCOPE_LES = "imdi:nir.avslutning.les"
SCOPE_SKRIV = "imdi:nir.avslutning.skriv"
SCOPE_OPPHOLD = "imdi:nir.avslutning.opphold"  # IMDi's bosetting system (services/plumbing/auth.py)
IMDI_ORGNR = "999999999"  # shared/settings.py IdentitySettings.imdi_orgnr, the local value
KOMMUNE_ORGNR_FILE = Path(__file__).resolve().parents[2] / "deploy" / "local" / "kommune-orgnr.csv"


def orgnr_for(kommunenummer: str) -> str:
    """The kommune's orgnr in the development org→kommune table."""
    with KOMMUNE_ORGNR_FILE.open(encoding="utf-8") as f:
        for rad in csv.DictReader(f):
            if rad["kommunenummer"] == kommunenummer:
                return rad["orgnr"]
    raise KeyError(f"{kommunenummer} is not in {KOMMUNE_ORGNR_FILE}")


class IdentityProviderError(RuntimeError):
    pass


@dataclass(frozen=True)
class Login:
    code: str
    code_verifier: str
    nonce: str
    client_id: str
    redirect_uri: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    refresh_token: str | None
    expires_in: int


@dataclass
class IdentityProvider:
    base_url: str
    source: str
    # the issuer caseworkers log in at (the mock serves any issuer id; a test may play a kommune's own tenant)
    caseworker_issuer: str = CASEWORKER_ISSUER
    _client_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), repr=False
    )
    _discovery: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _tokens: dict[tuple, tuple[str, float]] = field(default_factory=dict, repr=False)

    def issuer(self, issuer_id: str = CASEWORKER_ISSUER) -> str:
        return f"{self.base_url}/{issuer_id}"

    def discovery_url(self, issuer_id: str = CASEWORKER_ISSUER) -> str:
        return f"{self.issuer(issuer_id)}/.well-known/openid-configuration"

    def discovery(self, issuer_id: str = CASEWORKER_ISSUER) -> dict[str, Any]:
        if issuer_id not in self._discovery:
            self._discovery[issuer_id] = self._get_json(self.discovery_url(issuer_id))
        return self._discovery[issuer_id]

    def jwks(self, issuer_id: str = CASEWORKER_ISSUER) -> dict[str, Any]:
        return self._get_json(self.discovery(issuer_id)["jwks_uri"])

    # -- systems ---------------------------------------------------------------------------------------------
    def system_token(
        self, *, consumer_orgnr: str, scope: str, client_id: str = "fagsystem-test", resource: str | None = API_AUDIENCE
    ) -> str:
        """A Maskinporten-shaped access token for a fagsystem acting for organisation `consumer_orgnr`
        (resource=None: no audience-restricted token, so aud is «unspecified»)."""
        form = {"grant_type": "client_credentials", "scope": scope, "consumer_org": consumer_orgnr}
        if resource is not None:
            form["resource"] = resource
        body = self._token_request(self.discovery(SYSTEM_ISSUER)["token_endpoint"], client_id, form)
        return body["access_token"]

    # -- caseworkers -----------------------------------------------------------------------------------------
    def caseworker_tokens(
        self,
        sub: str,
        claims: dict[str, Any],
        *,
        client_id: str = WEB_CLIENT_ID,
        redirect_uri: str = WEB_REDIRECT_URI,
        scope: str = "openid profile",
    ) -> Tokens:
        """Log `sub` in through the provider's login page with `claims` (e.g. name, kommunenummer, bydelsnummer,
        roller) and exchange the code, as the web application does."""
        return self.exchange(self.log_in(sub, claims, client_id=client_id, redirect_uri=redirect_uri, scope=scope))

    def log_in(
        self,
        sub: str,
        claims: dict[str, Any],
        *,
        client_id: str = WEB_CLIENT_ID,
        redirect_uri: str = WEB_REDIRECT_URI,
        scope: str = "openid profile",
    ) -> Login:
        """The browser's part: the authorization request and the login form; returns the code it was sent back."""
        doc = self.discovery(self.caseworker_issuer)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        with httpx.Client(timeout=10, follow_redirects=False) as http:
            page = http.get(doc["authorization_endpoint"], params=query)
            if page.status_code != 200 or 'name="username"' not in page.text:
                raise IdentityProviderError(f"no login page at {doc['authorization_endpoint']}: {page.status_code}")
            # The page's form posts to its own URL (the authorization request with its query).
            login = http.post(page.url, data={"username": sub, "claims": json.dumps(claims)})
        if login.status_code != 302:
            raise IdentityProviderError(f"login answered {login.status_code}, not a redirect: {login.text[:300]}")
        location = urlsplit(login.headers["location"])
        if f"{location.scheme}://{location.netloc}{location.path}" != redirect_uri:
            raise IdentityProviderError(f"login redirected to {login.headers['location']}, not {redirect_uri}")
        answer = parse_qs(location.query)
        if answer.get("state") != [state]:
            raise IdentityProviderError("login redirect carries another state")
        return Login(answer["code"][0], verifier, nonce, client_id, redirect_uri)

    def exchange(self, login: Login, *, code_verifier: str | None = None) -> Tokens:
        """The web application's part: the code (and PKCE verifier) for tokens at the token endpoint."""
        body = self._token_request(
            self.discovery(self.caseworker_issuer)["token_endpoint"],
            login.client_id,
            {
                "grant_type": "authorization_code",
                "code": login.code,
                "redirect_uri": login.redirect_uri,
                "code_verifier": code_verifier or login.code_verifier,
            },
        )
        if jwt.decode(body["id_token"], options={"verify_signature": False}).get("nonce") != login.nonce:
            raise IdentityProviderError("the ID token carries another nonce")
        return Tokens(body["access_token"], body["id_token"], body.get("refresh_token"), int(body["expires_in"]))

    # -- for the services' tests -----------------------------------------------------------------------------
    def service_settings(self) -> dict[str, Any]:
        """IdentitySettings fields (lower case) for a service that accepts this provider's tokens."""
        return {
            "oidc_discovery_urls": self.discovery_url(CASEWORKER_ISSUER),
            "maskinporten_discovery_url": self.discovery_url(SYSTEM_ISSUER),
        }

    def service_env(self) -> dict[str, str]:
        return {k.upper(): v for k, v in self.service_settings().items()}

    def caseworker(
        self,
        ident: str = "4223-CES",
        kommune: str | None = "4223",
        *,
        rolle: str | list[str] = "SAKSBEHANDLER",
        bydel: str | None = None,
        client_id: str = WEB_CLIENT_ID,
        **claims: Any,
    ) -> str:
        """A caseworker's access token: preferred_username `ident`, roller [`rolle`], kommunenummer, bydelsnummer
        (absent when None), plus any other claims; logged in through the login page once, then remembered."""
        c: dict[str, Any] = {
            "preferred_username": ident,
            "name": f"Test {ident}",
            "roller": [rolle] if isinstance(rolle, str) else rolle,
            **claims,
        }
        if kommune is not None:
            c["kommunenummer"] = kommune
        if bydel is not None:
            c["bydelsnummer"] = bydel
        nokkel = ("caseworker", client_id, json.dumps(c, sort_keys=True))
        return self._remembered(
            nokkel, lambda: self.caseworker_tokens(f"sub-{ident}", c, client_id=client_id).access_token
        )

    def system(
        self,
        kommune: str = "4223",
        *,
        skrive: bool = True,
        scope: str | None = None,
        orgnr: str | None = None,
        resource: str | None = API_AUDIENCE,
    ) -> str:
        """A fagsystem's Maskinporten token for the kommune (its orgnr from the development table), with the
        read scope and, unless skrive=False, the write scope."""
        scope = scope if scope is not None else (f"{SCOPE_LES} {SCOPE_SKRIV}" if skrive else SCOPE_LES)
        orgnr = orgnr or orgnr_for(kommune)
        return self._remembered(
            ("system", orgnr, scope, resource),
            lambda: self.system_token(consumer_orgnr=orgnr, scope=scope, resource=resource),
        )

    def imdi_opphold(self, *, orgnr: str = IMDI_ORGNR) -> str:
        """IMDi's bosetting system's Maskinporten token: the only source of opphold facts (issue #13)."""
        return self.system("", scope=SCOPE_OPPHOLD, orgnr=orgnr)

    def _remembered(self, nokkel: tuple, hent: Any) -> str:
        hit = self._tokens.get(nokkel)
        if hit is None or hit[1] < time.time() + 30:
            token = hent()
            hit = (token, float(jwt.decode(token, options={"verify_signature": False})["exp"]))
            self._tokens[nokkel] = hit
        return hit[0]

    # -- HTTP ------------------------------------------------------------------------------------------------
    def _client_assertion(self, client_id: str, token_endpoint: str) -> str:
        now = int(time.time())
        return jwt.encode(
            {
                "iss": client_id,
                "sub": client_id,
                "aud": token_endpoint,
                "iat": now,
                "exp": now + 60,
                "jti": str(uuid.uuid4()),
            },
            self._client_key,
            algorithm="RS256",
            headers={"kid": f"{client_id}-test"},
        )

    def _token_request(self, token_endpoint: str, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        form = {
            **form,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self._client_assertion(client_id, token_endpoint),
        }
        r = httpx.post(token_endpoint, data=form, timeout=10)
        if r.status_code != 200:
            raise IdentityProviderError(f"{token_endpoint} answered {r.status_code}: {r.text[:300]}")
        return r.json()

    @staticmethod
    def _get_json(url: str) -> dict[str, Any]:
        r = httpx.get(url, timeout=10)
        if r.status_code != 200:
            raise IdentityProviderError(f"{url} answered {r.status_code}")
        return r.json()
