"""A kommune's own identity provider grants its own kommune only (issue #14 §2; docs/IDENTITY.md «Production
mapping»): with several caseworker issuers (ID-porten behind IMDi's broker, and a kommune's Entra ID tenant),
OIDC_ISSUER_KOMMUNER binds each. A tenant's token naming another kommune, or the IMDi role, is 403 — its
claims are valid JWT, only not the tenant's to make. Against registrering in-process and an identity provider
of the test's own that serves a second issuer, `entra-4223`, standing in for Asker's tenant."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from services.registrering.app import create_app
from shared.settings import RegistreringSettings, issuer_kommuner
from tests.support.identity import SYSTEM_ISSUER, IdentityProvider
from tests.support.naming import run_id
from tests.support.private_idp import PrivateIdentityProvider

pytestmark = pytest.mark.integration

TENANT = "entra-4223"
LES = "/api/v1/kodeverk/kategorier"


@dataclass
class ToUtstedere:
    nasjonal: IdentityProvider
    tenant: IdentityProvider
    client: httpx.AsyncClient


@pytest.fixture(scope="module")
async def to(kafka_bootstrap, database_url, tmp_path_factory) -> AsyncIterator[ToUtstedere]:
    idp = PrivateIdentityProvider(tmp_path_factory.mktemp("idp2"))
    config = idp.config()
    nir = next(c for c in config["tokenCallbacks"] if c["issuerId"] == "nir")
    config["tokenCallbacks"].append({**nir, "issuerId": TENANT})  # the same token shape, another issuer
    idp.start(config)
    nasjonal = IdentityProvider(idp.base_url, "private")
    tenant = IdentityProvider(idp.base_url, "private", caseworker_issuer=TENANT)
    run = run_id()
    settings = RegistreringSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        topic_prefix=f"test-utk-{run}.",
        consumer_group=f"test-utk-{run}",
        oidc_discovery_urls=f"{nasjonal.discovery_url()},{tenant.discovery_url(TENANT)}",
        oidc_issuer_kommuner=json.dumps({nasjonal.discovery_url(): "*", tenant.discovery_url(TENANT): ["4223"]}),
        maskinporten_discovery_url=nasjonal.discovery_url(SYSTEM_ISSUER),
    )
    app = create_app(settings)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registrering") as c,
        ):
            yield ToUtstedere(nasjonal, tenant, c)
    finally:
        idp.stop()


async def _les(to: ToUtstedere, token: str) -> httpx.Response:
    return await to.client.get(LES, headers={"Authorization": f"Bearer {token}"})


async def test_the_tenant_grants_its_own_kommune(to):
    assert (await _les(to, to.tenant.caseworker("4223-TEN", "4223"))).status_code == 200


@pytest.mark.parametrize(
    "claims,melding",
    [
        (dict(ident="0301-TEN", kommune="0301"), "utstederen kan ikke gi tilgang i denne kommunen"),
        (dict(ident="IMDI-TEN", kommune=None, rolle="IMDI"), "kan ikke gi IMDi-tilgang"),
    ],
)
async def test_the_tenant_cannot_grant_another_kommune_or_imdi(to, claims, melding):
    r = await _les(to, to.tenant.caseworker(**claims))
    assert r.status_code == 403 and melding in r.json()["detail"], r.text


async def test_the_national_issuer_grants_any_kommune_and_imdi(to):
    assert (await _les(to, to.nasjonal.caseworker("0301-NAS", "0301"))).status_code == 200
    assert (await _les(to, to.nasjonal.caseworker("IMDI-NAS", None, rolle="IMDI"))).status_code == 200


@pytest.mark.parametrize(
    "verdi,issuers,feil",
    [
        ("ikke json", ("a",), "ikke JSON"),
        ('["a"]', ("a",), "JSON-objekt"),
        ('{"a": "*"}', ("a", "b"), "mangler utstederne ['b']"),
        ('{"c": "*"}', ("a",), "ikke er i OIDC_DISCOVERY_URLS"),
        ('{"a": ["9999"]}', ("a",), "kjente kommunenumre"),
        ('{"a": []}', ("a",), "kjente kommunenumre"),
    ],
)
def test_the_binding_is_checked_at_start(verdi, issuers, feil):
    with pytest.raises(ValueError, match=feil.replace("[", r"\[").replace("]", r"\]")):
        issuer_kommuner(verdi, issuers)


def test_one_unlisted_issuer_is_national_and_a_listed_one_is_bound():
    assert issuer_kommuner("", ("a",)) == {"a": None}
    assert issuer_kommuner('{"a": ["4223", "0301"]}', ("a",)) == {"a": frozenset({"4223", "0301"})}
