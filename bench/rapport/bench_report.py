"""Benchmark of the rapport read model (issue #6): 1,000,000 avsluttede deltakere loaded with COPY, then
  - a filtered page (kommune user, 25 rows, with count): p50/p95 over many requests, target p95 < 100 ms
  - a CSV of 100,000 rows through the server-side cursor: seconds (target < 3 s) and peak Python memory,
    compared with a CSV of 100 rows (flat memory)

    PYTHONPATH=. .venv/bin/python bench/rapport/bench_report.py [--rows 1000000] [--runs 200]

Uses its own database (created and dropped) on the server in DATABASE_URL or the local one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from services.plumbing.auth import Bruker
from services.plumbing.db import apply_migrations, create_pool
from services.rapport import csv_export
from services.rapport.app import MIGRATIONS, POOL_SETTINGS
from services.rapport.domain import sorteringsnokkel
from services.rapport.lager import sporringer
from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, avslutningsarsak
from shared.kodeverk.kategorier import KATEGORINAVN, Kategori, Lov
from shared.kodeverk.sluttmal import SLUTTMALNAVN, Sluttmalkode
from shared.tilgang import Omfang, Rolle

DEFAULT_DB = "postgresql://nir:nir@127.0.0.1:15432/nir"
FORNAVN = ["Åse", "Ørjan", "Æsa", "Bjørn", "Amina", "Ola", "Kari", "Mohammed", "Fatima", "Tesfay", "Yohannes", "Liv"]
ETTERNAVN = ["Haddad", "Øvrebø", "Ås", "Nordmann", "Ahmed", "Tesfaye", "Berhe", "Hansen", "Ærø", "Mohammad", "Olsen"]


IMDI = Bruker("x", Omfang(Rolle.IMDI), "bench")


def kommune(kommunenummer: str) -> Bruker:
    return Bruker("x", Omfang(Rolle.LESETILGANG, kommunenummer), "bench")


def with_db(url: str, name: str) -> str:
    u = urlsplit(url)
    return urlunsplit((u.scheme, u.netloc, f"/{name}", u.query, u.fragment))


def records(n: int, seed: int = 7):
    """n rows: 10 % in Oslo (so one kommune's CSV has 100,000 rows at 1M), the rest spread over all kommuner."""
    rnd = random.Random(seed)
    kommuner = [k for k in geografi.kommuner().values() if k.kommunenummer != "0301"]
    fylker = geografi.fylker()
    bydeler = geografi.bydeler_i("0301")
    arsaker = [avslutningsarsak(k) for k in Avslutningsarsakkode]
    sluttmal = list(Sluttmalkode)[:7]
    t0 = datetime(2022, 1, 1, tzinfo=UTC)
    for i in range(n):
        oslo = i % 10 == 0
        k = geografi.kommuner()["0301"] if oslo else kommuner[rnd.randrange(len(kommuner))]
        by = bydeler[rnd.randrange(len(bydeler))] if oslo else None
        a = arsaker[rnd.randrange(len(arsaker))]
        regelmotor = (a.beregnes_av_regelmotor and not a.kan_registreres_av_kommunen) or rnd.random() < 0.1
        dato = date(2021, 1, 1) + timedelta(days=rnd.randrange(5 * 365))
        fodt = date(1960, 1, 1) + timedelta(days=rnd.randrange(40 * 365))
        kat = Kategori.RETT_OG_PLIKT if rnd.random() < 0.8 else Kategori.KAN_TILBYS
        sm = sluttmal[rnd.randrange(len(sluttmal))]
        lov = Lov.INTEGRERINGSLOVEN if oslo or rnd.random() < 0.85 else Lov.INTRODUKSJONSLOVEN
        alder = dato.year - fodt.year - ((dato.month, dato.day) < (fodt.month, fodt.day))
        fornavn, etternavn = FORNAVN[rnd.randrange(12)], ETTERNAVN[rnd.randrange(11)] + f"{i % 1000:03d}"
        yield (
            uuid.UUID(int=i + 1),
            lov.value,
            f"{200000000000 + i:012d}",
            fornavn,
            etternavn,
            sorteringsnokkel(fornavn),
            sorteringsnokkel(etternavn),
            "K" if i % 2 else "M",
            fodt,
            alder,
            kat.value,
            KATEGORINAVN[kat],
            sm.value,
            SLUTTMALNAVN[sm],
            uuid.UUID(int=10**12 + i),
            a.avslutningstype.value,
            a.kode.value,
            a.navn,
            a.gruppe.value,
            dato,
            dato.year,
            "regelmotor" if regelmotor else "kommune",
            "Regelmotor" if regelmotor else f"{k.kommunenummer}-BEN",
            t0 + timedelta(seconds=i),
            k.kommunenummer,
            k.navn,
            by.bydelsnummer if by else None,
            by.navn if by else None,
            k.fylkesnummer,
            fylker[k.fylkesnummer].navn,
            dato + timedelta(days=30),
        )


COLUMNS = [
    "deltaker_id",
    "lov",
    "duf_nummer",
    "fornavn",
    "etternavn",
    "fornavn_sort",
    "etternavn_sort",
    "kjonn",
    "fodselsdato",
    "alder",
    "kategori",
    "kategori_navn",
    "sluttmal",
    "sluttmal_navn",
    "avslutning_id",
    "avslutningstype",
    "arsak",
    "arsak_navn",
    "gruppe",
    "avslutningsdato",
    "avslutningsaar",
    "kilde",
    "registrert_av",
    "registrert_dato",
    "oppfolgingskommune",
    "kommune_navn",
    "bydel",
    "bydel_navn",
    "oppfolgingsfylke",
    "fylke_navn",
    "frist_gjennomforing",
]


ROWS = 1_000_000


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def load(pool: asyncpg.Pool, n: int) -> float:
    t = time.perf_counter()
    batch: list[tuple] = []
    async with pool.acquire() as conn:
        for r in records(n):
            batch.append(r)
            if len(batch) == 50_000:
                await conn.copy_records_to_table("rapport_rad", records=batch, columns=COLUMNS)
                batch.clear()
        if batch:
            await conn.copy_records_to_table("rapport_rad", records=batch, columns=COLUMNS)
        await conn.execute("VACUUM ANALYZE rapport_rad")
    return time.perf_counter() - t


async def pages(pool: asyncpg.Pool, runs: int) -> dict[str, dict[str, float]]:
    rnd = random.Random(1)
    kommuner = [k for k in geografi.kommuner() if k != "0301"]
    # (who asks, the filter, side()'s paging and sorting)
    scenarios: dict[str, Callable[[], tuple[Bruker, dict[str, Any], dict[str, Any]]]] = {
        "kommune, default sort": lambda: (kommune(rnd.choice(kommuner)), {}, {}),
        "kommune, regelmotor + year": lambda: (
            kommune(rnd.choice(kommuner)),
            {"registrert_av": "regelmotor", "avslutningsaar": 2023},
            {},
        ),
        "Oslo (100k rows), page 40, sort avslutningsdato": lambda: (
            kommune("0301"),
            {},
            {"side": 40, "sorter": "avslutningsdato"},
        ),
        "kommune, name search": lambda: (
            kommune(rnd.choice(kommuner)),
            {"navn": rnd.choice(["øvre", "ås", "hadd", "kari"])},
            {},
        ),
        "IMDi, name search (full name)": lambda: (
            IMDI,
            {"navn": f"{rnd.choice(FORNAVN)} {rnd.choice(ETTERNAVN)}{rnd.randrange(1000):03d}"},
            {},
        ),
        "IMDi, name search (short prefix, many hits)": lambda: (IMDI, {"navn": rnd.choice(["øvre", "ås", "hadd"])}, {}),
        "IMDi, DUF-nummer": lambda: (IMDI, {"duf_nummer": f"{200000000000 + rnd.randrange(ROWS):012d}"}, {}),
        "IMDi, all rows, page 1": lambda: (IMDI, {}, {}),
    }
    out = {}
    async with pool.acquire() as conn:
        for name, make in scenarios.items():
            times = []
            for _ in range(runs):
                bruker, f, kw = make()
                t = time.perf_counter()
                s = await sporringer.side(conn, bruker, sporringer.Filter(lov=Lov.INTEGRERINGSLOVEN, **f), **kw)
                times.append((time.perf_counter() - t) * 1000)
            out[name] = {"p50_ms": statistics.median(times), "p95_ms": pct(times, 95), "rows_total": s.totalt}
    return out


async def _stream(pool: asyncpg.Pool, bruker: Bruker, f: sporringer.Filter) -> tuple[int, int]:
    n_bytes = rows = 0
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        async for chunk in csv_export.csv_bytes(sporringer.csv_batches(conn, bruker, f)):
            n_bytes += len(chunk)
            rows += chunk.count(b"\r\n")
    return n_bytes, rows - 1


async def csv_run(pool: asyncpg.Pool, bruker: Bruker, f: sporringer.Filter) -> dict[str, float]:
    """Timed without tracing, then once more under tracemalloc for the peak of Python allocations."""
    t = time.perf_counter()
    n_bytes, rows = await _stream(pool, bruker, f)
    seconds = time.perf_counter() - t
    tracemalloc.start()
    tracemalloc.reset_peak()
    await _stream(pool, bruker, f)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "seconds": seconds, "mbytes": n_bytes / 1e6, "peak_python_mb": peak / 1e6}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    a = ap.parse_args()
    global ROWS
    ROWS = a.rows
    base = os.environ.get("DATABASE_URL", DEFAULT_DB)
    name = f"nir_bench_rapport_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(base)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        pool = await create_pool(
            with_db(base, name), "rapport", max_size=2, server_settings=POOL_SETTINGS
        )  # as the service's connections
        await apply_migrations(pool, "rapport", MIGRATIONS)
        secs = await load(pool, a.rows)
        print(f"loaded {a.rows:,} rows with COPY (+ VACUUM ANALYZE) in {secs:.1f} s ({a.rows / secs:,.0f} rows/s)")
        for name_, r in (await pages(pool, a.runs)).items():
            print(
                f"page  {name_:<48} p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  (of {r['rows_total']:,} rows)"
            )
        imdi = IMDI
        small = await csv_run(pool, imdi, sporringer.Filter(lov=Lov.INTEGRERINGSLOVEN, duf_nummer="2000000001"))
        mid = await csv_run(pool, kommune("0301"), sporringer.Filter(lov=Lov.INTEGRERINGSLOVEN, bydel="030101"))
        big = await csv_run(pool, kommune("0301"), sporringer.Filter(lov=Lov.INTEGRERINGSLOVEN))
        for label, r in (("small", small), ("bydel", mid), ("Oslo", big)):
            print(
                f"csv   {label:<6} {r['rows']:>7,} rows  {r['seconds']:5.2f} s  {r['mbytes']:6.1f} MB  "
                f"peak Python memory {r['peak_python_mb']:.2f} MB"
            )
        await pool.close()
    finally:
        if not a.keep:
            admin = await asyncpg.connect(base)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
