"""The registrering app in-process with its lifespan (real PostgreSQL, real Kafka, its own topic prefix, the real
identity provider), an HTTP client over ASGI, tokens from the provider, and helpers that build a deltaker with a
programme."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from services.plumbing.runtime import ServiceRuntime
from services.registrering.app import create_app
from shared.identer import med_kontrollsiffer
from shared.settings import RegistreringSettings
from tests.support.identity import IdentityProvider
from tests.support.naming import run_id


@dataclass
class Registrering:
    app: FastAPI
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: RegistreringSettings
    idp: IdentityProvider

    def token(
        self,
        user: str = "4223-CES",
        kommune: str | None = "4223",
        imdi: bool = False,
        *,
        rolle: str = "SAKSBEHANDLER",
        bydel: str | None = None,
    ) -> dict[str, str]:
        """A caseworker's Authorization header (IMDi: role IMDI, no kommune)."""
        if imdi:
            return {"Authorization": "Bearer " + self.idp.caseworker(user, None, rolle="IMDI")}
        return {"Authorization": "Bearer " + self.idp.caseworker(user, kommune, rolle=rolle, bydel=bydel)}

    def system(self, kommune: str = "4223", *, skrive: bool = True) -> dict[str, str]:
        """A fagsystem's Authorization header (Maskinporten token for the kommune's orgnr)."""
        return {"Authorization": "Bearer " + self.idp.system(kommune, skrive=skrive)}

    def imdi_opphold(self) -> dict[str, str]:
        """IMDi's bosetting system's Authorization header: the one source of opphold facts (issue #13)."""
        return {"Authorization": "Bearer " + self.idp.imdi_opphold()}

    async def opphold(
        self,
        duf_nummer: str,
        *tillatelser: tuple[str, str, str | None],
        ankomstdato: str | None = None,
        status: int = 200,
    ) -> dict:
        """POST /api/v1/opphold as IMDi: tillatelser as (oppholdsgrunnlag, innvilget, opphort)."""
        resp = await self.client.post(
            "/api/v1/opphold",
            headers=self.imdi_opphold(),
            json={
                "duf_nummer": duf_nummer,
                "ankomstdato": ankomstdato,
                "tillatelser": [
                    {"oppholdsgrunnlag": g, "innvilget": fra, "opphort": til} for g, fra, til in tillatelser
                ],
            },
        )
        assert resp.status_code == status, resp.text
        return resp.json()


@asynccontextmanager
async def start_registrering(
    kafka_bootstrap: str, database_url: str, identity_provider, *, db_pool_max_size: int = 20
) -> AsyncIterator[Registrering]:
    """A registrering app with its own topic prefix and consumer group, started and stopped around the block."""
    run = run_id()
    settings = RegistreringSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        topic_prefix=f"test-reg-{run}.",
        consumer_group=f"test-registrering-{run}",
        db_pool_max_size=db_pool_max_size,
        **identity_provider.service_settings(),
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registrering") as client,
    ):
        yield Registrering(app, client, app.state.runtime, settings, identity_provider)


@pytest.fixture(scope="session")
async def registrering(kafka_bootstrap, database_url, identity_provider) -> AsyncIterator[Registrering]:
    async with start_registrering(kafka_bootstrap, database_url, identity_provider) as r:
        yield r


def duf() -> str:
    return "".join(random.choices("0123456789", k=12))


def fodselsnummer() -> str:
    while True:
        fnr = med_kontrollsiffer(
            f"{random.randint(1, 28):02d}{random.randint(1, 12):02d}{random.randint(50, 99):02d}"
            f"{random.randint(0, 999):03d}"
        )
        if fnr:
            return fnr


def person(kommune: str = "4223", **endringer) -> dict:
    body = {
        "duf_nummer": duf(),
        "fodselsnummer": fodselsnummer(),
        "fornavn": "Amina",
        "etternavn": "Haddad",
        "kjonn": "K",
        "fodselsdato": "1995-03-02",
        "lov": "integreringsloven",
        "bosettingsdato": "2021-09-01",
        "oppfolgingskommune": kommune,
    }
    body.update(endringer)
    return body


START = date(2022, 1, 10)
FRIST = date(2024, 1, 9)  # ARBEID_HAR_IKKE_VGO, integreringsloven-2021: 24 months


async def ny_deltaker(
    r: Registrering,
    *,
    kommune: str = "4223",
    program: bool = True,
    sluttmal: bool = True,
    til: str | None = "2024-01-09",
    **endringer,
) -> str:
    """A registered deltaker, with a vedtak om deltakelse from START and a sluttmål unless told otherwise."""
    h = r.token(user=f"{kommune}-CES", kommune=kommune)
    resp = await r.client.post("/api/v1/deltakere", json=person(kommune, **endringer), headers=h)
    assert resp.status_code == 201, resp.text
    did = resp.json()["deltaker_id"]
    if program:
        resp = await r.client.post(
            f"/api/v1/deltakere/{did}/vedtak",
            headers=h,
            json={
                "vedtakstype": "DELTAKELSE",
                "vedtaksdato": "2022-01-03",
                "periode": {"fra": START.isoformat(), "til": til},
            },
        )
        assert resp.status_code == 201, resp.text
    if sluttmal:
        resp = await r.client.post(
            f"/api/v1/deltakere/{did}/sluttmal",
            headers=h,
            json={"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": "2022-01-03"},
        )
        assert resp.status_code == 201, resp.text
    return did
