"""Benchmark of the statistics (issue #17 §1): måloppnåelse for every level — landet, fylker, kommuner, Oslo's
bydeler — with personvern applied, over N avsluttede under one lov (default 1,000,000), as
`lager.statistikk.statistikk_tall` answers GET /api/v1/statistikk/{lov}. Target p95 < 300 ms.

    PYTHONPATH=. .venv/bin/python bench/rapport/bench_statistikk.py [--rows 1000000] [--runs 30]

Uses its own database (created and dropped); the rows are bench_report's, all under integreringsloven, with a
programme start 200–1,100 days before the avslutning and every third with forlengelse.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import timedelta

import asyncpg

from bench.rapport.bench_report import COLUMNS, DEFAULT_DB, IMDI, kommune, pct, records, with_db
from services.plumbing.auth import Bruker
from services.plumbing.db import apply_migrations, create_pool
from services.rapport.app import MIGRATIONS, POOL_SETTINGS
from services.rapport.lager import statistikk
from shared.kodeverk.kategorier import Lov
from shared.tilgang import Omfang, Rolle

LOV = COLUMNS.index("lov")
DATO = COLUMNS.index("avslutningsdato")


def rader(n: int):
    rnd = random.Random(3)
    for r in records(n):
        r = list(r)
        r[LOV] = Lov.INTEGRERINGSLOVEN.value
        yield (*r, r[DATO] - timedelta(days=rnd.randrange(200, 1100)), rnd.random() < 1 / 3)


async def load(pool: asyncpg.Pool, n: int) -> float:
    t = time.perf_counter()
    kolonner = [*COLUMNS, "programstart", "forlenget"]
    batch: list[tuple] = []
    async with pool.acquire() as conn:
        for r in rader(n):
            batch.append(r)
            if len(batch) == 50_000:
                await conn.copy_records_to_table("rapport_rad", records=batch, columns=kolonner)
                batch.clear()
        if batch:
            await conn.copy_records_to_table("rapport_rad", records=batch, columns=kolonner)
        await conn.execute("VACUUM ANALYZE rapport_rad, statistikk_gruppe, statistikk_arsak, statistikk_tid")
    return time.perf_counter() - t


async def maal(pool: asyncpg.Pool, bruker: Bruker, fra: int, til: int, runs: int) -> tuple[float, float, int]:
    times = []
    async with pool.acquire() as conn:
        for _ in range(runs):
            t = time.perf_counter()
            svar = await statistikk.statistikk_tall(conn, bruker, Lov.INTEGRERINGSLOVEN, fra, til)
            times.append((time.perf_counter() - t) * 1000)
    linjer = sum(len(a["linjer"]) for a in svar["aar"])
    return statistics.median(times), pct(times, 95), linjer


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    a = ap.parse_args()
    base = os.environ.get("DATABASE_URL", DEFAULT_DB)
    name = f"nir_bench_statistikk_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(base)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        pool = await create_pool(with_db(base, name), "rapport", max_size=2, server_settings=POOL_SETTINGS)
        await apply_migrations(pool, "rapport", MIGRATIONS)
        secs = await load(pool, a.rows)
        print(f"loaded {a.rows:,} rows with COPY (+ VACUUM ANALYZE) in {secs:.1f} s")
        bydel = Bruker("x", Omfang(Rolle.LESETILGANG, "0301", "030101"), "bench")
        for navn, bruker, fra, til in (
            ("IMDi, every level, 2021–2025 (all rows)", IMDI, 2021, 2025),
            ("IMDi, every level, 2023", IMDI, 2023, 2023),
            ("kommune (Vennesla), 2021–2025", kommune("4223"), 2021, 2025),
            ("Oslo bydel, 2021–2025", bydel, 2021, 2025),
        ):
            p50, p95, linjer = await maal(pool, bruker, fra, til, a.runs)
            print(f"statistikk  {navn:<42} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({linjer:,} lines)")
        await pool.close()
    finally:
        if a.keep:
            print(f"kept database {name}")
        else:
            admin = await asyncpg.connect(base)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
