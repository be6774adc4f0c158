"""Session fixtures: real Kafka, PostgreSQL and identity provider (tests/support/infrastructure.py says where they
come from)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from services.plumbing.kafka import delete_topics
from tests.support.databases import with_database
from tests.support.identity import IdentityProvider
from tests.support.infrastructure import Infrastructure, resolve, resolve_identity_provider
from tests.support.naming import SESSION, run_id

# the browser fixtures (browser, page, sidefeil) for every test directory
pytest_plugins = ["tests.support.browser"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The first thing the suite proves is a round trip through the real broker and real PostgreSQL.
    items.sort(key=lambda item: 0 if item.get_closest_marker("first") else 1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "first: run before everything else")


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    infra = resolve()  # raises with a clear message when nothing is available: never a skip
    print(f"\n[tests] infrastructure: {infra.source}: kafka {infra.kafka_bootstrap_servers}")
    yield infra
    infra.stop()


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    """The real OIDC provider with the token helpers of tests/support/identity.py (system_token, caseworker_tokens)."""
    address = resolve_identity_provider()  # raises with what it tried when there is none: never a skip
    print(f"\n[tests] identity provider: {address.source}: {address.base_url}")
    yield IdentityProvider(address.base_url, address.source)
    address.stop()


@pytest.fixture(scope="session")
async def kafka_bootstrap(infrastructure: Infrastructure) -> AsyncIterator[str]:
    yield infrastructure.kafka_bootstrap_servers
    # Topics are named with tests.support.naming.run_id(): delete this session's, so a long-lived local broker does not
    # collect thousands of them over many runs (NIR_KEEP_TEST_TOPICS=1 keeps them for inspection).
    if os.environ.get("NIR_KEEP_TEST_TOPICS") != "1":
        deleted = await delete_topics(infrastructure.kafka_bootstrap_servers, lambda name: SESSION in name)
        print(f"\n[tests] deleted this session's {len(deleted)} topics")


@asynccontextmanager
async def fresh_database(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A new, empty database, dropped afterwards."""
    name = f"nir_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(infrastructure.database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(infrastructure.database_url, name)
    finally:
        admin = await asyncpg.connect(infrastructure.database_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(scope="session")
async def database_url(infrastructure: Infrastructure) -> AsyncIterator[str]:
    """A fresh database for this test session, so runs never see each other's rows. A suite that runs a
    service's schema end to end (tests/e2e) takes its own with `fresh_database`."""
    async with fresh_database(infrastructure) as url:
        yield url


@pytest.fixture
def unique() -> str:
    """A suffix for topic, group and schema names that no other test (or run) uses."""
    return run_id()
