"""Regelmotor benchmarks on the real broker and PostgreSQL (issue #4 «Benchmark»). Run by hand:

    .venv/bin/python bench/regelmotor/bench.py strom --deltakere 20000     # events/s through the engine
    .venv/bin/python bench/regelmotor/bench.py sveip --deltakere 200000    # one day tick expiring 1 %
    .venv/bin/python bench/regelmotor/bench.py dogn --deltakere 2000 --ticks 100   # idle ticks, then a catch-up

Each run uses its own database and topic prefix and drops the database afterwards. `strom` publishes five
facts per deltaker (registrert, kategori, vedtak om program, sluttmål, and in turn gyldig fravær, død, a
kommune avslutning, utvandring or flytting) on four topics before
the service starts, then times the service consuming them all. `sveip` writes the deltakere's state straight
into the regelmotor's table (binary COPY; frister spread over two years, 1 % on the day before the tick),
publishes one DognPassert, and times until every computed avslutning is published from the outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from aiokafka import AIOKafkaProducer  # noqa: E402

from services.plumbing.kafka import TopicNames, encode, ensure_topics, headers_for  # noqa: E402
from services.regelmotor.app import create_app  # noqa: E402
from services.regelmotor.domain import Frister, Tilstand, anvend, frister  # noqa: E402
from shared.events import topics  # noqa: E402
from shared.events.envelope import DeltakerEvent  # noqa: E402
from shared.regelverk.frister import legg_til_maaneder  # noqa: E402
from shared.settings import RegelmotorSettings  # noqa: E402
from tests.support.hendelser import Deltaker, dogn  # noqa: E402
from tests.support.infrastructure import resolve  # noqa: E402


def _db(url: str, name: str) -> str:
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, f"/{name}", u.query, u.fragment))


async def _service(infra, prefix: str, stack: AsyncExitStack):
    name = f"nir_bench_regelmotor_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(infra.database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()

    async def drop() -> None:
        a = await asyncpg.connect(infra.database_url)
        await a.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await a.close()

    stack.push_async_callback(drop)
    settings = RegelmotorSettings(
        kafka_bootstrap_servers=infra.kafka_bootstrap_servers,
        database_url=_db(infra.database_url, name),
        topic_prefix=prefix,
        consumer_group=f"bench-{prefix}",
        klokke_aktiv=False,
        log_level="WARNING",
    )
    app = create_app(settings)
    return app, settings


async def strom(n: int) -> None:
    import logging

    logging.disable(logging.INFO)
    infra = resolve()
    prefix = f"bench-regelmotor-{uuid.uuid4().hex[:8]}."
    names = TopicNames(prefix)
    await ensure_topics(infra.kafka_bootstrap_servers, names.specs())
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers, linger_ms=20)
    await producer.start()
    t0 = time.perf_counter()
    events = []
    for i in range(n):
        f = Deltaker()
        valg: list[Callable[[], DeltakerEvent]] = [
            partial(f.fravaer, date(2022, 2, 1), date(2022, 2, 3)),
            partial(f.dod, date(2023, 1, 3)),
            partial(f.kommune_avslutning, date(2023, 6, 1)),
            partial(f.utvandret, date(2022, 8, 1)),
            partial(f.flyttet, date(2022, 9, 1)),
        ]
        femte = valg[i % 5]
        events += f.program() + [femte()]
    futures = [
        await producer.send(
            names(topics.topic_of(e)),
            encode(e),
            key=e.message_key(),
            headers=[(k, v.encode()) for k, v in headers_for(e).items()],
        )
        for e in events
    ]
    await asyncio.gather(*futures)
    await producer.stop()
    print(f"published {len(events)} events in {time.perf_counter() - t0:.1f} s")
    async with AsyncExitStack() as stack:
        app, _ = await _service(infra, prefix, stack)
        t0 = time.perf_counter()
        await stack.enter_async_context(app.router.lifespan_context(app))
        pool = app.state.runtime.pool
        start = time.perf_counter()
        ved_start = await pool.fetchval("SELECT count(*) FROM processed_events")
        print(f"service started in {start - t0:.1f} s (consumer group joins; {ved_start} events already done)")
        last = 0
        while True:
            done = await pool.fetchval("SELECT count(*) FROM processed_events")
            if done >= len(events):
                break
            if time.perf_counter() - start > 900:
                print(f"gave up after 900 s at {done} events")
                break
            if done // 10000 != last // 10000:
                print(f"  {done} events after {time.perf_counter() - t0:.1f} s")
            last = done
            await asyncio.sleep(0.5)
        slutt = time.perf_counter()
        rows = await pool.fetchval("SELECT count(*) FROM deltaker_tilstand")
        print(
            f"RESULT strom: {done} events for {rows} deltakere in {slutt - t0:.1f} s from service start ="
            f" {done / (slutt - t0):.0f} events/s (incl. startup and consumer group joins);"
            f" after startup {done - ved_start} events in {slutt - start:.1f} s"
        )


async def sveip(n: int, andel: float) -> None:
    import logging

    logging.disable(logging.INFO)
    infra = resolve()
    prefix = f"bench-regelmotor-{uuid.uuid4().hex[:8]}."
    tick_dag = date(2025, 1, 1)
    rnd = random.Random(4)
    # One template state per programme start; frister then spread over two years from the tick.
    maler: dict[date, tuple[dict[str, Any], Frister]] = {}
    f = Deltaker(uuid.UUID(int=0))
    base = Tilstand.ny(f.deltaker_id)
    for e in f.program():
        base = anvend(base, e)
    base = base.model_copy(update={"idag": tick_dag - timedelta(days=1)})

    def mal(frist: date) -> tuple[dict[str, Any], Frister]:
        start = legg_til_maaneder(frist + timedelta(days=1), -24)  # 24 months for this sluttmål
        if start not in maler:
            t = base.model_copy(deep=True)
            vid = next(iter(t.vedtak))
            t.vedtak[vid] = t.vedtak[vid].model_copy(update={"fra": start})
            maler[start] = (t.model_dump(mode="json"), frister(t))
        return maler[start]

    rows = []
    utlopende = int(n * andel)
    for i in range(n):
        frist = tick_dag - timedelta(days=1) if i < utlopende else tick_dag + timedelta(days=rnd.randrange(0, 730))
        data, fr = mal(frist)
        did = uuid.uuid4()
        rows.append(
            (
                did,
                json.dumps({**data, "deltaker_id": str(did)}),
                fr.gjennomforingsfrist,
                fr.oppstartsfrist,
                fr.neste_tidsfrist,
            )
        )
    expiring = sum(1 for r in rows if r[4] is not None and r[4] < tick_dag)
    async with AsyncExitStack() as stack:
        app, settings = await _service(infra, prefix, stack)
        await stack.enter_async_context(app.router.lifespan_context(app))
        runtime = app.state.runtime
        conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": "regelmotor"})
        t0 = time.perf_counter()
        await conn.copy_records_to_table(
            "deltaker_tilstand",
            records=rows,
            columns=["deltaker_id", "tilstand", "gjennomforingsfrist", "oppstartsfrist", "neste_tidsfrist"],
        )
        await conn.execute("UPDATE klokke SET idag = $1", tick_dag - timedelta(days=1))
        await conn.execute("ANALYZE deltaker_tilstand")
        print(f"seeded {n} deltakere ({expiring} expiring) in {time.perf_counter() - t0:.1f} s")
        plan = await conn.fetch(
            "EXPLAIN SELECT tilstand FROM deltaker_tilstand WHERE neste_tidsfrist < $1"
            " ORDER BY neste_tidsfrist, deltaker_id LIMIT 500",
            tick_dag,
        )
        print("plan:", " | ".join(r[0].strip() for r in plan))
        await conn.close()
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers)
        await producer.start()
        tick = dogn(tick_dag)
        t0 = time.perf_counter()
        await producer.send_and_wait(
            TopicNames(prefix)(topics.KLOKKE),
            encode(tick),
            key=tick.message_key(),
            headers=[(k, v.encode()) for k, v in headers_for(tick).items()],
        )
        await producer.stop()
        while True:
            sent = await runtime.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL")
            if sent >= expiring or time.perf_counter() - t0 > 600:
                break
            await asyncio.sleep(0.2)
        secs = time.perf_counter() - t0
        print(
            f"RESULT sveip: {n} deltakere, tick expired {expiring}: {sent} computed avslutninger published"
            f" {secs:.1f} s after the tick was published"
        )


async def dogn_uten_frister(n: int, ticks: int) -> None:
    """Idle days (issue #11: «a tick with nothing due costs ~1 s»): n deltakere with no frist near, then
    `ticks` consecutive day ticks one at a time, each timed from its publication until it is applied and swept;
    then the same number published at once (a catch-up after downtime), timed until the last is applied."""
    import logging

    logging.disable(logging.INFO)
    infra = resolve()
    prefix = f"bench-regelmotor-{uuid.uuid4().hex[:8]}."
    names = TopicNames(prefix)
    await ensure_topics(infra.kafka_bootstrap_servers, names.specs())
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap_servers, linger_ms=5)
    await producer.start()
    events = [e for _ in range(n) for e in Deltaker().program()]
    await asyncio.gather(
        *[
            await producer.send(
                names(topics.topic_of(e)),
                encode(e),
                key=e.message_key(),
                headers=[(k, v.encode()) for k, v in headers_for(e).items()],
            )
            for e in events
        ]
    )
    dag = date(2022, 1, 1)  # every frist of Deltaker's programme lies ahead
    async with AsyncExitStack() as stack:
        app, _ = await _service(infra, prefix, stack)
        await stack.enter_async_context(app.router.lifespan_context(app))
        pool = app.state.runtime.pool

        async def til(d: date) -> None:
            while await pool.fetchval("SELECT sveipet_til FROM klokke") != d:
                await asyncio.sleep(0.01)

        async def send(d: date) -> None:
            t = dogn(d)
            await producer.send_and_wait(
                names(topics.KLOKKE),
                encode(t),
                key=t.message_key(),
                headers=[(k, v.encode()) for k, v in headers_for(t).items()],
            )

        while await pool.fetchval("SELECT count(*) FROM processed_events") < len(events):
            await asyncio.sleep(0.2)
        enkelt = []
        for i in range(ticks):
            d = dag + timedelta(days=i)
            t0 = time.perf_counter()
            await send(d)
            await til(d)
            enkelt.append(time.perf_counter() - t0)
        enkelt.sort()
        t0 = time.perf_counter()
        siste = dag + timedelta(days=2 * ticks - 1)
        for i in range(ticks, 2 * ticks):
            await send(dag + timedelta(days=i))
        await til(siste)
        samlet = time.perf_counter() - t0
        print(
            f"RESULT dogn: {n} deltakere, {ticks} idle ticks one at a time: median"
            f" {enkelt[len(enkelt) // 2] * 1000:.0f} ms, max {enkelt[-1] * 1000:.0f} ms from publication to applied"
            f" and swept; {ticks} more at once (catch-up): {samlet:.2f} s until the last was applied"
        )
    await producer.stop()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("hva", choices=["strom", "sveip", "dogn"])
    p.add_argument("--ticks", type=int, default=100)
    p.add_argument("--deltakere", type=int, default=20000)
    p.add_argument("--andel", type=float, default=0.01)
    a = p.parse_args()
    asyncio.run(
        strom(a.deltakere)
        if a.hva == "strom"
        else sveip(a.deltakere, a.andel)
        if a.hva == "sveip"
        else dogn_uten_frister(a.deltakere, a.ticks)
    )


if __name__ == "__main__":
    main()
