"""A day tick is never decided ahead of facts published before it.

After a restart the consumer may read the clock topic's tick before the facts that were already waiting on
the other topics (the fetch order across partitions is the client's); a vedtak read after the tick would
then retract an «Utgått oppstartsfrist» the tick created a moment before — an avslutning that was never
true. So a consumed tick only waits (lager.vent_dogn), and `Dognvakt` applies it once the **barrier** holds:
the service's decided positions (consumer_position, committed with the effects) have reached, on every
partition of the fact topics, the end offset read after the tick was consumed — which covers everything
published before the tick. The positions are the database's, so the barrier holds across replicas: a
partition another instance consumes counts as soon as that instance has committed it.

Then idag moves (under the clock lock that the fact handlers hold shared), and the deadline sweep runs;
`sveipet_til` records a completed sweep, so a crash in the middle resumes it. Waiting costs one query per
check, and several ticks that waited together are applied as one day (the latest): an idle day is cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.plumbing import idempotency
from services.plumbing.tasks import cancel_and_wait
from services.regelmotor import forbruker, lager
from shared.events.klokke import DognPassert

log = logging.getLogger(__name__)

Maal = dict[idempotency.Partition, int]  # end offset per fact partition


class Faktabarriere:
    """The fact topics' end offsets (read with a group-less client) against the consumer's positions."""

    def __init__(self, bootstrap_servers: str, fakta_topics: Sequence[str], consumer: str) -> None:
        self._bootstrap = bootstrap_servers
        self._topics = list(fakta_topics)
        self._consumer = consumer
        self._kafka: AIOKafkaConsumer | None = None
        self._admin: AIOKafkaAdminClient | None = None

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await self._admin.start()
        self._kafka = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None, enable_auto_commit=False)
        await self._kafka.start()

    async def stop(self) -> None:
        if self._kafka is not None:
            await self._kafka.stop()
            self._kafka = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    async def maal(self) -> Maal:
        """The end offset of every partition of every fact topic, now."""
        assert self._kafka is not None and self._admin is not None, "Faktabarriere.start() first"
        described = await self._admin.describe_topics(self._topics)
        partitions = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
        if {tp.topic for tp in partitions} != set(self._topics):
            # without them the barrier would hold trivially: refuse, the next check tries again
            raise RuntimeError(
                f"fact topics without partitions: {sorted(set(self._topics) - {tp.topic for tp in partitions})}"
            )
        ends = await self._kafka.end_offsets(partitions)
        return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}

    async def etterslep(self, conn: asyncpg.Connection | asyncpg.Pool, maal: Maal) -> int:
        """Records before the target not yet decided (0: the barrier holds)."""
        if isinstance(conn, asyncpg.Pool):
            async with conn.acquire() as c:
                return await self.etterslep(c, maal)
        decided = await idempotency.positions(conn, self._consumer, maal)
        return sum(max(end - (decided.get(tp, -1) + 1), 0) for tp, end in maal.items())


class Dognvakt:
    """Applies the waiting tick when the barrier holds, and runs the day's sweep; woken after every consumed
    batch, and checking every `intervall` seconds besides (the facts may be another replica's)."""

    def __init__(self, barriere: Faktabarriere, *, sveip_batch: int = 500, intervall: float = 1.0) -> None:
        self._barriere = barriere
        self._sveip_batch = sveip_batch
        self._intervall = intervall
        self._maal: tuple[DognPassert, Maal] | None = None
        self._vekk = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def prov(self, pool: asyncpg.Pool) -> int:
        """One check: apply the waiting tick if its facts are in, then sweep if idag has not been swept.
        Returns the computed-avslutning events the sweep caused."""
        status = await lager.klokkestatus(pool)
        if self._maal is not None and status.idag is not None and self._maal[0].dato <= status.idag:
            self._maal = None  # applied already (by another replica)
        if status.venter and status.ventende is not None:
            if self._maal is None:
                self._maal = (status.ventende, await self._barriere.maal())
            tick, maal = self._maal
            if await self._barriere.etterslep(pool, maal) == 0:
                async with pool.acquire() as conn, conn.transaction():
                    await lager.flytt_idag(conn, tick)
                self._maal = None
                status = await lager.klokkestatus(pool)
        if not status.usveipet or status.dogn is None or status.idag is None:
            return 0
        antall = await forbruker.sveip(pool, status.idag, status.dogn, batch=self._sveip_batch)
        await lager.sveipet(pool, status.idag)
        log.info(
            "day passed",
            extra={"dato": status.dogn.dato.isoformat(), "idag": status.idag.isoformat(), "computed_events": antall},
        )
        return antall

    async def vekk(self) -> None:
        """After a consumed batch: check now rather than at the next interval."""
        self._vekk.set()

    async def _kjor(self, pool: asyncpg.Pool) -> None:
        while True:
            self._vekk.clear()
            try:
                await self.prov(pool)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - an outage: the next check tries again
                log.warning("could not apply the day tick yet", extra={"error_type": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._vekk.wait(), timeout=self._intervall)

    async def start(self, pool: asyncpg.Pool) -> None:
        await self._barriere.start()
        self._task = asyncio.create_task(self._kjor(pool), name="regelmotor-dognvakt")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        await self._barriere.stop()
