"""Benchmark of a rebuild from the topics (issue #6): publish N deltakere × 5 events (DeltakerRegistrert,
KategoriEndret, vedtak om deltakelse, sluttmål, an avslutning) to fresh topics on the real broker, start
the rapport service in-process, and time until every event is projected. Reports events/s.

    PYTHONPATH=. .venv/bin/python bench/rapport/bench_rebuild.py [--deltakere 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import date, timedelta

import asyncpg

from services.plumbing.kafka import TopicNames, ensure_topics, make_broker, publish
from services.rapport.app import create_app
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.settings import RapportSettings
from tests.support.hendelser import T0, Deltaker, person

DEFAULT_DB = "postgresql://nir:nir@127.0.0.1:15432/nir"


def with_db(url: str, name: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deltakere", type=int, default=4000)
    a = ap.parse_args()
    base = os.environ.get("DATABASE_URL", DEFAULT_DB)
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    run = uuid.uuid4().hex[:8]
    name = f"nir_bench_rapport_rebuild_{run}"
    admin = await asyncpg.connect(base)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    settings = RapportSettings(
        database_url=with_db(base, name),
        kafka_bootstrap_servers=kafka,
        topic_prefix=f"bench-rapport-{run}.",
        consumer_group=f"bench-rapport-{run}",
    )
    names = TopicNames(settings.topic_prefix)
    try:
        await ensure_topics(kafka, names.specs())
        producer = make_broker(kafka, client_id="bench-rapport-producer")
        await producer.start()
        t = time.perf_counter()
        n = 0
        for i in range(a.deltakere):
            d = Deltaker()
            start = date(2021, 1, 4) + timedelta(days=i % 700)
            for e in (
                *d.registrering(person(f"{300000000000 + i:012d}", "Åse", f"Bench{i}")),
                d.kategori(Kategori.RETT_OG_PLIKT, start),
                d.vedtak(fra=start, til=start + timedelta(days=700), vedtaksdato=start - timedelta(days=10)),
                d.sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, start),
                d.kommune_avslutning(start + timedelta(days=300), Kode.ARBEID, t=T0),
            ):
                await publish(producer, e, names=names)
                n += 1
        await producer.stop()
        print(f"published {n:,} events in {time.perf_counter() - t:.1f} s")

        conn = await asyncpg.connect(settings.database_url)
        app = create_app(settings)
        t = time.perf_counter()
        async with app.router.lifespan_context(app):
            started = time.perf_counter()
            while True:
                done = await conn.fetchval("SELECT count(*) FROM rapport.processed_events")
                if done >= n:
                    break
                await asyncio.sleep(0.1)  # the resolution of the figure: a rebuild now takes seconds
            seconds = time.perf_counter() - started
        rows = await conn.fetchval("SELECT count(*) FROM rapport.rapport_rad")
        await conn.close()
        print(
            f"projected {n:,} events in {seconds:.1f} s after start ({n / seconds:,.0f} events/s); "
            f"{rows:,} report rows; start-up {started - t:.1f} s"
        )
    finally:
        admin = await asyncpg.connect(base)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
