"""One whole system (simulator + four services as processes) per test session: starting it costs seconds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.nir import Nir
from tests.e2e.system import System
from tests.support.infrastructure import Infrastructure
from tests.support.naming import run_id


@pytest.fixture(scope="session")
async def system(
    kafka_bootstrap: str, infrastructure: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[System]:
    workdir: Path = tmp_path_factory.mktemp("e2e")
    # Its own database: the whole system writes every service's schema, which other suites also use.
    async with fresh_database(infrastructure) as database_url:
        s = System(kafka_bootstrap, database_url, f"e2e-{run_id()}.", workdir)
        s.add_full_system()
        try:
            await s.start()
            yield s
        finally:
            await s.stop()
            print(f"\n[e2e] logs in {workdir}")


@pytest.fixture(scope="session")
async def nir(system: System) -> AsyncIterator[Nir]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield Nir(system, client)
