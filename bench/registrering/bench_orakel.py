"""Does the time of an answer tell a kommune that another kommune follows a person up? (issue #14 §4) Bounded;
not a test.

Starts registrering as its own process (real HTTP) on a fresh database, with tokens from the identity
provider. Kommune A (Vennesla) registers 2N persons; then kommune B (Kristiansand) registers, interleaved in
random order, N of A's persons (same DUF-nummer and fødselsnummer) and N persons nobody has, and searches
(`/sok`) for A's other N and N unknown DUF-numre. Prints per kind the status codes and the median, p90 and mean
latency, and the difference of the medians with a bootstrap 95 % interval: an interval that holds 0 means B
cannot tell the two apart by time at this sample size.

    PYTHONPATH=. .venv/bin/python bench/registrering/bench_orakel.py --antall 300
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from tests.registrering.conftest import person
from tests.support.identity import IdentityProvider
from tests.support.infrastructure import resolve_identity_provider
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def sammendrag(navn: str, tider: list[float], statuser: set[int]) -> str:
    q = statistics.quantiles(tider, n=10)
    return (
        f"{navn:<42} n={len(tider):4d} status={sorted(statuser)} median={statistics.median(tider) * 1000:6.2f} ms "
        f"p90={q[8] * 1000:6.2f} ms mean={statistics.mean(tider) * 1000:6.2f} ms"
    )


def bootstrap(a: list[float], b: list[float], runder: int = 2000) -> tuple[float, float, float]:
    rng = random.Random(14)
    diffs = sorted(
        statistics.median(rng.choices(a, k=len(a))) - statistics.median(rng.choices(b, k=len(b))) for _ in range(runder)
    )
    return statistics.median(a) - statistics.median(b), diffs[int(0.025 * runder)], diffs[int(0.975 * runder)]


async def main(antall: int) -> int:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    admin_url = os.environ.get("DATABASE_URL", "postgresql://nir:nir@127.0.0.1:15432/nir")
    run = uuid.uuid4().hex[:10]
    dbname = f"nir_bench_{run}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    await admin.close()
    u = urlsplit(admin_url)
    db_url = urlunsplit((u.scheme, u.netloc, f"/{dbname}", u.query, u.fragment))
    idp = IdentityProvider(resolve_identity_provider().base_url, "bench")
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "DATABASE_URL": db_url,
        "HTTP_PORT": str(port),
        "CONSUMER_GROUP": f"bench-orakel-{run}",
        "TOPIC_PREFIX": f"bench-{run}.",
        **idp.service_env(),
        "LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "services.registrering", cwd=ROOT, env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            for _ in range(300):
                try:
                    if (await c.get("/health/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            a = {"Authorization": f"Bearer {idp.caseworker('4223-BEN', '4223')}"}
            b = {"Authorization": f"Bearer {idp.caseworker('4204-BEN', '4204')}"}
            hos_a = [person("4223") for _ in range(2 * antall)]  # B registers the first half, searches the rest
            for p in hos_a:
                assert (await c.post("/api/v1/deltakere", json=p, headers=a)).status_code == 201
            for _ in range(20):  # warm-up
                await c.post("/api/v1/deltakere", json=person("4204"), headers=b)
            oppgaver = (
                [("registrer: A's person", {**p, "oppfolgingskommune": "4204"}) for p in hos_a[:antall]]
                + [("registrer: nobody's person", person("4204")) for _ in range(antall)]
                + [("sok: A's DUF-nummer", {"duf_nummer": p["duf_nummer"]}) for p in hos_a[antall:]]
                + [("sok: unknown DUF-nummer", {"duf_nummer": person()["duf_nummer"]}) for _ in range(antall)]
            )
            random.Random(7).shuffle(oppgaver)
            tider: dict[str, list[float]] = {}
            statuser: dict[str, set[int]] = {}
            for navn, body in oppgaver:
                path = "/api/v1/deltakere/sok" if navn.startswith("sok") else "/api/v1/deltakere"
                t0 = time.perf_counter()
                r = await c.post(path, json=body, headers=b)
                tider.setdefault(navn, []).append(time.perf_counter() - t0)
                statuser.setdefault(navn, set()).add(r.status_code)
            for navn in sorted(tider):
                print(sammendrag(navn, tider[navn], statuser[navn]))
            for x, y in (
                ("registrer: A's person", "registrer: nobody's person"),
                ("sok: A's DUF-nummer", "sok: unknown DUF-nummer"),
            ):
                d, lo, hi = bootstrap(tider[x], tider[y])
                print(f"median difference {x!r} − {y!r}: {d * 1000:+.3f} ms (95 % {lo * 1000:+.3f} … {hi * 1000:+.3f})")
    finally:
        proc.terminate()
        await proc.wait()
        admin = await asyncpg.connect(admin_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        await admin.close()
    return 0


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--antall", type=int, default=300)
    sys.exit(asyncio.run(main(p.parse_args().antall)))
