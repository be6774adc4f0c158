"""Two replicas in one consumer group (issue #11 §2 «Two replicas»), as separate processes: two regelmotorer
with their clocks on and two rapport instances, one of each killed with SIGKILL in the middle of a run and
not restarted. The clock publishes each day once, the day's sweep is not doubled, and no effect is lost or
doubled: every person gets exactly the computed avslutning the facts demand, and one report row."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import httpx
import pytest

from shared.events import topics
from tests.conftest import fresh_database
from tests.e2e.nir import Nir
from tests.e2e.system import System
from tests.e2e.test_ingen_falske import BOSATT, KOMMUNE, REGELMOTOR_INN, START, computed
from tests.support.naming import run_id
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

RAPPORT_INN = (topics.DELTAKER, topics.IDENTITET, topics.VEDTAK, topics.AVSLUTNING, topics.BEREGNET_AVSLUTNING)
DAG = date(2027, 1, 4)  # a day after the real clock's: the frister (28.02.2023) have long passed
NESTE = date(2027, 1, 5)


async def test_to_replikaer_av_regelmotor_og_rapport_der_en_av_hver_drepes(
    infrastructure, kafka_bootstrap, tmp_path: Path
):
    async with fresh_database(infrastructure) as database_url:
        s = System(kafka_bootstrap, database_url, f"e2e-{run_id()}.", tmp_path)
        s.add("registrering", "services.registrering")
        for name in ("regelmotor-a", "regelmotor-b"):
            s.add(name, "services.regelmotor", group="regelmotor")
        for name in ("rapport-a", "rapport-b"):
            s.add(name, "services.rapport", group="rapport")
        try:
            await s.start()
            async with httpx.AsyncClient(timeout=30) as client:
                await run(Nir(s, client, tick_etter_fakta=False))
        finally:
            await s.stop()


async def run(nir: Nir) -> None:
    s = nir.system
    # both clocks ran at start: today's tick is on the topic once
    ticks = await s.read_topic(topics.KLOKKE)
    assert len(ticks) == 1, ticks

    with_kommune = set(range(0, 120, 4))
    persons: list[dict] = [{} for _ in range(120)]
    queue = list(range(120))

    async def register() -> None:
        while queue:
            i = queue.pop()
            d = await nir.i_program(KOMMUNE, START, bosettingsdato=BOSATT, fornavn="Replika", etternavn="Test")
            if i in with_kommune:
                await nir.avslutt(d, "ARBEID", date(2022, 12, 1), timer="30.0", bekreft=True)
            persons[i] = d

    async def kill_one_of_each() -> None:
        await asyncio.sleep(2)
        await s.processes["regelmotor-a"].kill9()
        await s.processes["rapport-b"].kill9()

    await asyncio.gather(*(register() for _ in range(4)), kill_one_of_each())
    # The killed regelmotor's partitions wait for its session to time out; persons read from them while DAG
    # waits for its facts count as known from DAG (services/regelmotor/README.md), so their passed frister are
    # decided by the next day's tick: two ticks, and every person is decided.
    await nir.tick(DAG)
    await settle(nir, DAG)
    await nir.tick(NESTE)
    await settle(nir, NESTE)
    await eventually(lambda: _rapport_caught_up(nir), timeout=60, what="rapport caught up with the regelmotor")

    events = await computed(nir, persons)
    for i, d in enumerate(persons):
        expected = [] if i in with_kommune else [("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT")]
        assert events[d["deltaker_id"]] == expected, (i, events[d["deltaker_id"]])

    # the report: one row per person with the avslutning in force, each version projected once
    rows = await s.fetch("SELECT deltaker_id::text AS d, arsak FROM rapport.rapport_rad")
    by_person = {r["d"]: r["arsak"] for r in rows}
    for i, d in enumerate(persons):
        assert by_person.get(d["deltaker_id"]) == (
            "ARBEID" if i in with_kommune else "AVSLUTNINGSARSAK_IKKE_REGISTRERT"
        )
    [dup] = await s.fetch(
        "SELECT count(*) AS n FROM (SELECT avslutning_id, versjon FROM rapport.avslutning_versjon"
        " GROUP BY 1, 2 HAVING count(*) > 1) x"
    )
    assert dup["n"] == 0
    assert len(await s.read_topic(topics.KLOKKE)) == 3  # today's (once) and the test's two


async def settle(nir: Nir, dag: date) -> None:
    s = nir.system

    async def settled() -> bool:
        [k] = await s.fetch("SELECT idag, sveipet_til, ventende FROM regelmotor.klokke")
        assert k["idag"] == dag and k["sveipet_til"] == dag and k["ventende"] is None, dict(k)
        assert await s.caught_up("regelmotor", "regelmotor", REGELMOTOR_INN) == 0
        [o] = await s.fetch(
            "SELECT (SELECT count(*) FROM regelmotor.outbox WHERE published_at IS NULL)"
            " + (SELECT count(*) FROM registrering.outbox WHERE published_at IS NULL) AS n"
        )
        assert o["n"] == 0
        return True

    await eventually(settled, timeout=120, what=f"the surviving replicas caught up at {dag}")


async def _rapport_caught_up(nir: Nir) -> bool:
    assert await nir.system.caught_up("rapport", "rapport-projeksjon", RAPPORT_INN) == 0
    return True
