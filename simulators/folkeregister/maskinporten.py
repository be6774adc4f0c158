"""A Maskinporten token endpoint for the simulator, checking a JWT grant the way Maskinporten documents it
(docs.digdir.no «Maskinporten JWT grant», «Feilsøking i Maskinporten»), and the bearer check the Folkeregister
API then makes.

Grant: header `alg` RS256/RS384/RS512 and `kid` naming a key registered for the client (x5c is not simulated);
claims `aud` = the issuer identifier (one value), `iss` = a known client, `scope` only scopes the client may
have, `iat` not in the future (10 s skew), `exp` after now and at most 120 s after `iat`, `jti` never seen
before, and no claims Maskinporten does not know. Refusals are 400 {"error", "error_description"} like
Maskinporten's. Access tokens are opaque, with `expires_in` configurable (short in tests) and revocable.
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ALGORITMER = ["RS256", "RS384", "RS512"]
KJENTE_CLAIMS = {
    "aud",
    "iss",
    "iat",
    "exp",
    "jti",
    "scope",
    "resource",
    "consumer_org",
    "iss_onbehalfof",
    "authorization_details",
}
SKEW = 10  # seconds a grant's iat may lie in the future (clock skew)
FOLKEREGISTER_SCOPE = "folkeregister:deling/offentligmedhjemmel"


class Avvist(Exception):
    def __init__(self, error: str, beskrivelse: str, status: int = 400) -> None:
        super().__init__(f"{error}: {beskrivelse}")
        self.error, self.beskrivelse, self.status = error, beskrivelse, status


@dataclass
class Klient:
    client_id: str
    nokler: dict[str, str]  # kid → PEM public key
    scopes: set[str] = field(default_factory=lambda: {FOLKEREGISTER_SCOPE})


@dataclass(frozen=True)
class Tilgang:
    client_id: str
    scopes: frozenset[str]
    utloper: float


class Maskinporten:
    def __init__(
        self,
        klienter: list[Klient],
        *,
        utsteder: str = "https://test.maskinporten.no/",
        levetid: int = 120,
        klokke: Callable[[], float] = time.time,
    ) -> None:
        self.utsteder = utsteder
        self.levetid = levetid
        self.klokke = klokke
        self.klienter = {k.client_id: k for k in klienter}
        # Any kind of public key a PEM may hold: jwt.decode refuses one that does not fit ALGORITMER.
        self._nokler: dict[tuple[str, str], Any] = {
            (k.client_id, kid): serialization.load_pem_public_key(pem.encode())
            for k in klienter
            for kid, pem in k.nokler.items()
        }
        self._brukte_jti: dict[str, float] = {}  # jti → grant exp (forgotten once the grant could not be valid)
        self._tokens: dict[str, Tilgang] = {}
        self.utstedt = 0

    # -- the token endpoint ------------------------------------------------------------------------------------
    def utsted(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != GRANT_TYPE:
            raise Avvist("unsupported_grant_type", f"Unsupported grant type: {form.get('grant_type')}")
        assertion = form.get("assertion")
        if not assertion:
            raise Avvist("invalid_request", "Missing assertion")
        try:
            header = jwt.get_unverified_header(assertion)
            usikre = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Avvist("invalid_grant", "Invalid assertion. Malformed JWT") from None
        if header.get("alg") not in ALGORITMER:
            raise Avvist("invalid_grant", f"Invalid assertion. Unsupported algorithm {header.get('alg')}")
        if "kid" not in header:
            raise Avvist(
                "invalid_grant",
                "Invalid assertion. Client authentication failed. Missing kid (x5c is not supported by this simulator)",
            )
        ukjente = set(usikre) - KJENTE_CLAIMS
        if ukjente:
            raise Avvist("invalid_grant", f"Invalid assertion. Unknown claims: {', '.join(sorted(ukjente))}")
        klient = self.klienter.get(str(usikre.get("iss")))
        if klient is None:
            raise Avvist("invalid_grant", "Invalid assertion. Client authentication failed. Unknown client (iss)")
        nokkel = self._nokler.get((klient.client_id, header["kid"]))
        if nokkel is None:
            raise Avvist("invalid_grant", "Invalid assertion. Client authentication failed. Unknown kid")
        try:
            claims = jwt.decode(
                assertion,
                nokkel,
                algorithms=ALGORITMER,
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["aud", "iss", "iat", "exp", "jti"],
                },
            )
        except jwt.InvalidSignatureError:
            raise Avvist(
                "invalid_grant", "Invalid assertion. Client authentication failed. Invalid JWT signature"
            ) from None
        except jwt.PyJWTError as exc:
            raise Avvist("invalid_grant", f"Invalid assertion. {type(exc).__name__}") from None
        if claims["aud"] != self.utsteder:  # one value, the issuer identifier (not the token URL, not a list)
            raise Avvist("invalid_grant", "Invalid assertion. Client authentication failed. Invalid JWT claim aud")
        naa = self.klokke()
        iat, exp = claims["iat"], claims["exp"]
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise Avvist("invalid_grant", "Invalid assertion. iat and exp must be numbers")
        if iat > naa + SKEW:
            raise Avvist("invalid_grant", "Invalid assertion. The JWT iat is in the future")
        if exp - iat > 120:
            raise Avvist("invalid_grant", "Invalid assertion. The JWT exp is more than 120 seconds after iat")
        if exp <= naa:
            raise Avvist("invalid_grant", "Invalid assertion. The JWT has expired")
        self._brukte_jti = {j: e for j, e in self._brukte_jti.items() if e > naa - SKEW}
        if claims["jti"] in self._brukte_jti:
            raise Avvist("invalid_grant", "Invalid assertion. The JWT jti has already been used")
        self._brukte_jti[claims["jti"]] = exp
        scopes = set(str(claims.get("scope", "")).split())
        if not scopes or not scopes <= klient.scopes:
            raise Avvist("invalid_scope", f"Scope not allowed for client: {' '.join(sorted(scopes - klient.scopes))}")
        token = secrets.token_urlsafe(32)
        self._tokens[token] = Tilgang(klient.client_id, frozenset(scopes), naa + self.levetid)
        self.utstedt += 1
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.levetid,
            "scope": " ".join(sorted(scopes)),
        }

    # -- what the Folkeregister API checks ---------------------------------------------------------------------
    def sjekk(self, authorization: str | None, scope: str = FOLKEREGISTER_SCOPE) -> Tilgang:
        """The bearer token's access; Avvist(401) when missing, unknown, revoked or expired, (403) without scope."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Avvist("invalid_token", "Mangler Bearer-token", 401)
        t = self._tokens.get(authorization[7:].strip())
        if t is None or t.utloper <= self.klokke():
            raise Avvist("invalid_token", "Ugyldig eller utløpt token", 401)
        if scope not in t.scopes:
            raise Avvist("insufficient_scope", f"Tokenet mangler scope {scope}", 403)
        return t

    def tilbakekall(self) -> int:
        """Revoke every issued token (the control API): the next API call answers 401."""
        n = len(self._tokens)
        self._tokens.clear()
        return n


def lag_utviklingsnokkel(mappe: Path) -> tuple[Path, Path]:
    """An RSA key pair for local development (private.pem for the adapter, public.pem for the simulator), once."""
    mappe.mkdir(parents=True, exist_ok=True)
    privat, offentlig = mappe / "private.pem", mappe / "public.pem"
    if not privat.exists():
        k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        privat.write_bytes(
            k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        privat.chmod(0o600)
        offentlig.write_bytes(
            k.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return privat, offentlig


if __name__ == "__main__":  # python -m simulators.folkeregister.maskinporten keygen --dir DIR
    p = argparse.ArgumentParser(prog="python -m simulators.folkeregister.maskinporten")
    p.add_argument("cmd", choices=["keygen"])
    p.add_argument("--dir", type=Path, default=Path("/var/tmp/nir-avslutning/maskinporten"))
    print(lag_utviklingsnokkel(p.parse_args().dir)[1])
