"""Benchmark of the registrering API (issue #3 «Benchmark»), bounded: not a test.

Starts the service as its own process (uvicorn, real HTTP) on a fresh database and its own topic prefix, then
registers N deltakere, each with a vedtak om deltakelse, a sluttmål and an avslutning (4 POSTs), at a given
concurrency. Reports requests/s over all 4·N requests, avslutning registrations/s, p50/p99 latency per
request, and the outbox lag (commit → published to Kafka, from the outbox's created_at/published_at).

    .venv/bin/python -m bench.registrering.bench_registrering --deltakere 1000 --concurrency 32
    .venv/bin/python -m bench.registrering.bench_registrering --deltakere 1000 --rate 200   # latency at 200 req/s

Uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL when set, otherwise the locally started servers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg

from services.plumbing.kafka import delete_topics
from shared.identer import med_kontrollsiffer
from tests.support.identity import IdentityProvider
from tests.support.infrastructure import resolve_identity_provider
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


_brukte: set[str] = set()


def fnr() -> str:
    """A valid fødselsnummer not used before in this run (random ones collide within 10,000: a 409)."""
    while True:
        n = med_kontrollsiffer(
            f"{random.randint(1, 28):02d}{random.randint(1, 12):02d}{random.randint(50, 99):02d}"
            f"{random.randint(0, 999):03d}"
        )
        if n and n not in _brukte:
            _brukte.add(n)
            return n


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used: contention-independent cost per request."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_process() -> dict[str, float]:
    """CPU seconds used so far by every process on the machine, grouped by command name (postgres backends,
    the Kafka JVM, python …): where the machine's cores went during the run."""
    totals: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        name = head.split("(", 1)[1]
        totals[name] = totals.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return totals


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def one_deltaker(client: aiohttp.ClientSession, h: dict, latencies: dict[str, list[float]]) -> None:
    async def post(kind: str, url: str, body: dict) -> dict:
        t0 = time.perf_counter()
        async with client.post(url, json=body, headers=h) as r:
            svar = await r.read()
        latencies[kind].append(time.perf_counter() - t0)
        if r.status != 201:
            raise RuntimeError(f"{kind}: {r.status} {svar[:300]!r}")
        return json.loads(svar)

    d = await post(
        "deltaker",
        "/api/v1/deltakere",
        {
            "duf_nummer": "".join(random.choices("0123456789", k=12)),
            "fodselsnummer": fnr(),
            "fornavn": "Bench",
            "etternavn": "Person",
            "kjonn": "K",
            "fodselsdato": "1990-01-01",
            "lov": "integreringsloven",
            "bosettingsdato": "2021-09-01",
            "oppfolgingskommune": "4223",
        },
    )
    base = f"/api/v1/deltakere/{d['deltaker_id']}"
    await post(
        "vedtak",
        f"{base}/vedtak",
        {
            "vedtakstype": "DELTAKELSE",
            "vedtaksdato": "2022-01-03",
            "periode": {"fra": "2022-01-10", "til": "2024-01-09"},
        },
    )
    await post("sluttmal", f"{base}/sluttmal", {"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": "2022-01-03"})
    await post(
        "avslutning",
        f"{base}/avslutninger",
        {"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "30.0"},
    )


async def main(n: int, concurrency: int, rate: float | None = None, profile: str | None = None) -> int:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    admin_url = os.environ.get("DATABASE_URL", "postgresql://nir:nir@127.0.0.1:15432/nir")
    run = uuid.uuid4().hex[:10]
    dbname = f"nir_bench_{run}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    await admin.close()
    u = urlsplit(admin_url)
    db_url = urlunsplit((u.scheme, u.netloc, f"/{dbname}", u.query, u.fragment))
    idp = IdentityProvider(resolve_identity_provider().base_url, "bench")  # the provider infra.sh started
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "DATABASE_URL": db_url,
        "HTTP_PORT": str(port),
        "CONSUMER_GROUP": f"bench-registrering-{run}",
        "TOPIC_PREFIX": f"bench-{run}.",
        **idp.service_env(),
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX_SIZE": "20",
    }
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *profiler, "-m", "services.registrering", cwd=ROOT, env=env
    )
    try:
        # aiohttp, not httpx: the load generator shares the 2 cores with the service, and httpx spends about
        # 3 ms of CPU per request (measured) — more than the service itself.
        async with aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{port}",
            timeout=aiohttp.ClientTimeout(total=30),
            connector=aiohttp.TCPConnector(limit=concurrency),
        ) as client:
            for _ in range(300):
                try:
                    async with client.get("/health/ready") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError("service not ready")
            # a caseworker's token (valid for the whole run; a fagsystem's would expire after 120 s)
            h = {"Authorization": "Bearer " + idp.caseworker("4223-BENCH", "4223")}
            latencies: dict[str, list[float]] = {k: [] for k in ("deltaker", "vedtak", "sluttmal", "avslutning")}
            await asyncio.gather(*(one_deltaker(client, h, latencies) for _ in range(min(20, n))))  # warm-up
            latencies = {k: [] for k in latencies}
            queue: asyncio.Queue[int] = asyncio.Queue()
            for i in range(n):
                queue.put_nowait(i)

            async def worker() -> None:
                while not queue.empty():
                    queue.get_nowait()
                    await one_deltaker(client, h, latencies)

            t0, cpu0, machine0 = time.perf_counter(), cpu_seconds(proc.pid), cpu_by_process()
            if rate is None:  # closed loop: `concurrency` clients as fast as they can
                await asyncio.gather(*(worker() for _ in range(concurrency)))
            else:  # open loop: a new deltaker flow (4 requests) every 4/rate seconds
                tasks = []
                for i in range(n):
                    tasks.append(asyncio.create_task(one_deltaker(client, h, latencies)))
                    await asyncio.sleep(max(0.0, t0 + (i + 1) * 4 / rate - time.perf_counter()))
                await asyncio.gather(*tasks)
            elapsed, cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
            machine = {k: v - machine0.get(k, 0.0) for k, v in cpu_by_process().items()}
        pool = await asyncpg.connect(db_url, server_settings={"search_path": "registrering"})
        for _ in range(100):
            if not await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"):
                break
            await asyncio.sleep(0.2)
        lags = [
            r["lag"]
            for r in await pool.fetch(
                "SELECT extract(epoch FROM published_at - created_at) AS lag FROM outbox WHERE published_at IS NOT NULL"
            )
        ]
        await pool.close()
        alle = [x for v in latencies.values() for x in v]
        mode = f"offered {rate:.0f} requests/s" if rate else f"concurrency {concurrency}"
        print(f"[bench] registrering: {n} deltakere × 4 POSTs at {mode}, {elapsed:.1f} s, load {os.getloadavg()}")
        print(f"[bench] requests/s: {len(alle) / elapsed:.0f}   avslutninger/s: {n / elapsed:.0f}")
        print(
            f"[bench] service CPU: {cpu / len(alle) * 1000:.2f} ms per request (incl. its outbox relay) → "
            f"{len(alle) / cpu:.0f} requests/s per fully available core"
        )
        top = sorted(machine.items(), key=lambda kv: -kv[1])[:5]
        print(
            f"[bench] machine CPU during the run ({os.cpu_count()} cores × {elapsed:.1f} s): "
            + ", ".join(f"{k} {v / elapsed * 100:.0f} %" for k, v in top)
            + " (of one core; python = service + this client)"
        )
        print(f"[bench] latency all: p50 {pct(alle, 50) * 1000:.1f} ms, p99 {pct(alle, 99) * 1000:.1f} ms")
        for k, v in latencies.items():
            print(f"[bench]   {k:<10} p50 {pct(v, 50) * 1000:.1f} ms, p99 {pct(v, 99) * 1000:.1f} ms")
        lags_f = [float(x) for x in lags]
        print(
            f"[bench] outbox lag (commit → on Kafka), {len(lags_f)} events: p50 {pct(lags_f, 50) * 1000:.0f} ms, "
            f"p99 {pct(lags_f, 99) * 1000:.0f} ms, mean {statistics.mean(lags_f) * 1000:.0f} ms"
        )
        return 0
    finally:
        proc.terminate()
        await proc.wait()
        await delete_topics(kafka, f"bench-{run}.")
        admin = await asyncpg.connect(admin_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--deltakere", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rate", type=float, default=None, help="open loop: offered requests/s (e.g. 200)")
    p.add_argument("--profile", help="run the service under cProfile, writing the stats to this file")
    a = p.parse_args()
    sys.exit(asyncio.run(main(a.deltakere, a.concurrency, a.rate, a.profile)))
