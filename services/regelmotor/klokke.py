"""The clock: publishes DognPassert for every Europe/Oslo day since the last one it published (catch-up
after downtime), through the outbox, then sleeps until the next Oslo midnight. The only place the
regelmotor reads the wall clock; the rules only ever see the ticks (DOMAIN.md §5)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from services.plumbing import outbox
from services.plumbing.tasks import cancel_and_wait
from services.regelmotor import lager
from shared.events.klokke import DognPassert

log = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("0c1f9a8e-2d3b-4c5d-8e6f-7a8b9c0d1e2f")


def dager_a_publisere(sist: date | None, idag: date) -> list[date]:
    """Every day after `sist` up to and including `idag`; only `idag` the first time (no history before
    the clock existed)."""
    if sist is None:
        return [idag]
    return [sist + timedelta(days=i) for i in range(1, (idag - sist).days + 1)]


def sekunder_til_neste_midnatt(naa: datetime, tidssone: ZoneInfo) -> float:
    lokal = naa.astimezone(tidssone)
    neste = datetime.combine(lokal.date() + timedelta(days=1), time(0), tzinfo=tidssone)
    return max((neste - naa).total_seconds(), 0.0)


def dogn(dato: date, tidssone: ZoneInfo, naa: datetime) -> DognPassert:
    """The tick for `dato`, with ids derived from the date: publishing the same day twice is one event."""
    midnatt = datetime.combine(dato, time(0), tzinfo=tidssone)
    ident = uuid.uuid5(NAMESPACE, f"DognPassert|{dato.isoformat()}")
    return DognPassert(
        event_id=ident, correlation_id=ident, occurred_at=midnatt, recorded_at=naa, producer="regelmotor", dato=dato
    )


class Klokke:
    def __init__(self, tidssone: str = "Europe/Oslo", naa: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._pool: asyncpg.Pool | None = None
        self._tz = ZoneInfo(tidssone)
        self._naa = naa
        self._task: asyncio.Task[None] | None = None

    async def publiser_manglende(self, pool: asyncpg.Pool | None = None) -> list[date]:
        """Enqueue the ticks of the days since the last one published (the outbox's NOTIFY wakes the relay).
        Several replicas may run a clock: the row lock makes one of them publish each day."""
        naa = self._naa()
        pool = pool or self._pool
        assert pool is not None, "Klokke.start() first"
        async with pool.acquire() as conn, conn.transaction():
            dager = dager_a_publisere(await lager.sist_publiserte_dogn(conn), naa.astimezone(self._tz).date())
            if dager:
                await outbox.enqueue(conn, [dogn(d, self._tz, naa) for d in dager])
                await lager.sett_sist_publiserte_dogn(conn, dager[-1])
        if dager:
            log.info("day ticks published", extra={"fra": dager[0].isoformat(), "til": dager[-1].isoformat()})
        return dager

    async def _kjor(self) -> None:
        while True:
            try:
                await self.publiser_manglende()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("clock failed; retrying in 30 s")
                await asyncio.sleep(30)
                continue
            await asyncio.sleep(sekunder_til_neste_midnatt(self._naa(), self._tz) + 1)

    async def start(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._task = asyncio.create_task(self._kjor(), name="regelmotor-klokke")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
