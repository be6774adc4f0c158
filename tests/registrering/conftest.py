"""The registrering app in-process with its lifespan (real PostgreSQL, real Kafka, its own topic prefix), an
HTTP client over ASGI, development tokens, and helpers that build a deltaker with a programme."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.plumbing.auth import generate_keypair, mint
from services.plumbing.runtime import ServiceRuntime
from services.registrering.app import create_app
from shared.identer import med_kontrollsiffer
from shared.settings import RegistreringSettings
from tests.naming import run_id


@dataclass
class Registrering:
    app: FastAPI
    client: httpx.AsyncClient
    runtime: ServiceRuntime
    settings: RegistreringSettings
    private_key: bytes

    def token(self, user: str = "4223-CES", kommune: str | None = "4223", imdi: bool = False) -> dict[str, str]:
        return {"Authorization": "Bearer " + mint(self.private_key, user=user, kommunenummer=kommune, imdi=imdi)}


@asynccontextmanager
async def start_registrering(kafka_bootstrap: str, database_url: str, jwt_dir: Path, *,
                             db_pool_max_size: int = 20) -> AsyncIterator[Registrering]:
    """A registrering app with its own topic prefix and consumer group, started and stopped around the block."""
    private, public = generate_keypair(jwt_dir)
    run = run_id()
    settings = RegistreringSettings(
        kafka_bootstrap_servers=kafka_bootstrap, database_url=database_url, topic_prefix=f"test-reg-{run}.",
        consumer_group=f"test-registrering-{run}", jwt_public_keys=public.read_text(),
        db_pool_max_size=db_pool_max_size,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registrering") as client:
            yield Registrering(app, client, app.state.runtime, settings, private.read_bytes())


@pytest.fixture(scope="session")
async def registrering(kafka_bootstrap, database_url, tmp_path_factory) -> AsyncIterator[Registrering]:
    async with start_registrering(kafka_bootstrap, database_url, tmp_path_factory.mktemp("jwt")) as r:
        yield r


def duf() -> str:
    return "".join(random.choices("0123456789", k=12))


def fodselsnummer() -> str:
    while True:
        fnr = med_kontrollsiffer(f"{random.randint(1, 28):02d}{random.randint(1, 12):02d}{random.randint(50, 99):02d}"
                                 f"{random.randint(0, 999):03d}")
        if fnr:
            return fnr


def person(kommune: str = "4223", **endringer) -> dict:
    body = {
        "duf_nummer": duf(), "fodselsnummer": fodselsnummer(), "fornavn": "Amina", "etternavn": "Haddad",
        "kjonn": "K", "fodselsdato": "1995-03-02", "lov": "integreringsloven", "bosettingsdato": "2021-09-01",
        "oppfolgingskommune": kommune, "kategori": "RETT_OG_PLIKT",
        "kategori_periode": {"fra": "2021-09-01", "til": None},
    }
    body.update(endringer)
    return body


START = date(2022, 1, 10)
FRIST = date(2024, 1, 9)  # ARBEID_HAR_IKKE_VGO, integreringsloven-2021: 24 months


async def ny_deltaker(r: Registrering, *, kommune: str = "4223", program: bool = True, sluttmal: bool = True,
                      til: str | None = "2024-01-09", **endringer) -> str:
    """A registered deltaker, with a vedtak om deltakelse from START and a sluttmål unless told otherwise."""
    h = r.token(user=f"{kommune}-CES", kommune=kommune)
    resp = await r.client.post("/api/v1/deltakere", json=person(kommune, **endringer), headers=h)
    assert resp.status_code == 201, resp.text
    did = resp.json()["deltaker_id"]
    if program:
        resp = await r.client.post(f"/api/v1/deltakere/{did}/vedtak", headers=h, json={
            "vedtakstype": "DELTAKELSE", "vedtaksdato": "2022-01-03", "periode": {"fra": START.isoformat(), "til": til}})
        assert resp.status_code == 201, resp.text
    if sluttmal:
        resp = await r.client.post(f"/api/v1/deltakere/{did}/sluttmal", headers=h,
                                   json={"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": "2022-01-03"})
        assert resp.status_code == 201, resp.text
    return did
