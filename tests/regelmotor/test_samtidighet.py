"""The regelmotor's read-decide-write under parallel batches on one deltaker (issue #11, the audit of every
service): lager.hent locks the deltaker's state row FOR UPDATE, and the state is that row itself. A batch that
waited for the lock gets the version the previous holder committed (PostgreSQL re-reads a locked row that
changed meanwhile), so no batch overwrites another's facts. Were the state read without the lock, or from
another table in the locking statement, facts would be lost here."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from functools import partial

import pytest

from services.plumbing.db import apply_migrations, create_pool
from services.regelmotor import lager
from services.regelmotor.app import MIGRATIONS
from services.regelmotor.behandling import behandle
from shared.events import topics
from tests.conftest import fresh_database
from tests.parallelt import Port
from tests.regelmotor.fakta import Fakta

pytestmark = pytest.mark.integration

RUNDER, PARALLELLE = 50, 8


async def test_parallel_batches_on_one_deltaker_keep_every_fact(infrastructure):
    async with fresh_database(infrastructure) as url:
        pool = await create_pool(url, "regelmotor", max_size=PARALLELLE * 6 + 2)
        try:
            await apply_migrations(pool, "regelmotor", MIGRATIONS)
            fakta = [Fakta() for _ in range(RUNDER)]
            await asyncio.gather(*(behandle(pool, [f.registrert()], topics.DELTAKER.name) for f in fakta))
            async with Port(url, "regelmotor") as port:
                for i in range(0, RUNDER, 6):
                    bolge = fakta[i:i + 6]

                    async def hold(conn, bolge=bolge):
                        await conn.execute("SELECT 1 FROM deltaker_tilstand WHERE deltaker_id = ANY($1::uuid[])"
                                           " FOR UPDATE", [f.deltaker_id for f in bolge])

                    _, svar = await port.slipp(hold, [partial(behandle, pool, [f.vedtak()], topics.VEDTAK.name)
                                                      for f in bolge for _ in range(PARALLELLE)])
                    assert not [s for s in svar if isinstance(s, BaseException)], svar
            async with pool.acquire() as conn:
                tilstander = await lager.hent(conn, [f.deltaker_id for f in fakta])
            assert sorted(len(t.vedtak) for t in tilstander.values()) == [PARALLELLE] * RUNDER
        finally:
            await pool.close()


async def test_facts_that_waited_for_the_clock_to_move_see_the_new_day(infrastructure):
    # lager.les_idag holds the clock's lock shared while a batch reads «idag» and writes; moving the clock holds
    # it exclusively. A batch that waited for the move must decide on the new day: the sweep of that day skips
    # the rows such a batch holds (FOR UPDATE SKIP LOCKED, behandling.dogn_passert), trusting it to have seen it.
    async with fresh_database(infrastructure) as url:
        pool = await create_pool(url, "regelmotor", max_size=PARALLELLE * 6 + 2)
        try:
            await apply_migrations(pool, "regelmotor", MIGRATIONS)
            fakta = [Fakta() for _ in range(RUNDER)]
            await asyncio.gather(*(behandle(pool, [f.registrert()], topics.DELTAKER.name) for f in fakta))
            async with Port(url, "regelmotor") as port:
                for n, i in enumerate(range(0, RUNDER, 6)):
                    bolge, dag = fakta[i:i + 6], date(2023, 11, 1) + timedelta(days=n)

                    async def flytt_klokken(conn, dag=dag):  # the gate is the tick, committed once all wait
                        assert await lager.flytt_idag(conn, dag) == dag

                    _, svar = await port.slipp(flytt_klokken, [partial(behandle, pool, [f.vedtak()], topics.VEDTAK.name)
                                                               for f in bolge for _ in range(PARALLELLE)], commit=True)
                    assert not [s for s in svar if isinstance(s, BaseException)], svar
                    async with pool.acquire() as conn:
                        tilstander = await lager.hent(conn, [f.deltaker_id for f in bolge])
                    assert {t.idag for t in tilstander.values()} == {dag}
        finally:
            await pool.close()
