"""Who calls the API: bearer access tokens from the configured identity providers (the identity contract,
issue #14 §3), checked before anything else a route does.

Two issuers, both configuration (shared/settings.py IdentitySettings): the caseworkers' OIDC provider
(ID-porten or the kommune's Entra ID; locally issuer `nir` of NAV's mock-oauth2-server), whose tokens the web
application sends on the user's behalf, and Maskinporten (locally issuer `maskinporten`) for kommune fagsystem
integrations. A token is verified against its issuer's JWKS, found through the issuer's discovery document:
cached; fetched again when a token names an unknown `kid` or its key no longer verifies (a rotation), at most
once per `jwks_min_refresh_seconds`; re-read after `jwks_max_age_seconds`. `iss` exact, `aud` containing the
API's audience, `exp`/`nbf` with 30 s leeway, RS256/ES256 only (never `none`, never HMAC). PyJWT does the
signature and claim checks.

Authority (shared/tilgang.py Omfang):
- caseworker: `roller` SAKSBEHANDLER (write), LESETILGANG (read), IMDI (read everything, no `kommunenummer`);
  `kommunenummer` a known kommune, `bydelsnummer` one of its bydeler for a user limited to one Oslo bydel;
  `preferred_username` is «Registrert av»; `azp` (or `client_id`) one of `oidc_client_ids`.
- IMDi's bosetting system: `consumer.ID` «0192:<imdi_orgnr>» with scope `imdi:nir.avslutning.opphold` is the
  oppholdskilde (shared/tilgang.py Rolle.OPPHOLDSKILDE): it posts opphold facts and sees no deltaker.
- system: `consumer.ID` «0192:<orgnr>» → kommunenummer through the `kommune_orgnr_file` table; scope
  `imdi:nir.avslutning.les` reads, `imdi:nir.avslutning.skriv` writes (and reads). «Registrert av» is the
  header Nir-Saksbehandler («<kommunenummer>-<initials>», of the token's kommune, else 422) or
  «<kommunenummer>-SYSTEM».

Answers: 401 (WWW-Authenticate: Bearer error="invalid_token") for a missing, malformed, forged, expired,
not-yet-valid token, one from another issuer or for another audience or client, or a system token with none of
the API's scopes; 403 «ingen tilgang i NIR» for a valid token without authority (no valid role, no or an
unknown kommune, an organisation that is no kommune); 403 insufficient_scope for a read-only caller on a write
operation; 503 while the provider cannot be reached and its keys are not cached.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.routing import APIRoute

from services.plumbing import metrics
from services.plumbing.problem import feltfeil, problem
from shared.kodeverk import geografi
from shared.tilgang import Handling, Omfang, Rolle

log = logging.getLogger(__name__)

ALGORITHMS = ("RS256", "ES256")
LEEWAY = 30  # seconds of clock skew accepted on exp/nbf
SCOPE_LES = "imdi:nir.avslutning.les"
SCOPE_SKRIV = "imdi:nir.avslutning.skriv"
SCOPE_OPPHOLD = "imdi:nir.avslutning.opphold"  # IMDi's bosetting system reports opphold facts (issue #13 §1)
SCOPES = {Handling.LESE: SCOPE_LES, Handling.SKRIVE: SCOPE_SKRIV, Handling.OPPHOLD: SCOPE_OPPHOLD}
SAKSBEHANDLER_HEADER = "Nir-Saksbehandler"
ORGNR_AUTHORITY = "0192"  # ISO 6523 ICD of Enhetsregisteret's organisasjonsnummer
_IDENT = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")
_SAKSBEHANDLER = re.compile(r"^(\d{4})-([A-ZÆØÅ0-9]{1,12})$")
_ORGNR = re.compile(r"^\d{9}$")
_KID = re.compile(r"^[\x21-\x7e]{1,200}$")


# --- errors ---------------------------------------------------------------------------------------------------


class Uautentisert(Exception):
    """401: the request carries no valid token for this API."""


class IngenTilgang(Exception):
    """403: a valid token whose holder has no authority in NIR."""


class Utilgjengelig(Exception):
    """503: the identity provider's keys cannot be had right now."""


# --- who the caller is ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identitet:
    """What a verified token says: the caller's authority, and (caseworkers) its «Registrert av» ident."""

    omfang: Omfang
    nokkel: str  # the caller's stable identity (issuer and subject or client): the Idempotency-Key namespace
    brukerident: str | None  # None for a system: it comes with each request (Nir-Saksbehandler)

    @property
    def system(self) -> bool:
        return self.omfang.rolle is Rolle.FAGSYSTEM


@dataclass(frozen=True)
class Bruker:
    """The caller of one request."""

    brukerident: str  # «Registrert av»
    omfang: Omfang
    nokkel: str

    @property
    def kommunenummer(self) -> str | None:
        return self.omfang.kommunenummer

    @property
    def bydelsnummer(self) -> str | None:
        return self.omfang.bydelsnummer

    @property
    def imdi(self) -> bool:
        return self.omfang.nasjonal

    @property
    def system(self) -> bool:
        return self.omfang.rolle is Rolle.FAGSYSTEM


def les_kommune_orgnr(path: Path) -> dict[str, str]:
    """The org→kommune table (CSV kommunenummer,orgnr,navn): every orgnr nine digits with its mod-11 check digit,
    every kommune known to the kodeverk, no orgnr twice. A broken table stops the service at start."""
    if not path.is_file():
        raise ValueError(f"KOMMUNE_ORGNR_FILE: {path} finnes ikke")
    kommuner = geografi.kommuner()
    tabell: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for n, rad in enumerate(csv.DictReader(f), start=2):
            orgnr, knr = (rad.get("orgnr") or "").strip(), (rad.get("kommunenummer") or "").strip()
            if not _gyldig_orgnr(orgnr):
                raise ValueError(f"{path}:{n}: orgnr «{orgnr}» er ikke et organisasjonsnummer")
            if knr not in kommuner:
                raise ValueError(f"{path}:{n}: kommunenummer «{knr}» finnes ikke i kodeverket")
            if orgnr in tabell:
                raise ValueError(f"{path}:{n}: orgnr {orgnr} står to ganger")
            tabell[orgnr] = knr
    return tabell


def _gyldig_orgnr(orgnr: str) -> bool:
    if not _ORGNR.fullmatch(orgnr):
        return False
    rest = sum(int(c) * w for c, w in zip(orgnr[:8], (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    kontroll = 0 if rest == 0 else 11 - rest
    return kontroll < 10 and kontroll == int(orgnr[8])


# --- one issuer's keys ----------------------------------------------------------------------------------------


class Utsteder:
    """An issuer: its discovery document and its JWKS, cached."""

    def __init__(
        self,
        discovery_url: str,
        http: httpx.AsyncClient,
        *,
        service: str,
        navn: str,
        min_refresh: float,
        max_age: float,
        kommuner: frozenset[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.discovery_url = discovery_url
        self.navn = navn
        # A caseworker issuer's reach: these kommuner only, or None for a national one (any kommune, and IMDi).
        self.kommuner = kommuner
        self._http, self._service = http, service
        self._min_refresh, self._max_age, self._clock = min_refresh, max_age, clock
        self._metadata: dict[str, Any] | None = None
        self._nokler: dict[str, jwt.PyJWK] = {}
        self._hentet: float | None = None
        self._lock = asyncio.Lock()

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None:
            doc = await self._get(self.discovery_url)
            if not isinstance(doc.get("issuer"), str) or not isinstance(doc.get("jwks_uri"), str):
                raise Utilgjengelig(f"{self.discovery_url} mangler issuer eller jwks_uri")
            self._metadata = doc
        return self._metadata

    async def issuer(self) -> str:
        return (await self.metadata())["issuer"]

    async def nokkel(self, kid: str, *, feilet: jwt.PyJWK | None = None) -> jwt.PyJWK | None:
        """The key `kid` names; fetched again when unknown, or when `feilet` (the cached key) did not verify —
        within the refresh bound. None: no such key, even after a refresh."""
        naa = self._clock()
        if self._hentet is None:
            await self._hent("first")
        elif naa - self._hentet > self._max_age:
            try:
                await self._hent("max_age")
            except Utilgjengelig:  # the cached keys still verify; try again a little later
                self._hentet = naa - self._max_age + max(self._min_refresh, 5)
                log.warning("jwks kunne ikke fornyes; bruker de hurtiglagrede nøklene", extra={"utsteder": self.navn})
        nokkel = self._nokler.get(kid)
        if nokkel is not None and (feilet is None or nokkel is not feilet):
            return nokkel
        if self._clock() - (self._hentet or 0) >= self._min_refresh:
            async with self._lock:  # concurrent requests with the new kid: one fetch
                if self._nokler.get(kid) is nokkel:
                    await self._hent("unknown_kid" if nokkel is None else "signature")
        ny = self._nokler.get(kid)
        return ny if ny is not None and ny is not feilet else None

    async def _hent(self, grunn: str) -> None:
        doc = await self._get((await self.metadata())["jwks_uri"])
        nokler: dict[str, jwt.PyJWK] = {}
        for jwk in doc.get("keys", []) if isinstance(doc.get("keys"), list) else []:
            if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or not isinstance(jwk.get("kid"), str):
                continue
            try:
                nokler[jwk["kid"]] = jwt.PyJWK(jwk)
            except jwt.PyJWTError:
                continue  # a key type or algorithm we do not use
        self._nokler, self._hentet = nokler, self._clock()
        metrics.JWKS_FETCHES.labels(self._service, self.navn, grunn).inc()
        log.info("jwks hentet", extra={"utsteder": self.navn, "grunn": grunn, "nokler": len(nokler)})

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            r = await self._http.get(url)
            r.raise_for_status()
            doc = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Utilgjengelig(f"identitetstjenesten svarer ikke ({type(exc).__name__})") from None
        if not isinstance(doc, dict):
            raise Utilgjengelig(f"{url} svarte ikke med et JSON-objekt")
        return doc


# --- the verifier ---------------------------------------------------------------------------------------------


class TokenVerifier:
    """Verifies access tokens of the two issuers. A fagsystem sends the same token until it expires, and a
    signature check costs more than the rest of a small request: a verified token is remembered (by its exact
    text) until its `exp`, in a bounded cache."""

    CACHE_SIZE = 10_000

    def __init__(
        self,
        *,
        saksbehandler: Sequence[Utsteder],
        system: Utsteder,
        audience: str,
        klienter: frozenset[str],
        kommune_for_orgnr: Mapping[str, str],
        imdi_orgnr: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.saksbehandler, self.system = tuple(saksbehandler), system
        self._imdi_orgnr = imdi_orgnr
        self._audience, self._klienter, self._orgnr = audience, klienter, dict(kommune_for_orgnr)
        self._clock = clock
        self._verified: OrderedDict[str, tuple[Identitet, float]] = OrderedDict()

    @classmethod
    def fra_settings(cls, settings: Any, *, service: str, http: httpx.AsyncClient) -> TokenVerifier:
        def utsteder(url: str, navn: str, kommuner: frozenset[str] | None = None) -> Utsteder:
            return Utsteder(
                url,
                http,
                service=service,
                navn=navn,
                min_refresh=settings.jwks_min_refresh_seconds,
                max_age=settings.jwks_max_age_seconds,
                kommuner=kommuner,
            )

        binding = settings.oidc_kommuner
        return cls(
            saksbehandler=[utsteder(url, "saksbehandler", binding[url]) for url in settings.oidc_discovery],
            system=utsteder(settings.maskinporten_discovery_url, "system"),
            audience=settings.api_audience,
            klienter=settings.oidc_clients,
            kommune_for_orgnr=les_kommune_orgnr(settings.kommune_orgnr_file),
            imdi_orgnr=settings.imdi_orgnr or None,
        )

    async def verify(self, token: str) -> Identitet:
        hit = self._verified.get(token)
        if hit is not None:
            if self._clock() < hit[1]:
                return hit[0]
            del self._verified[token]
        identitet, gyldig_til = await self._verify(token)
        self._verified[token] = (identitet, gyldig_til)
        if len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return identitet

    async def _verify(self, token: str) -> tuple[Identitet, float]:
        try:
            header = jwt.get_unverified_header(token)
            uverifisert = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Uautentisert("ugyldig token: ikke en JWT") from None
        alg, kid, iss = header.get("alg"), header.get("kid"), uverifisert.get("iss")
        if alg not in ALGORITHMS:
            raise Uautentisert(f"ugyldig token: algoritmen må være en av {', '.join(ALGORITHMS)}")
        if not isinstance(kid, str) or not _KID.fullmatch(kid):
            raise Uautentisert("ugyldig token: mangler kid")
        utsteder = await self._utsteder(iss)
        nokkel = await utsteder.nokkel(kid)
        claims = None
        for _ in range(2):
            if nokkel is None:
                raise Uautentisert("ugyldig token: ukjent nøkkel (kid)")
            try:
                claims = jwt.decode(
                    token,
                    nokkel.key,
                    algorithms=[alg],
                    audience=self._audience,
                    issuer=iss,
                    leeway=LEEWAY,
                    options={"require": ["exp", "iss", "aud"]},
                )
                break
            except jwt.InvalidSignatureError:
                nokkel = await utsteder.nokkel(kid, feilet=nokkel)  # the provider may have replaced the key
            except (jwt.PyJWTError, TypeError, ValueError) as exc:
                raise Uautentisert(f"ugyldig token: {_grunn(exc)}") from None
        if claims is None:
            raise Uautentisert("ugyldig token: signaturen stemmer ikke")
        exp = claims["exp"]
        if not isinstance(exp, (int, float)):
            raise Uautentisert("ugyldig token: exp må være et tall")
        identitet = self._saksbehandler(claims, utsteder) if utsteder is not self.system else self._system(claims, iss)
        return identitet, float(exp) + LEEWAY  # remembered no longer than the check itself allows

    async def _utsteder(self, iss: object) -> Utsteder:
        """The configured issuer whose discovery document names `iss` exactly (an issuer we cannot reach now
        makes an unknown one a 503, not a 401: it may be that one)."""
        utilgjengelig: Utilgjengelig | None = None
        for u in (*self.saksbehandler, self.system):
            try:
                if isinstance(iss, str) and iss == await u.issuer():
                    return u
            except Utilgjengelig as exc:
                utilgjengelig = exc
        if utilgjengelig is not None:
            raise utilgjengelig
        raise Uautentisert("ugyldig token: ukjent utsteder")

    def _saksbehandler(self, c: dict[str, Any], utsteder: Utsteder) -> Identitet:
        klient = c.get("azp", c.get("client_id"))
        if not isinstance(klient, str) or klient not in self._klienter:
            raise Uautentisert("ugyldig token: utstedt til en annen klient")
        sub = c.get("sub")
        if not isinstance(sub, str) or not 0 < len(sub) <= 255:
            raise Uautentisert("ugyldig token: mangler sub")
        roller = c.get("roller", [])
        roller = {r for r in (roller if isinstance(roller, list) else [roller]) if isinstance(r, str)}
        gyldige = roller & {Rolle.SAKSBEHANDLER.value, Rolle.LESETILGANG.value, Rolle.IMDI.value}
        if not gyldige:
            raise IngenTilgang("ingen tilgang i NIR: tokenet har ingen gyldig rolle")
        ident = c.get("preferred_username")
        if not isinstance(ident, str) or not _IDENT.fullmatch(ident):
            raise IngenTilgang("ingen tilgang i NIR: mangler brukerident (preferred_username)")
        kommune, bydel = c.get("kommunenummer"), c.get("bydelsnummer")
        if Rolle.IMDI.value in gyldige:
            if len(gyldige) > 1 or kommune is not None or bydel is not None:
                raise IngenTilgang(
                    "ingen tilgang i NIR: IMDi-rollen kan ikke kombineres med en kommune eller en annen rolle"
                )
            if utsteder.kommuner is not None:
                raise IngenTilgang("ingen tilgang i NIR: denne utstederen kan ikke gi IMDi-tilgang")
            omfang = Omfang(Rolle.IMDI)
        else:
            if not isinstance(kommune, str) or kommune not in geografi.kommuner():
                raise IngenTilgang("ingen tilgang i NIR: mangler kommunenummer, eller det er ukjent")
            if bydel is not None and (
                not isinstance(bydel, str) or bydel not in {b.bydelsnummer for b in geografi.bydeler_i(kommune)}
            ):
                raise IngenTilgang("ingen tilgang i NIR: bydelsnummer er ikke en bydel i kommunen")
            if utsteder.kommuner is not None and kommune not in utsteder.kommuner:
                # a kommune's own tenant naming another kommune: its claim is not the tenant's to make
                raise IngenTilgang("ingen tilgang i NIR: utstederen kan ikke gi tilgang i denne kommunen")
            skrive = Rolle.SAKSBEHANDLER.value in gyldige
            omfang = Omfang(Rolle.SAKSBEHANDLER if skrive else Rolle.LESETILGANG, kommune, bydel, skrive=skrive)
        return Identitet(omfang=omfang, nokkel=f"{c['iss']}|{sub}", brukerident=ident)

    def _system(self, c: dict[str, Any], iss: str) -> Identitet:
        scope = c.get("scope", "")
        scopes = set(scope.split()) if isinstance(scope, str) else set()
        if not scopes & {SCOPE_LES, SCOPE_SKRIV, SCOPE_OPPHOLD}:
            raise Uautentisert(f"ugyldig token: mangler scope {SCOPE_LES} eller {SCOPE_SKRIV}")
        klient = c.get("client_id")
        if not isinstance(klient, str) or not klient:
            raise Uautentisert("ugyldig token: mangler client_id")
        consumer = c.get("consumer")
        org = consumer.get("ID") if isinstance(consumer, dict) else None
        authority, _, orgnr = org.partition(":") if isinstance(org, str) else ("", "", "")
        if SCOPE_OPPHOLD in scopes:
            if authority != ORGNR_AUTHORITY or self._imdi_orgnr is None or orgnr != self._imdi_orgnr:
                raise IngenTilgang(f"ingen tilgang i NIR: scope {SCOPE_OPPHOLD} gis bare til IMDi")
            return Identitet(omfang=Omfang(Rolle.OPPHOLDSKILDE), nokkel=f"{iss}|{klient}|{orgnr}", brukerident="IMDi")
        if not scopes & {SCOPE_LES, SCOPE_SKRIV}:
            raise Uautentisert(f"ugyldig token: mangler scope {SCOPE_LES} eller {SCOPE_SKRIV}")
        kommune = self._orgnr.get(orgnr) if authority == ORGNR_AUTHORITY else None
        if kommune is None:
            raise IngenTilgang("ingen tilgang i NIR: organisasjonen er ikke en kommune NIR kjenner")
        omfang = Omfang(Rolle.FAGSYSTEM, kommune, skrive=SCOPE_SKRIV in scopes)
        return Identitet(omfang=omfang, nokkel=f"{iss}|{klient}|{orgnr}", brukerident=None)


def _grunn(exc: Exception) -> str:
    match exc:
        case jwt.ExpiredSignatureError():
            return "utløpt"
        case jwt.ImmatureSignatureError():
            return "ikke gyldig ennå (nbf/iat)"
        case jwt.InvalidAudienceError():
            return "feil audience"
        case jwt.InvalidIssuerError():
            return "feil utsteder"
        case jwt.MissingRequiredClaimError():
            return f"mangler {exc.claim}"
        case _:
            return "kan ikke verifiseres"


# --- the request ----------------------------------------------------------------------------------------------


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Uautentisert("mangler bearer-token i Authorization")
    return token.strip()


def bruker_for(identitet: Identitet, request: Request) -> Bruker:
    """The caller of this request: a system's «Registrert av» from its Nir-Saksbehandler header (the token's
    kommune, else 422), otherwise <kommunenummer>-SYSTEM."""
    if identitet.brukerident is not None:
        return Bruker(identitet.brukerident, identitet.omfang, identitet.nokkel)
    kommune = identitet.omfang.kommunenummer
    oppgitt = request.headers.get(SAKSBEHANDLER_HEADER)
    if oppgitt is None:
        return Bruker(f"{kommune}-SYSTEM", identitet.omfang, identitet.nokkel)
    treff = _SAKSBEHANDLER.fullmatch(oppgitt.strip())
    if treff is None or treff[1] != kommune:
        raise HTTPException(
            422,
            problem(
                "UGYLDIGE_FELT",
                feil=[
                    feltfeil(
                        SAKSBEHANDLER_HEADER,
                        f"må være «{kommune}-<initialer>» (kommunenummeret til klientens kommune og 1–12 store "
                        "bokstaver eller siffer)",
                        kode="saksbehandler",
                        i="header",
                    )
                ],
            ),
        )
    return Bruker(treff[0], identitet.omfang, identitet.nokkel)


async def autentiser(request: Request, handling: Handling) -> Bruker:
    """Authenticate and authorise the request for `handling`, as HTTP answers (401/403/422/503)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    service = request.app.state.runtime.service
    try:
        identitet = await verifier.verify(bearer_token(request))
    except Uautentisert as exc:
        metrics.AUTH_REFUSED.labels(service, "401").inc()
        raise HTTPException(
            401,
            problem("IKKE_AUTENTISERT", str(exc)),
            headers={"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{_ascii(exc)}"'},
        ) from None
    except IngenTilgang as exc:
        metrics.AUTH_REFUSED.labels(service, "403").inc()
        raise HTTPException(403, problem("INGEN_TILGANG", str(exc))) from None
    except Utilgjengelig as exc:
        metrics.AUTH_REFUSED.labels(service, "503").inc()
        log.warning("identitetstjenesten er utilgjengelig", extra={"feil": str(exc)})
        raise HTTPException(
            503,
            problem("UTILGJENGELIG", "kan ikke verifisere tokenet nå: identitetstjenesten svarer ikke"),
            headers={"Retry-After": "5"},
        ) from None
    oppholdskilde = identitet.omfang.rolle is Rolle.OPPHOLDSKILDE
    if (handling is Handling.OPPHOLD) != oppholdskilde:
        # issue #13 §1: opphold facts come only from IMDi's bosetting system, which does nothing else
        metrics.AUTH_REFUSED.labels(service, "403").inc()
        raise HTTPException(
            403,
            f"opphold registreres bare av IMDi (scope {SCOPE_OPPHOLD})"
            if handling is Handling.OPPHOLD
            else "oppholdskilden har bare tilgang til å registrere opphold (POST /api/v1/opphold)",
        )
    if handling is Handling.SKRIVE and identitet.system and not identitet.omfang.skrive:
        metrics.AUTH_REFUSED.labels(service, "403").inc()
        raise HTTPException(
            403,
            problem("INGEN_TILGANG", f"klienten mangler scope {SCOPE_SKRIV}"),
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{SCOPE_SKRIV}"'},
        )
    return bruker_for(identitet, request)


def _ascii(exc: Exception) -> str:
    return str(exc).encode("ascii", "replace").decode().replace('"', "'")


class BeskyttetRute(APIRoute):
    """A route of the API: the caller is authenticated and its capability checked before FastAPI reads the
    body or any parameter (issue #14 §3: 401 before 422). Each route says what it does with a parameter typed
    `Lesetilgang`, `Skrivetilgang` or `Oppholdstilgang`; a route that says none refuses to be built."""

    handling: Handling

    def get_route_handler(self) -> Callable[[Request], Any]:
        # called by APIRoute.__init__ once the dependant is known
        handlinger = {h for d in _alle(self.dependant) for h, f in _TILGANG.items() if d.call is f}
        if len(handlinger) != 1:
            raise TypeError(
                f"{self.path}: en beskyttet rute må ha nøyaktig én av Lesetilgang, Skrivetilgang og Oppholdstilgang"
            )
        self.handling = handling = handlinger.pop()
        handler = super().get_route_handler()

        async def beskyttet(request: Request) -> Any:
            request.state.bruker = await autentiser(request, handling)
            return await handler(request)

        return beskyttet


def _alle(dependant: Any) -> list[Any]:
    return [dependant, *(d for sub in dependant.dependencies for d in _alle(sub))]


async def _innlogget(request: Request) -> Bruker:
    bruker = getattr(request.state, "bruker", None)
    if not isinstance(bruker, Bruker):  # a route outside BeskyttetRute: never answered unauthenticated
        raise RuntimeError("tilgangen brukes bare i ruter av typen BeskyttetRute")
    return bruker


async def _lese(request: Request) -> Bruker:
    return await _innlogget(request)


async def _skrive(request: Request) -> Bruker:
    return await _innlogget(request)


async def _opphold(request: Request) -> Bruker:
    return await _innlogget(request)


_TILGANG = {Handling.LESE: _lese, Handling.SKRIVE: _skrive, Handling.OPPHOLD: _opphold}
Lesetilgang = Annotated[Bruker, Depends(_lese)]
Skrivetilgang = Annotated[Bruker, Depends(_skrive)]
Oppholdstilgang = Annotated[Bruker, Depends(_opphold)]  # IMDi's bosetting system only (Rolle.OPPHOLDSKILDE)
