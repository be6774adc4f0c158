"""Maskinporten access tokens for the Folkeregister API (OAuth2 JWT bearer grant, RFC 7523).

The adapter signs a short grant (RS256, header `kid` = the key registered with Maskinporten; `aud` = Maskinporten's
issuer identifier, `iss` = our client id, `scope`, `iat`, `exp` ≤ 120 s later, a fresh `jti`), exchanges it at
the token endpoint, and reuses the access token until shortly before it expires. Two requests needing a token at
the same time make one exchange (a lock). A 401 from the API means the token is no longer good (revoked, rotated):
`MaskinportenAuth` fetches a new one once and sends the request once more.

Neither the grant nor the token is ever logged or put in an error message: errors carry the HTTP status and
Maskinporten's `error`/`error_description` only. Not done: an x5c virksomhetssertifikat chain instead of `kid`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.folkeregister_adapter.folkeregisterkilde import Kildefeil

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_LEVETID = 120  # seconds; Maskinporten refuses a grant whose exp is more than 120 s after iat
MARGIN_MAKS = 60.0  # renew this long before expiry at most (10 % of the lifetime for short-lived tokens)


class Maskinportenfeil(Kildefeil):
    """The token endpoint refused or could not be reached: a source failure (backoff), counted as «maskinporten»."""

    etikett = "maskinporten"


@dataclass(frozen=True)
class Klientoppsett:
    token_url: str
    audience: str  # Maskinporten's issuer identifier, e.g. https://maskinporten.no/
    client_id: str
    scope: str  # space-separated
    privat_nokkel_pem: str
    kid: str


@dataclass(frozen=True)
class _Token:
    verdi: str
    forny_etter: float


class Maskinporten:
    def __init__(
        self,
        oppsett: Klientoppsett,
        *,
        klokke: Callable[[], float] = time.time,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        try:
            nokkel = serialization.load_pem_private_key(oppsett.privat_nokkel_pem.encode(), password=None)
        except (ValueError, TypeError):
            raise ValueError("MASKINPORTEN_KEY er ikke en PEM-kodet privat nøkkel uten passord") from None
        if not isinstance(nokkel, rsa.RSAPrivateKey):
            raise ValueError("MASKINPORTEN_KEY må være en RSA-nøkkel (Maskinporten tar RS256/RS384/RS512)")
        self._oppsett = oppsett
        self._nokkel = nokkel
        self._klokke = klokke
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._lock = asyncio.Lock()
        self._token: _Token | None = None
        self.utvekslinger = 0  # token exchanges made (tests, and a hint when reading a heap dump)

    def lag_grant(self) -> str:
        o = self._oppsett
        iat = int(self._klokke())
        claims = {
            "aud": o.audience,
            "iss": o.client_id,
            "scope": o.scope,
            "iat": iat,
            "exp": iat + GRANT_LEVETID,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self._nokkel, algorithm="RS256", headers={"kid": o.kid})

    def _gyldig(self) -> str | None:
        t = self._token
        return t.verdi if t is not None and self._klokke() < t.forny_etter else None

    async def token(self) -> str:
        if (t := self._gyldig()) is not None:
            return t
        async with self._lock:
            if (t := self._gyldig()) is not None:  # another request fetched it while this one waited
                return t
            return await self._utveksle()

    async def forny(self, avvist: str) -> str:
        """The API refused `avvist`: a new token, unless another request has already replaced it."""
        async with self._lock:
            if self._token is not None and self._token.verdi != avvist and (t := self._gyldig()) is not None:
                return t
            self._token = None
            return await self._utveksle()

    async def _utveksle(self) -> str:
        self.utvekslinger += 1
        try:
            r = await self._http.post(
                self._oppsett.token_url,
                data={"grant_type": GRANT_TYPE, "assertion": self.lag_grant()},
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise Maskinportenfeil(None, f"Maskinporten kunne ikke nås ({type(exc).__name__})") from None
        try:
            body = r.json()
        except ValueError:
            body = None
        if r.status_code != 200:
            if isinstance(body, dict) and body.get("error"):
                beskrivelse = str(body.get("error_description", ""))[:300]
                raise Maskinportenfeil(r.status_code, f"Maskinporten: {body['error']}: {beskrivelse}")
            raise Maskinportenfeil(r.status_code, f"Maskinporten: {r.reason_phrase}")
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise Maskinportenfeil(r.status_code, "Maskinporten: svaret mangler access_token")
        if str(body.get("token_type", "Bearer")).lower() != "bearer":
            raise Maskinportenfeil(r.status_code, f"Maskinporten: token_type {body.get('token_type')!r}")
        try:
            levetid = float(body.get("expires_in", 0))
        except (TypeError, ValueError):
            levetid = 0.0
        # Renew a little before expiry, so a request does not leave with a token that dies on the way.
        self._token = _Token(body["access_token"], self._klokke() + levetid - min(MARGIN_MAKS, levetid * 0.1))
        return self._token.verdi

    async def close(self) -> None:
        await self._http.aclose()


class MaskinportenAuth(httpx.Auth):
    """Bearer token on every request; on a 401 one new token and one retry (then the 401 stands)."""

    def __init__(self, maskinporten: Maskinporten) -> None:
        self.maskinporten = maskinporten

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.maskinporten.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            token = await self.maskinporten.forny(token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def sync_auth_flow(self, request: httpx.Request):  # type: ignore[override]
        raise RuntimeError("MaskinportenAuth is async only")
