"""«Last ned Excel-fil» for 100,000 rows (issue #17 §2: < 5 s, flat memory < 200 MB RSS).

    PYTHONPATH=. .venv/bin/python bench/rapport/bench_xlsx.py [--rows 100000]

Loads N report rows (all Oslo, integreringsloven) into a database of its own with binary COPY, then streams the
workbook through the same code the endpoint uses (sporringer.csv_batches with XLSX_KOLONNER → xlsx_export.xlsx_bytes)
and reports the seconds, the file size, the peak RSS of this process (ru_maxrss: everything, Python included)
and the RSS before the export; then the same for 100 rows, to show memory does not grow with the file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
import uuid

import asyncpg

from bench.rapport.bench_report import COLUMNS, DEFAULT_DB, records, with_db
from services.plumbing.auth import Bruker
from services.plumbing.db import apply_migrations, create_pool
from services.rapport import xlsx_export
from services.rapport.api import filterlinje
from services.rapport.app import MIGRATIONS, POOL_SETTINGS
from services.rapport.lager import sporringer
from shared.kodeverk.kategorier import Lov
from shared.tilgang import Omfang, Rolle


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def load_oslo(pool: asyncpg.Pool, n: int) -> None:
    # every 10th synthetic row is in Oslo: take n of those
    oslo = (r for r in records(n * 10) if r[24] == "0301")
    batch: list[tuple] = []
    async with pool.acquire() as conn:
        for r in oslo:
            batch.append(r)
            if len(batch) == 20_000:
                await conn.copy_records_to_table("rapport_rad", records=batch, columns=COLUMNS)
                batch.clear()
        if batch:
            await conn.copy_records_to_table("rapport_rad", records=batch, columns=COLUMNS)
        await conn.execute("VACUUM ANALYZE rapport_rad")


async def export(pool: asyncpg.Pool, f: sporringer.Filter) -> tuple[float, int]:
    bruker = Bruker("x", Omfang(Rolle.LESETILGANG, "0301"), "bench")
    t = time.perf_counter()
    size = 0
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = sporringer.csv_batches(conn, bruker, f, kolonner=sporringer.XLSX_KOLONNER)
        async for chunk in xlsx_export.xlsx_bytes("Oversikt", filterlinje(f), rows):
            size += len(chunk)
    return time.perf_counter() - t, size


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    a = ap.parse_args()
    base = os.environ.get("DATABASE_URL", DEFAULT_DB)
    name = f"nir_bench_xlsx_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(base)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        pool = await create_pool(with_db(base, name), "rapport", max_size=2, server_settings=POOL_SETTINGS)
        await apply_migrations(pool, "rapport", MIGRATIONS)
        await load_oslo(pool, a.rows)
        n = await pool.fetchval("SELECT count(*) FROM rapport_rad")
        small = sporringer.Filter(lov=Lov.INTEGRERINGSLOVEN, duf_nummer="2000000001")
        await export(pool, small)  # warm up (imports, first plan)
        before = rss_mb()
        s_small, size_small = await export(pool, small)
        after_small = peak_rss_mb()
        s_big, size_big = await export(pool, sporringer.Filter(lov=Lov.INTEGRERINGSLOVEN))
        after_big = peak_rss_mb()
        print(
            f"xlsx  {n:,} rows: {s_big:.2f} s, {size_big / 1e6:.1f} MB file; RSS before {before:.0f} MB,"
            f" peak after the small export {after_small:.0f} MB, after the big one {after_big:.0f} MB"
        )
        print(f"xlsx  small export: {s_small:.2f} s, {size_small / 1e3:.1f} kB")
        await pool.close()
    finally:
        admin = await asyncpg.connect(base)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
