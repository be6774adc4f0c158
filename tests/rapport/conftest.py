"""The rapport service in-process on the real broker and PostgreSQL, with tokens from the real identity provider."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from services.plumbing.db import apply_migrations, create_pool
from services.rapport.app import MIGRATIONS, create_app
from shared.settings import RapportSettings
from tests.support.databases import with_database
from tests.support.naming import run_id


@pytest.fixture(scope="session")
def token(identity_provider):
    """A caseworker's access token from the provider: SAKSBEHANDLER of `kommune`, or IMDI."""

    def _token(
        kommune: str | None = "4223",
        *,
        imdi: bool = False,
        user: str = "4223-CES",
        rolle: str = "SAKSBEHANDLER",
        bydel: str | None = None,
    ) -> str:
        if imdi:
            return identity_provider.caseworker(user, None, rolle="IMDI")
        return identity_provider.caseworker(user, kommune, rolle=rolle, bydel=bydel)

    return _token


@pytest.fixture(scope="session")
def rapport_settings(database_url: str, kafka_bootstrap: str, identity_provider) -> RapportSettings:
    run = run_id()
    return RapportSettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"test-rapport-{run}.",
        consumer_group=f"test-rapport-{run}",
        **identity_provider.service_settings(),
    )


@pytest.fixture(scope="session")
async def rapport_app(rapport_settings: RapportSettings):
    app = create_app(rapport_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def client(rapport_app) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rapport_app), base_url="http://rapport") as c:
        yield c


@pytest.fixture
async def schema_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh schema with the rapport's migrations: projection tests without Kafka."""
    schema = f"rapport_t_{uuid.uuid4().hex[:10]}"
    pool = await create_pool(database_url, schema, max_size=2)
    async with pool.acquire() as conn:  # 0001_schema.sql comments on the schema «rapport» by name
        await conn.execute("CREATE SCHEMA IF NOT EXISTS rapport")
    await apply_migrations(pool, schema, MIGRATIONS)
    try:
        yield pool
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await pool.close()


@pytest.fixture
async def own_database(infrastructure):
    """A database of the test's own: a service started on it consumes from the beginning."""
    name = f"nir_test_rapport_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(infrastructure.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield with_database(infrastructure.database_url, name)
    admin = await asyncpg.connect(infrastructure.database_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()
