"""Hendelser/s from the Folkeregister simulator through the adapter to Kafka, everything on this machine.

    .venv/bin/python -m bench.folkeregister_adapter.run [--hendelser 100000] [--personer 10000] [--nir 1000]

The simulator runs as its own process; the adapter in this process against the real broker and a fresh
PostgreSQL database. `--nir` of the `--personer` are registered as NIR deltakere (via nir.deltaker.v2 and
nir.deltaker-identitet.v1), so about nir/personer of the hendelser concern NIR. Measured: from the first
generated hendelse until the pointer has passed the last one and the outbox is empty (everything published
to Kafka), from the adapter's start (the feed is generated first, while the adapter is stopped; the adapter's
start-up is included).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from tests.folkeregister_adapter.harness import Oppsett
from tests.support.infrastructure import resolve
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


class ProsessSimulator:
    def __init__(self, port: int) -> None:
        self.port, self.url = port, f"http://127.0.0.1:{port}"

    async def kontroll(self, method: str, path: str, **kw):
        async with httpx.AsyncClient(base_url=self.url, timeout=120) as c:
            r = await c.request(method, f"/kontroll{path}", **kw)
            r.raise_for_status()
            return r.json()


async def main(a: argparse.Namespace) -> None:
    infra = resolve()
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulators.folkeregister",
            "--port",
            str(port),
            "--personer",
            str(a.personer),
            "--hendelser",
            "0",
            "--seed",
            "42",
        ],
        cwd=ROOT,
    )
    sim = ProsessSimulator(port)
    unique = uuid.uuid4().hex[:10]
    o = Oppsett(infra.kafka_bootstrap_servers, infra.database_url, unique, sim)  # type: ignore[arg-type]
    try:
        for _ in range(100):
            try:
                await sim.kontroll("GET", "/status")
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        await o.opprett_database()
        await o.start_adapter(poll_interval=0.05)
        personer = await sim.kontroll("GET", "/personer", params={"fra": 0, "antall": a.nir})
        await o.registrer_deltakere([(p["folkeregisteridentifikator"], p["kommunenummer"]) for p in personer])
        # The feed is generated while the adapter is stopped, so the figure is the adapter's alone.
        await o.stop_adapter()
        rest = a.hendelser
        while rest > 0:
            n = min(rest, 20_000)
            siste = (await sim.kontroll("POST", "/generer", params={"antall": n}))["sisteSekvensnummer"]
            rest -= n
        t0 = time.perf_counter()
        await o.start_adapter(poll_interval=0.05)
        await o.vent(o.peker, siste + 1, "feed lest", timeout=1800)
        await o.vent(o._upublisert, 0, "outbox tom", timeout=600)
        dt = time.perf_counter() - t0
        publisert = (await o.db("SELECT count(*) AS n FROM folkeregister_adapter.outbox"))[0]["n"]
        nir = (await o.db("SELECT count(*) AS n FROM folkeregister_adapter.behandlede_hendelser"))[0]["n"]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"[bench] {siste} hendelser ({nir} for NIR deltakere, {publisert} events to Kafka) in {dt:.1f}s: "
            f"{siste / dt:,.0f} hendelser/s; adapter process max RSS {rss:.0f} MB (bench harness included)"
        )
    finally:
        await o.stop_adapter()
        proc.terminate()
        proc.wait(10)
        await o.slett_database()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--hendelser", type=int, default=100_000)
    p.add_argument("--personer", type=int, default=10_000)
    p.add_argument("--nir", type=int, default=1_000)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import logging

    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(p.parse_args()))
