"""The regelmotor's read-decide-write under parallel batches on one deltaker (issue #11, the audit of every
service), with the gate of tests/support/parallelt.py on the real PostgreSQL: lager.hent locks the deltaker's state
row FOR UPDATE, and the state is that row itself, so a batch that waited for the lock gets the version the
previous holder committed (PostgreSQL re-reads a locked row that changed meanwhile); lager.les_dager takes the
clock's lock in a statement of its own, so a batch that waited for the clock to move sees the new day."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from functools import partial

import asyncpg
import pytest

from services.plumbing.db import apply_migrations, create_pool
from services.regelmotor import forbruker, lager
from services.regelmotor.app import MIGRATIONS
from tests.conftest import fresh_database
from tests.regelmotor.test_innhenting import tick
from tests.support.hendelser import Deltaker
from tests.support.parallelt import Port

pytestmark = pytest.mark.integration

RUNDER, PARALLELLE, PER_BOLGE = 50, 8, 6


@asynccontextmanager
async def regelmotor(infrastructure) -> AsyncIterator[tuple[asyncpg.Pool, Port, list[Deltaker]]]:
    """A regelmotor schema of its own with RUNDER registered deltakere, a pool for a wave, and the gate."""
    async with fresh_database(infrastructure) as url:
        pool = await create_pool(url, "regelmotor", max_size=PARALLELLE * PER_BOLGE + 2)
        try:
            await apply_migrations(pool, "regelmotor", MIGRATIONS)
            fakta = [Deltaker() for _ in range(RUNDER)]
            await asyncio.gather(*(behandle(pool, [f.registrert()]) for f in fakta))
            async with Port(url, "regelmotor") as port:
                yield pool, port, fakta
        finally:
            await pool.close()


async def behandle(pool: asyncpg.Pool, events: list) -> None:
    """One batch as the consumer path decides it: the handler in a transaction of its own."""
    async with pool.acquire() as conn, conn.transaction():
        await forbruker.behandle(conn, events)


def vedtak_parallelt(pool: asyncpg.Pool, bolge: list[Deltaker]) -> list:
    return [partial(behandle, pool, [f.vedtak()]) for f in bolge for _ in range(PARALLELLE)]


async def test_parallel_batches_on_one_deltaker_keep_every_fact(infrastructure):
    # Were the state read without the lock, each batch would write back what it read plus its own vedtak: one
    # of eight would survive (seen when FOR UPDATE is taken out of lager.hent).
    async with regelmotor(infrastructure) as (pool, port, fakta):
        for i in range(0, RUNDER, PER_BOLGE):
            bolge = fakta[i : i + PER_BOLGE]

            async def hold(conn, bolge=bolge):
                await conn.execute(
                    "SELECT 1 FROM deltaker_tilstand WHERE deltaker_id = ANY($1::uuid[]) FOR UPDATE",
                    [f.deltaker_id for f in bolge],
                )

            _, svar = await port.slipp(hold, vedtak_parallelt(pool, bolge))
            assert not [s for s in svar if isinstance(s, BaseException)], svar
        async with pool.acquire() as conn:
            tilstander = await lager.hent(conn, [f.deltaker_id for f in fakta])
        assert sorted(len(t.vedtak) for t in tilstander.values()) == [PARALLELLE] * RUNDER


async def test_facts_that_waited_for_the_clock_to_move_see_the_new_day(infrastructure):
    # A batch holds the clock's lock shared while it reads «idag» and writes; moving the clock holds it
    # exclusively. A batch that waited for the move must decide on the new day: the sweep of that day skips
    # the rows such a batch holds (FOR UPDATE SKIP LOCKED, forbruker.sveip), trusting it to have seen it.
    async with regelmotor(infrastructure) as (pool, port, fakta):
        for n, i in enumerate(range(0, RUNDER, PER_BOLGE)):
            bolge, dag = fakta[i : i + PER_BOLGE], date(2023, 11, 1) + timedelta(days=n)

            async def flytt_klokken(conn, dag=dag):  # the gate is the tick, committed once every batch waits
                assert await lager.flytt_idag(conn, tick(dag)) == dag

            _, svar = await port.slipp(flytt_klokken, vedtak_parallelt(pool, bolge), commit=True)
            assert not [s for s in svar if isinstance(s, BaseException)], svar
            async with pool.acquire() as conn:
                tilstander = await lager.hent(conn, [f.deltaker_id for f in bolge])
            assert {t.idag for t in tilstander.values()} == {dag}
