from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.folkeregister_adapter.simulator.register import Folkeregister
from tests.folkeregister_adapter.harness import Oppsett, Simulator


@pytest.fixture
async def oppsett(infrastructure, kafka_bootstrap, unique) -> AsyncIterator[Oppsett]:
    sim = Simulator(Folkeregister(seed=11, personer=200))
    await sim.start()
    o = Oppsett(kafka_bootstrap, infrastructure.database_url, unique, sim)
    await o.opprett_database()
    try:
        yield o
    finally:
        await o.stop_adapter()
        await sim.stop()
        await o.slett_database()
