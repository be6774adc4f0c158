"""Authentication for the HTTP APIs: a bearer JWT with an asymmetric signature (RS256, ES256 or EdDSA),
issuer and audience checked, public keys from configuration (settings.jwt_public_keys, PEM blocks).

Claims: `sub` is the user («3024-NIBO»); `kommunenummer` names the kommune the user works for, or `roller`
contains «IMDI» for IMDi's national view. A kommune user sees and changes only deltakere whose
oppfølgingskommune is its own (DOMAIN.md §4 rule 8).

Development tokens:  python -m services.plumbing.auth mint --user 4223-CES --kommune 4223
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import HTTPException, Request, status

ALGORITHMS = ["RS256", "ES256", "EdDSA"]
LEEWAY = 30  # seconds of clock skew accepted on exp/nbf
IMDI = "IMDI"
DEV_KEY_DIR = Path("/var/tmp/nir-avslutning/jwt")
_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.S)
_KOMMUNENUMMER = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Bruker:
    brukerident: str
    kommunenummer: str | None
    imdi: bool

    def kan_se(self, oppfolgingskommune: str) -> bool:
        return self.imdi or self.kommunenummer == oppfolgingskommune


class AuthError(Exception):
    pass


class JwtVerifier:
    """Verifies tokens. A fagsystem integration sends the same token with every request until it expires, and
    a signature check costs more than the rest of a small request: a verified token is remembered (by its
    exact text, so a changed byte is checked afresh) until its `exp`, in a bounded cache."""

    CACHE_SIZE = 10_000

    def __init__(self, public_keys_pem: str, *, issuer: str, audience: str,
                 clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._keys = [serialization.load_pem_public_key(m.group().encode()) for m in _PEM.finditer(public_keys_pem)]
        self._issuer = issuer
        self._audience = audience
        self._verified: OrderedDict[str, tuple[Bruker, float]] = OrderedDict()

    def verify(self, token: str) -> Bruker:
        hit = self._verified.get(token)
        if hit is not None:
            if self._clock() < hit[1]:
                return hit[0]
            del self._verified[token]
        bruker, exp = self._verify(token)
        self._verified[token] = (bruker, exp)
        if len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return bruker

    def _verify(self, token: str) -> tuple[Bruker, float]:
        if not self._keys:
            raise AuthError("ingen offentlige nøkler er konfigurert (JWT_PUBLIC_KEYS)")
        last: Exception | None = None
        for key in self._keys:
            try:
                claims = jwt.decode(token, key, algorithms=ALGORITHMS, issuer=self._issuer, audience=self._audience,
                                    options={"require": ["exp", "iss", "aud", "sub"]}, leeway=LEEWAY)
                break
            except (jwt.InvalidSignatureError, jwt.InvalidKeyError, TypeError, ValueError) as exc:
                last = exc  # not this key (or a key of another type): try the next
            except jwt.PyJWTError as exc:
                raise AuthError(f"ugyldig token: {exc}") from None
        else:
            raise AuthError(f"ugyldig token: {last or 'signaturen kan ikke verifiseres'}")
        if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 64:
            raise AuthError("ugyldig token: sub må være en brukerident på 1–64 tegn")
        roller = claims.get("roller") or []
        kommune = claims.get("kommunenummer")
        if kommune is not None and not (isinstance(kommune, str) and _KOMMUNENUMMER.fullmatch(kommune)):
            raise AuthError("ugyldig token: kommunenummer må være fire siffer")
        if IMDI not in roller and kommune is None:
            raise AuthError("ugyldig token: verken kommunenummer eller IMDi-rolle")
        gyldig_til = float(claims["exp"]) + LEEWAY  # remembered no longer than the check itself allows
        if gyldig_til <= self._clock():
            raise AuthError("ugyldig token: utløpt")
        return Bruker(brukerident=str(claims["sub"]), kommunenummer=kommune, imdi=IMDI in roller), gyldig_til


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "mangler bearer-token i Authorization",
                            headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


async def current_user(request: Request) -> Bruker:
    """FastAPI dependency (async: a sync one would run in the thread pool on every request); the app puts a JwtVerifier in app.state.jwt_verifier."""
    try:
        return request.app.state.jwt_verifier.verify(bearer_token(request))
    except AuthError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc),
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None


# --- development keys and tokens ----------------------------------------------------------------------

def generate_keypair(directory: Path) -> tuple[Path, Path]:
    """An ES256 key pair for development (private.pem, public.pem), created once."""
    directory.mkdir(parents=True, exist_ok=True)
    private, public = directory / "private.pem", directory / "public.pem"
    if not private.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        private.chmod(0o600)
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def mint(private_key_pem: bytes, *, user: str, kommunenummer: str | None = None, imdi: bool = False,
         issuer: str = "nir-dev", audience: str = "nir-avslutning", ttl_seconds: int = 8 * 3600,
         now: float | None = None) -> str:
    now = time.time() if now is None else now
    claims: dict = {"sub": user, "iss": issuer, "aud": audience, "iat": int(now), "exp": int(now + ttl_seconds)}
    if kommunenummer:
        claims["kommunenummer"] = kommunenummer
    if imdi:
        claims["roller"] = [IMDI]
    key = serialization.load_pem_private_key(private_key_pem, password=None)
    alg = "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256"
    return jwt.encode(claims, key, algorithm=alg)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m services.plumbing.auth", description="Development keys and tokens")
    sub = p.add_subparsers(dest="cmd", required=True)
    k = sub.add_parser("keygen", help="create the development key pair (once)")
    k.add_argument("--dir", type=Path, default=DEV_KEY_DIR)
    m = sub.add_parser("mint", help="print a development token")
    m.add_argument("--dir", type=Path, default=DEV_KEY_DIR)
    m.add_argument("--user", required=True, help="e.g. 4223-CES")
    m.add_argument("--kommune", help="kommunenummer the user works for, e.g. 4223")
    m.add_argument("--imdi", action="store_true", help="IMDi role: sees every kommune")
    m.add_argument("--ttl-hours", type=float, default=8)
    a = p.parse_args(argv)
    private, public = generate_keypair(a.dir)
    if a.cmd == "keygen":
        print(public)
        return 0
    if not a.kommune and not a.imdi:
        p.error("give --kommune NNNN or --imdi")
    print(mint(private.read_bytes(), user=a.user, kommunenummer=a.kommune, imdi=a.imdi,
               ttl_seconds=int(a.ttl_hours * 3600)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
