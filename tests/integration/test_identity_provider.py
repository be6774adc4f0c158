"""The identity provider is real (issue #14 §1): NAV's mock-oauth2-server, configured by deploy/local/idp.json,
serves discovery documents and JWKS, and its tokens verify against the published keys with issuer, audience
and claims as configured — for a fagsystem (Maskinporten-shaped client_credentials) and for caseworkers
(authorization code flow with PKCE through its login page)."""

from __future__ import annotations

import jwt
import pytest

from tests.support.identity import (
    API_AUDIENCE,
    CASEWORKER_ISSUER,
    SYSTEM_ISSUER,
    WEB_CLIENT_ID,
    IdentityProvider,
    IdentityProviderError,
)

pytestmark = pytest.mark.integration

ORGNR = "910000001"  # an example organisation number: the orgnr → kommune table is the services' (issue #14 §3)
SKRIV = "imdi:nir/avslutning.skriv"  # example scopes; the services name theirs
LES = "imdi:nir/avslutning.les"


def verify(provider: IdentityProvider, token: str, issuer_id: str, audience: str) -> dict:
    """Verify as a resource server does: the key from the issuer's JWKS (by kid), RS256, iss, aud, exp."""
    key = jwt.PyJWKClient(provider.discovery(issuer_id)["jwks_uri"]).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        issuer=provider.issuer(issuer_id),
        audience=audience,
        options={"require": ["iss", "aud", "exp", "iat", "nbf", "jti"]},
    )


@pytest.mark.parametrize("issuer_id", [CASEWORKER_ISSUER, SYSTEM_ISSUER])
def test_discovery_document_and_jwks(identity_provider, issuer_id):
    doc = identity_provider.discovery(issuer_id)
    issuer = identity_provider.issuer(issuer_id)
    assert doc["issuer"] == issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "end_session_endpoint"):
        assert doc[endpoint].startswith(f"{issuer}/"), (endpoint, doc[endpoint])
    assert "S256" in doc["code_challenge_methods_supported"]
    keys = identity_provider.jwks(issuer_id)["keys"]
    assert keys and all(k["kty"] == "RSA" and k["kid"] and "d" not in k for k in keys)  # public keys only


def test_each_issuer_signs_with_its_own_key(identity_provider):
    assert {k["n"] for k in identity_provider.jwks(CASEWORKER_ISSUER)["keys"]}.isdisjoint(
        k["n"] for k in identity_provider.jwks(SYSTEM_ISSUER)["keys"]
    )
    token = identity_provider.system_token(consumer_orgnr=ORGNR, scope=SKRIV)
    caseworker_key = jwt.PyJWK(identity_provider.jwks(CASEWORKER_ISSUER)["keys"][0])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, caseworker_key, algorithms=["RS256"], options={"verify_aud": False})


def test_system_token_is_shaped_like_maskinporten_and_verifies_against_the_jwks(identity_provider):
    token = identity_provider.system_token(consumer_orgnr=ORGNR, scope=f"{LES} {SKRIV}", client_id="fagsystem-a")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = verify(identity_provider, token, SYSTEM_ISSUER, API_AUDIENCE)
    assert claims["consumer"] == {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORGNR}"}
    assert claims["scope"].split() == [LES, SKRIV]
    assert claims["client_id"] == "fagsystem-a"
    assert claims["token_type"] == "Bearer"
    assert "sub" not in claims  # Maskinporten's tokens name the client and organisation, no subject
    assert claims["exp"] - claims["iat"] == 120

    # A tampered payload no longer verifies.
    header, payload, signature = token.split(".")
    forged = jwt.utils.base64url_encode(jwt.utils.base64url_decode(payload).replace(ORGNR.encode(), b"910000002"))
    with pytest.raises(jwt.InvalidSignatureError):
        verify(identity_provider, f"{header}.{forged.decode()}.{signature}", SYSTEM_ISSUER, API_AUDIENCE)


def test_system_token_without_resource_is_for_no_api(identity_provider):
    # Like Maskinporten: without `resource` the audience is «unspecified», so NIR's audience check refuses it.
    token = identity_provider.system_token(consumer_orgnr=ORGNR, scope=SKRIV, resource=None)
    with pytest.raises(jwt.InvalidAudienceError):
        verify(identity_provider, token, SYSTEM_ISSUER, API_AUDIENCE)
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "unspecified"


CASEWORKERS = {
    "kommune-wide": (
        "4223-CES",
        {"name": "Cecilie Eriksen Solberg", "kommunenummer": "4223", "roller": ["SAKSBEHANDLER"]},
    ),
    "Oslo bydel": (
        "0301-KANO",
        {"name": "Kari Nordmann", "kommunenummer": "0301", "bydelsnummer": "030102", "roller": ["SAKSBEHANDLER"]},
    ),
    "IMDi": ("IMDI-OLAN", {"name": "Ola Andersen", "roller": ["IMDI"]}),
}


@pytest.mark.parametrize("who", CASEWORKERS)
def test_caseworker_logs_in_through_the_login_page(identity_provider, who):
    sub, typed = CASEWORKERS[who]
    tokens = identity_provider.caseworker_tokens(sub, typed)

    # The ID token is for the web application (aud has its client id, azp names it), as OIDC wants.
    id_claims = verify(identity_provider, tokens.id_token, CASEWORKER_ISSUER, WEB_CLIENT_ID)
    assert id_claims["azp"] == WEB_CLIENT_ID
    assert id_claims["nonce"]
    # The access token is for NIR's APIs.
    access = verify(identity_provider, tokens.access_token, CASEWORKER_ISSUER, API_AUDIENCE)
    for claims in (id_claims, access):
        assert claims["sub"] == sub
        assert {k: claims.get(k) for k in typed} == typed
    assert tokens.refresh_token and tokens.expires_in > 3000


def test_claims_typed_on_the_login_page_cannot_change_the_audience(identity_provider):
    # idp.json's mapping sets aud and azp; the login page can add claims but not overwrite those.
    tokens = identity_provider.caseworker_tokens(
        "3024-NIBO", {"kommunenummer": "3024", "aud": "annet-api", "azp": "annen-klient"}
    )
    claims = verify(identity_provider, tokens.access_token, CASEWORKER_ISSUER, API_AUDIENCE)
    assert claims["aud"] == [WEB_CLIENT_ID, API_AUDIENCE] and claims["azp"] == WEB_CLIENT_ID


def test_a_code_is_exchanged_once_and_only_with_its_pkce_verifier(identity_provider):
    login = identity_provider.log_in("4223-CES", {"kommunenummer": "4223"})
    with pytest.raises(IdentityProviderError, match="400"):
        identity_provider.exchange(login, code_verifier="feil-" + "x" * 43)
    with pytest.raises(IdentityProviderError, match="400"):  # spent by the failed attempt
        identity_provider.exchange(login)

    login = identity_provider.log_in("4223-CES", {"kommunenummer": "4223"})
    assert identity_provider.exchange(login).access_token
    with pytest.raises(IdentityProviderError, match="400"):
        identity_provider.exchange(login)


def test_refreshed_tokens_keep_the_login_claims(identity_provider):
    sub, typed = CASEWORKERS["Oslo bydel"]
    tokens = identity_provider.caseworker_tokens(sub, typed)
    refreshed = identity_provider._token_request(
        identity_provider.discovery(CASEWORKER_ISSUER)["token_endpoint"],
        WEB_CLIENT_ID,
        {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token},
    )
    claims = verify(identity_provider, refreshed["access_token"], CASEWORKER_ISSUER, API_AUDIENCE)
    assert claims["sub"] == sub and {k: claims.get(k) for k in typed} == typed
