"""No computed avslutning that was never true (issue #11 §2), with processes killed by SIGKILL: a day tick is
never decided ahead of facts published before it (services/regelmotor/innhenting.py), so no deltaker gets an
«Utgått oppstartsfrist» (or any computed avslutning) created and then retracted, and nothing shows as
«(slettet)» that the facts never justified. Also measured: how soon a killed regelmotor consumes again.

Each test runs its own small system (registrering, regelmotor with its clock off, rapport) in its own
database and topics, so it controls the day."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from shared.events import topics
from tests.conftest import fresh_database
from tests.e2e.nir import Nir
from tests.e2e.system import System
from tests.support.naming import run_id
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

KOMMUNE = "4223"
BOSATT = date(2021, 1, 5)  # oppstartsfrist 04.01.2023: passed on every day these tests tick
START = date(2021, 3, 1)  # vedtak and sluttmål within the oppstartsfrist: it is met
REGELMOTOR_INN = (topics.DELTAKER, topics.VEDTAK, topics.AVSLUTNING, topics.FOLKEREGISTER, topics.KLOKKE)


@asynccontextmanager
async def system(infrastructure, kafka_bootstrap: str, workdir: Path) -> AsyncIterator[Nir]:
    async with fresh_database(infrastructure) as database_url:
        s = System(kafka_bootstrap, database_url, f"e2e-{run_id()}.", workdir)
        s.add("registrering", "services.registrering")
        s.add("regelmotor", "services.regelmotor", KLOKKE_AKTIV="false")
        s.add("rapport", "services.rapport")
        try:
            await s.start()
            async with httpx.AsyncClient(timeout=30) as client:
                yield Nir(s, client, tick_etter_fakta=False)
        finally:
            await s.stop()


async def i_program(nir: Nir, kommuneavslutning: bool = False) -> dict:
    d = await nir.i_program(KOMMUNE, START, bosettingsdato=BOSATT, fornavn="Falsk", etternavn="Alarm")
    if kommuneavslutning:
        await nir.avslutt(d, "ARBEID", date(2022, 12, 1), timer="30.0", bekreft=True)
    return d


async def applied(nir: Nir, dato: date) -> None:
    """The regelmotor has applied the day, swept it, decided every record on its topics, published its outbox."""

    async def done() -> bool:
        [k] = await nir.system.fetch("SELECT idag, sveipet_til, ventende FROM regelmotor.klokke")
        assert k["idag"] == dato and k["sveipet_til"] == dato and k["ventende"] is None, dict(k)
        behind = await nir.system.caught_up("regelmotor", "regelmotor", REGELMOTOR_INN)
        assert behind == 0, f"{behind} records not yet decided"
        [o] = await nir.system.fetch("SELECT count(*) AS n FROM regelmotor.outbox WHERE published_at IS NULL")
        assert o["n"] == 0, "outbox not drained"
        return True

    await eventually(done, timeout=120, what=f"the regelmotor at {dato}")


async def computed(nir: Nir, persons: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """Per person: the distinct computed-avslutning events (type, årsak), in topic order."""
    ids = {d["deltaker_id"] for d in persons}
    seen: set[str] = set()
    out: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    for e in await nir.system.read_topic(topics.BEREGNET_AVSLUTNING):
        if e["deltaker_id"] in ids and e["event_id"] not in seen:
            seen.add(e["event_id"])
            out[e["deltaker_id"]].append((e["type"], e["arsak"]))
    return out


def created_then_retracted(events: dict[str, list[tuple[str, str]]]) -> int:
    return sum(1 for evs in events.values() for typ, _ in evs if typ == "BeregnetAvslutningTrukketTilbake")


async def restart_to_consuming(nir: Nir, service: str = "regelmotor") -> tuple[float, float]:
    """SIGKILL, start again: (seconds from the new process's start until it has decided a record (its
    positions move), of which after it reported ready). A re-announced day (a tick for the latest day: a record
    that changes nothing) makes sure there is something to read."""
    process = nir.system.processes[service]
    await process.kill9()
    if nir.siste_tick is not None:
        await nir.system.tick(nir.siste_tick)
    started = datetime.now(UTC)
    t0 = time.monotonic()
    await process.start()
    ready = time.monotonic() - t0

    async def consuming() -> bool:
        [r] = await nir.system.fetch(f"SELECT max(updated_at) AS t FROM {service}.consumer_position")
        assert r["t"] is not None and r["t"] > started, "no batch decided since the restart"
        return True

    await eventually(consuming, timeout=60, what=f"{service} consuming after restart")
    took = time.monotonic() - t0
    print(f"\n[e2e] {service} restarted: ready after {ready:.2f} s, consuming after {took:.2f} s")
    return took, took - ready


async def test_ticket_mens_regelmotoren_var_nede_venter_pa_faktaene(infrastructure, kafka_bootstrap, tmp_path):
    """The issue's reproduction: the regelmotor killed, 40 persons registered with vedtak and sluttmål, the next
    day's tick published, the regelmotor started: no false «Utgått oppstartsfrist», created or retracted.
    The persons are known to the regelmotor before it is killed (their DeltakerRegistrert decided on the day
    before), so a tick applied ahead of their vedtak would find the oppstartsfrist passed without one."""
    async with system(infrastructure, kafka_bootstrap, tmp_path) as nir:
        await nir.tick(date(2023, 1, 10))
        await applied(nir, date(2023, 1, 10))
        persons = [
            await nir.ny_deltaker(KOMMUNE, bosettingsdato=BOSATT, fornavn="Falsk", etternavn="Alarm") for _ in range(40)
        ]
        await applied(nir, date(2023, 1, 10))  # every DeltakerRegistrert decided
        await nir.system.processes["regelmotor"].kill9()
        for d in persons:
            await nir.vedtak(d, "DELTAKELSE", START, date(2023, 2, 28), vedtaksdato=START)
            await nir.sluttmal(d, "ARBEID_HAR_IKKE_VGO", START)
        await nir.tick(date(2023, 1, 11))
        started = datetime.now(UTC)
        t0 = time.monotonic()
        await nir.system.processes["regelmotor"].start()
        await applied(nir, date(2023, 1, 11))
        [r] = await nir.system.fetch(
            "SELECT min(updated_at) AS t FROM regelmotor.consumer_position WHERE updated_at > $1", started
        )
        print(
            f"\n[e2e] regelmotor restart → first decided batch: {(r['t'] - started).total_seconds():.2f} s"
            f" (ready and caught up after {time.monotonic() - t0:.2f} s)"
        )

        events = await computed(nir, persons)
        assert created_then_retracted(events) == 0, events
        assert all(evs == [] for evs in events.values()), events  # every oppstartsfrist was met
        for d in random.sample(persons, 5):
            assert [x for x in await nir.historikklinjer(d) if x["status"] == "slettet"] == []

        # and when the gjennomføringsfrist passes, each gets exactly the one avslutning that is true
        await nir.tick(date(2023, 3, 10))
        await applied(nir, date(2023, 3, 10))
        events = await computed(nir, persons)
        assert all(
            evs == [("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT")] for evs in events.values()
        ), events


class Dognskifte:
    """Days change between registrations, not in the middle of one: a person registered with vedtak and
    sluttmål is one fact for the rules, and a day boundary between its POSTs would make «no vedtak by the
    oppstartsfrist» true for a moment (a late registration, retracted when the vedtak comes — correct, but not
    what this test is about). Registrations share the gate; a tick takes it alone, once registrering has
    published what it stored (a fact still in its outbox is not yet published: a tick may overtake it)."""

    def __init__(self) -> None:
        self._inne = 0
        self._ledig = asyncio.Condition()
        self._tick = asyncio.Lock()

    @asynccontextmanager
    async def registrering(self) -> AsyncIterator[None]:
        async with self._tick:
            self._inne += 1
        try:
            yield
        finally:
            async with self._ledig:
                self._inne -= 1
                self._ledig.notify_all()

    @asynccontextmanager
    async def tick(self, nir: Nir) -> AsyncIterator[None]:
        async with self._tick, self._ledig:
            await self._ledig.wait_for(lambda: self._inne == 0)

            async def publisert() -> bool:
                [r] = await nir.system.fetch("SELECT count(*) AS n FROM registrering.outbox WHERE published_at IS NULL")
                assert r["n"] == 0, f"{r['n']} events in registrering's outbox"
                return True

            await eventually(publisert, what="registrering's outbox published")
            yield


async def test_fem_krasj_under_en_kjoring_gir_ingen_falske_avslutninger(infrastructure, kafka_bootstrap, tmp_path):
    """450 persons registered while the days tick by and the regelmotor is killed with SIGKILL five times:
    afterwards every expected computed avslutning exists exactly once, and none was created and retracted."""
    async with system(infrastructure, kafka_bootstrap, tmp_path) as nir:
        await nir.tick(date(2023, 1, 10))
        await applied(nir, date(2023, 1, 10))
        with_kommune = set(range(0, 450, 3))
        persons: list[dict] = [{} for _ in range(450)]
        queue = list(range(450))
        gate = Dognskifte()

        async def register() -> None:
            while queue:
                i = queue.pop()
                async with gate.registrering():
                    persons[i] = await i_program(nir, kommuneavslutning=i in with_kommune)

        async def days() -> None:  # before the gjennomføringsfrist (28.02.2023): no avslutning is due yet
            day = date(2023, 1, 11)
            while queue and day < date(2023, 2, 20):
                async with gate.tick(nir):
                    await nir.tick(day)
                day = date.fromordinal(day.toordinal() + 1)
                await asyncio.sleep(0.5)

        restarts: list[tuple[float, float]] = []

        async def crashes() -> None:
            for _ in range(5):
                await asyncio.sleep(3)
                restarts.append(await restart_to_consuming(nir))

        await asyncio.gather(*(register() for _ in range(6)), days(), crashes())
        await nir.tick(date(2023, 3, 10))
        await applied(nir, date(2023, 3, 10))
        print(
            f"\n[e2e] regelmotor restart → consuming (5 × SIGKILL): {', '.join(f'{t:.2f}' for t, _ in restarts)} s;"
            f" after ready: {', '.join(f'{t:.2f}' for _, t in restarts)} s"
        )

        events = await computed(nir, persons)
        assert created_then_retracted(events) == 0, Counter(a for evs in events.values() for _, a in evs)
        for i, d in enumerate(persons):
            expected = (
                [] if i in with_kommune else [("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT")]
            )
            assert events[d["deltaker_id"]] == expected, (i, events[d["deltaker_id"]])
        # The old consumer-group rejoin took ~23 s after the process was up; with static membership the restarted
        # process takes its partitions back at once. What is left is the interpreter's start-up (≈3.5 s of CPU,
        # longer on 2 busy cores), which this test does not bound: it depends on the machine's load.
        assert max(after_ready for _, after_ready in restarts) < 5, restarts
