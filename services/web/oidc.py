"""The caseworker's login at the OIDC provider, with Authlib: authorization code flow with PKCE (S256), `state`
and `nonce`, the ID token validated (signature against the provider's JWKS, iss, aud, azp, exp/iat, nonce,
at_hash), refresh, and RP-initiated logout. Configuration only (WebSettings): nothing here knows the local mock.

Client authentication at the token endpoint is private_key_jwt when a key is configured (production), else the
client is public and PKCE is what binds the code to this application."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.jose import JsonWebKey, jwt
from authlib.jose.errors import JoseError
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oidc.core import CodeIDToken

from shared.settings import WebSettings

LEEWAY_SECONDS = 30
DISCOVERY_MAX_AGE_SECONDS = 3600


class InnloggingFeilet(Exception):
    """The provider's answer or the ID token did not hold; the user is sent to log in again (never a 500)."""


@dataclass(frozen=True)
class Forespørsel:
    """A started login: the URL to send the browser to, and what the callback must see again."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    id_token: str | None
    utloper: float  # epoch seconds
    claims: dict[str, Any]  # the validated ID token's


class Leverandor:
    """One OIDC provider: its discovery document and JWKS, fetched when needed and cached."""

    def __init__(self, settings: WebSettings, http: httpx.AsyncClient) -> None:
        self.settings = settings
        self.http = http
        self._doc: dict[str, Any] | None = None
        self._doc_tid = 0.0
        self._jwks: Any = None
        self._lock = asyncio.Lock()

    async def dokument(self) -> dict[str, Any]:
        if self._doc is None or time.monotonic() - self._doc_tid > DISCOVERY_MAX_AGE_SECONDS:
            async with self._lock:
                r = await self.http.get(self.settings.web_oidc_discovery_url)
                r.raise_for_status()
                self._doc, self._doc_tid = r.json(), time.monotonic()
        return self._doc

    async def _nokler(self, fornye: bool = False) -> Any:
        if self._jwks is None or fornye:
            r = await self.http.get((await self.dokument())["jwks_uri"])
            r.raise_for_status()
            self._jwks = JsonWebKey.import_key_set(r.json())
        return self._jwks

    def _klient(self, doc: dict[str, Any]) -> AsyncOAuth2Client:
        s = self.settings
        nokkel = s.web_client_key.get_secret_value()
        if nokkel:
            klient = AsyncOAuth2Client(
                s.web_client_id,
                client_secret=nokkel,
                token_endpoint_auth_method="private_key_jwt",
                scope=s.web_scopes,
                redirect_uri=s.redirect_uri,
                code_challenge_method="S256",
                timeout=10,
            )
            klient.register_client_auth_method(
                PrivateKeyJWT(
                    doc["token_endpoint"], headers={"kid": s.web_client_kid} if s.web_client_kid else None, alg="RS256"
                )
            )
            return klient
        return AsyncOAuth2Client(
            s.web_client_id,
            token_endpoint_auth_method="none",
            scope=s.web_scopes,
            redirect_uri=s.redirect_uri,
            code_challenge_method="S256",
            timeout=10,
        )

    async def start(self) -> Forespørsel:
        doc = await self.dokument()
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        async with self._klient(doc) as klient:
            url, _ = klient.create_authorization_url(
                doc["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
            )
        return Forespørsel(url, state, nonce, verifier)

    async def fullfor(self, *, code: str, code_verifier: str, nonce: str) -> Tokens:
        """The code (with the PKCE verifier) for tokens; the ID token validated with the login's nonce."""
        doc = await self.dokument()
        try:
            async with self._klient(doc) as klient:
                svar = await klient.fetch_token(
                    doc["token_endpoint"], grant_type="authorization_code", code=code, code_verifier=code_verifier
                )
        except Exception as exc:
            raise InnloggingFeilet(type(exc).__name__) from exc
        if "id_token" not in svar:
            raise InnloggingFeilet("no id_token")
        claims = await self.valider_id_token(svar["id_token"], nonce=nonce, access_token=svar["access_token"])
        return self._tokens(svar, claims)

    async def forny(self, refresh_token: str, claims: dict[str, Any]) -> Tokens:
        doc = await self.dokument()
        try:
            async with self._klient(doc) as klient:
                svar = await klient.refresh_token(doc["token_endpoint"], refresh_token=refresh_token)
        except Exception as exc:
            raise InnloggingFeilet(type(exc).__name__) from exc
        if svar.get("id_token"):
            # OIDC Core 12.2: a refreshed ID token has no nonce to check, but the same sub and issuer
            nye = await self.valider_id_token(svar["id_token"], nonce=None, access_token=svar["access_token"])
            if nye.get("sub") != claims.get("sub"):
                raise InnloggingFeilet("another sub")
            claims = nye
        return self._tokens({**svar, "refresh_token": svar.get("refresh_token") or refresh_token}, claims)

    @staticmethod
    def _tokens(svar: dict[str, Any], claims: dict[str, Any]) -> Tokens:
        utloper = float(svar.get("expires_at") or time.time() + float(svar.get("expires_in", 300)))
        return Tokens(svar["access_token"], svar.get("refresh_token"), svar.get("id_token"), utloper, claims)

    async def valider_id_token(self, id_token: str, *, nonce: str | None, access_token: str) -> dict[str, Any]:
        doc = await self.dokument()
        options = {
            "iss": {"essential": True, "value": doc["issuer"]},
            "aud": {"essential": True, "value": self.settings.web_client_id},
            "sub": {"essential": True},
        }
        params = {"nonce": nonce, "client_id": self.settings.web_client_id, "access_token": access_token}
        for fornye in (False, True):  # a key the provider rotated in (new kid, or new key under the old): once more
            try:
                claims = jwt.decode(
                    id_token,
                    await self._nokler(fornye),
                    claims_cls=CodeIDToken,
                    claims_options=options,
                    claims_params=params,
                )
                break
            except (JoseError, ValueError) as exc:
                if fornye:
                    raise InnloggingFeilet(f"id_token: {type(exc).__name__}") from exc
        if claims.header.get("alg") not in ("RS256", "ES256"):
            raise InnloggingFeilet("id_token alg")
        try:
            claims.validate(leeway=LEEWAY_SECONDS)
        except JoseError as exc:
            raise InnloggingFeilet(f"id_token: {exc.error}") from exc
        if nonce is not None and claims.get("nonce") != nonce:  # CodeIDToken checks it too; the login rests on it
            raise InnloggingFeilet("id_token nonce")
        return dict(claims)

    async def utlogging_url(self, id_token: str | None, etter: str) -> str | None:
        """The provider's end_session_endpoint (RP-initiated logout), if it has one."""
        try:
            endepunkt = (await self.dokument()).get("end_session_endpoint")
        except httpx.HTTPError:
            return None
        if not endepunkt:
            return None
        query = {"post_logout_redirect_uri": etter, "client_id": self.settings.web_client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endepunkt}{'&' if '?' in endepunkt else '?'}{urlencode(query)}"
