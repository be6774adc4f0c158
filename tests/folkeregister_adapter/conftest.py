from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulators.folkeregister.register import Folkeregister
from tests.folkeregister_adapter.harness import Oppsett, Simulator, oppsett_med


@pytest.fixture
async def oppsett(infrastructure, kafka_bootstrap, unique) -> AsyncIterator[Oppsett]:
    async with oppsett_med(
        Simulator(Folkeregister(seed=11, personer=200)), kafka_bootstrap, infrastructure.database_url, unique
    ) as o:
        yield o
