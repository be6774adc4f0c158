"""Bearer JWT checks (DOMAIN.md §4 rule 8; issue #3 «Security»)."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from services.plumbing.auth import AuthError, Bruker, JwtVerifier, generate_keypair, mint


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    private, public = generate_keypair(tmp_path_factory.mktemp("jwt"))
    return private.read_bytes(), public.read_text()


def verifier(public: str, **kw) -> JwtVerifier:
    return JwtVerifier(public, issuer=kw.get("issuer", "nir-dev"), audience=kw.get("audience", "nir-avslutning"))


def test_kommune_user(keys):
    user = verifier(keys[1]).verify(mint(keys[0], user="4223-CES", kommunenummer="4223"))
    assert user == Bruker("4223-CES", "4223", False)
    assert user.kan_se("4223") and not user.kan_se("0301")


def test_imdi_sees_every_kommune(keys):
    user = verifier(keys[1]).verify(mint(keys[0], user="IMDI-ANNA", imdi=True))
    assert user.imdi and user.kan_se("0301") and user.kan_se("4223")


@pytest.mark.parametrize("problem,kwargs,match", [
    ("expired", dict(now=time.time() - 10 * 3600), "expired"),
    ("wrong issuer", dict(issuer="someone-else"), "issuer"),
    ("wrong audience", dict(audience="another-api"), "(?i)audience"),
])
def test_rejected_tokens(keys, problem, kwargs, match):
    token = mint(keys[0], user="4223-CES", kommunenummer="4223", **kwargs)
    with pytest.raises(AuthError, match=match):
        verifier(keys[1]).verify(token)


def test_token_signed_by_another_key_is_rejected(keys):
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(AuthError, match="Signature"):
        verifier(keys[1]).verify(mint(other, user="4223-CES", kommunenummer="4223"))


def test_symmetric_and_unsigned_tokens_are_rejected(keys):
    claims = {"sub": "x", "iss": "nir-dev", "aud": "nir-avslutning", "exp": int(time.time()) + 60,
              "kommunenummer": "4223"}
    for token in (jwt.encode(claims, "secret", algorithm="HS256"), jwt.encode(claims, None, algorithm="none")):
        with pytest.raises(AuthError):
            verifier(keys[1]).verify(token)


def test_token_without_kommune_or_role_is_rejected(keys):
    with pytest.raises(AuthError, match="verken kommunenummer eller IMDi"):
        verifier(keys[1]).verify(mint(keys[0], user="4223-CES"))


def test_no_configured_keys_is_a_clear_error(keys):
    with pytest.raises(AuthError, match="JWT_PUBLIC_KEYS"):
        verifier("").verify(mint(keys[0], user="4223-CES", kommunenummer="4223"))


def test_token_claiming_another_algorithm_family_is_401_not_a_crash(keys):
    # An RS256 header checked against an EC key makes PyJWT raise TypeError; it must be an AuthError.
    from cryptography.hazmat.primitives.asymmetric import rsa
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(AuthError):
        verifier(keys[1]).verify(mint(rsa_key, user="4223-CES", kommunenummer="4223"))


def test_overlong_user_id_is_rejected(keys):
    with pytest.raises(AuthError, match="sub"):
        verifier(keys[1]).verify(mint(keys[0], user="x" * 65, kommunenummer="4223"))


def test_a_remembered_token_expires_with_its_exp(keys):
    """The verified-token cache must not outlive the token: past exp (+ leeway) it is refused again."""
    naa = [time.time()]
    v = JwtVerifier(keys[1], issuer="nir-dev", audience="nir-avslutning", clock=lambda: naa[0])
    token = mint(keys[0], user="4223-CES", kommunenummer="4223", ttl_seconds=60)
    assert v.verify(token) == Bruker("4223-CES", "4223", False)
    assert v.verify(token) == Bruker("4223-CES", "4223", False)  # from the cache
    naa[0] += 60 + 31
    with pytest.raises(AuthError, match="utløpt"):
        v.verify(token)


def test_a_changed_token_is_checked_again(keys):
    """The cache is keyed by the exact token: a tampered copy of a remembered token is still refused."""
    v = verifier(keys[1])
    token = mint(keys[0], user="4223-CES", kommunenummer="4223")
    v.verify(token)
    header, payload, signature = token.split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"4223"', b'"0301"')).decode()
    with pytest.raises(AuthError):
        v.verify(f"{header}.{forged}.{signature}")
