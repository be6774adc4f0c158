"""Benchmark of the caseworkers' web application (issue #15): server time of its pages with 200,000 deltakere and
1,000,000 avsluttede in the database, target p95 < 150 ms for the person page and the report page.

registrering, rapport and web each run as their own process (`python -m services.…`, as deployed) on a fresh
database, with the real identity provider's token; the data is loaded with COPY straight into their tables (the
APIs would take hours for a million rows): registrering 200,000 deltakere with a vedtak om deltakelse and a
sluttmål, a third of them with a kommune avslutning; rapport's read models the same 200,000 deltakere (with the
frister the Arbeidsflate follows) and 1,000,000 report rows (bench/rapport/bench_report.py's population, 10 % in
Oslo). A logged-in session is written to web.sesjon as the login would; then each page is fetched `--runs` times
one after the other over loopback and the time to the last byte is reported (p50/p95).

    PYTHONPATH=. .venv/bin/python bench/web/bench_web.py [--deltakere 200000] [--avsluttede 1000000] [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from cryptography.fernet import Fernet

from bench.rapport import bench_report
from services.rapport.domain import sorteringsnokkel
from services.web.lager import Tokenkrypto
from shared.regelverk.frister import oppstartsfrist
from tests.support.identity import IdentityProvider
from tests.support.infrastructure import resolve_identity_provider
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
KOMMUNE = "4223"  # the benchmark's caseworker: Vennesla, 3 % of the deltakere (6,000 at 200,000)
FORNAVN = bench_report.FORNAVN
ETTERNAVN = bench_report.ETTERNAVN
NAA = datetime.now(UTC)


def kommune_for(i: int, kommuner: list[str]) -> tuple[str, str | None]:
    if i % 10 == 0:
        return "0301", f"0301{1 + i // 10 % 15:02d}"
    if i % 33 == 1:
        return KOMMUNE, None
    return kommuner[i % len(kommuner)], None


def deltakere(n: int) -> Iterator[dict]:
    """n persons, in programme; bosatt within the last two years (so oppstartsfrister and gjennomføringsfrister
    fall over the coming months), a third ended by the kommune."""
    from shared.kodeverk import geografi

    kommuner = [k for k in geografi.kommuner() if k not in ("0301", KOMMUNE)]
    rnd = random.Random(15)
    for i in range(n):
        kommune, bydel = kommune_for(i, kommuner)
        bosatt = NAA.date() - timedelta(days=rnd.randrange(730))
        start = bosatt + timedelta(days=rnd.randrange(20, 90))
        fornavn, etternavn = FORNAVN[i % len(FORNAVN)], f"{ETTERNAVN[i % len(ETTERNAVN)]}{i % 997:03d}"
        yield {
            "id": uuid.UUID(int=(1 << 100) + i),
            "duf": f"{300000000000 + i:012d}",
            "fornavn": fornavn,
            "etternavn": etternavn,
            "fodt": date(1970, 1, 1) + timedelta(days=rnd.randrange(35 * 365)),
            "bosatt": bosatt,
            "start": start,
            "kommune": kommune,
            "bydel": bydel,
            "avsluttet": i % 3 == 0,
            "med_program": i % 7 != 0,  # one in seven still without vedtak and sluttmål
        }


async def copy(conn: asyncpg.Connection, tabell: str, kolonner: list[str], rader: list[tuple]) -> None:
    for i in range(0, len(rader), 50_000):
        await conn.copy_records_to_table(tabell, records=rader[i : i + 50_000], columns=kolonner)


async def last(db_url: str, n: int, avsluttede: int) -> float:
    t = time.perf_counter()
    personer = list(deltakere(n))
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute("SET search_path = registrering")
        await copy(
            conn,
            "deltaker",
            [
                "deltaker_id",
                "duf_nummer",
                "fornavn",
                "etternavn",
                "kjonn",
                "fodselsdato",
                "lov",
                "bosettingsdato",
                "oppfolgingskommune",
                "bydel",
                "kategori",
                "kategori_fra",
                "registrert_av",
                "registrert_dato",
                "oppdatert_dato",
            ],
            [
                (p["id"], p["duf"], p["fornavn"], p["etternavn"], "K", p["fodt"], "integreringsloven", p["bosatt"])
                + (p["kommune"], p["bydel"], "RETT_OG_PLIKT", p["bosatt"], f"{p['kommune']}-BEN", NAA, NAA)
                for p in personer
            ],
        )
        med = [p for p in personer if p["med_program"]]
        await copy(
            conn,
            "vedtak",
            [
                "vedtak_id",
                "deltaker_id",
                "vedtakstype",
                "resultat",
                "vedtaksdato",
                "fra",
                "til",
                "registrert_av",
                "registrert_dato",
            ],
            [
                (uuid.uuid4(), p["id"], "DELTAKELSE", "VEDTAK_FATTET", p["start"], p["start"], None, "x-BEN", NAA)
                for p in med
            ],
        )
        await copy(
            conn,
            "sluttmal",
            ["deltaker_id", "sluttmal", "fastsatt_dato", "registrert_av", "registrert_dato"],
            [(p["id"], "ARBEID_HAR_IKKE_VGO", p["start"], "x-BEN", NAA) for p in med],
        )
        slutt = [p for p in med if p["avsluttet"]]
        aids = {p["id"]: uuid.uuid4() for p in slutt}
        await copy(
            conn,
            "avslutning",
            ["avslutning_id", "deltaker_id", "kilde"],
            [(aids[p["id"]], p["id"], "kommune") for p in slutt],
        )
        await copy(
            conn,
            "avslutningsversjon",
            [
                "avslutning_id",
                "versjon",
                "avslutningstype",
                "arsak",
                "avslutningsdato",
                "registrert_av",
                "registrert_dato",
                "oppfolgingskommune",
                "bydel",
            ],
            [
                (aids[p["id"]], 1, "ORDINAER", "GRUNNSKOLE", p["start"] + timedelta(days=200), "x-BEN", NAA)
                + (p["kommune"], p["bydel"])
                for p in slutt
            ],
        )
        await conn.execute("ANALYZE")

        await conn.execute("SET search_path = rapport")
        await copy(
            conn,
            "deltaker",
            [
                "deltaker_id",
                "duf_nummer",
                "fornavn",
                "etternavn",
                "kjonn",
                "fodselsdato",
                "lov",
                "bosettingsdato",
                "oppfolgingskommune",
                "bydel",
                "person_tid",
                "kategori",
                "kategori_fra",
                "sluttmal",
                "sluttmal_fra",
                "gjennomforingsfrist",
                "oppstartsfrist",
            ],
            [
                (p["id"], p["duf"], p["fornavn"], p["etternavn"], "K", p["fodt"], "integreringsloven", p["bosatt"])
                + (p["kommune"], p["bydel"], NAA, "RETT_OG_PLIKT", p["bosatt"])
                + (("ARBEID_HAR_IKKE_VGO", p["start"]) if p["med_program"] else (None, None))
                + (
                    (None, None)
                    if p["avsluttet"] and p["med_program"]
                    else (p["start"] + timedelta(days=729), None)
                    if p["med_program"]
                    else (None, oppstartsfrist(p["bosatt"]).frist)
                )
                for p in personer
            ],
        )
        await copy(conn, "rapport_rad", bench_report.COLUMNS, list(bench_report.records(avsluttede)))
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - t


async def vent_klar(url: str) -> None:
    async with httpx.AsyncClient(timeout=5) as c:
        for _ in range(600):
            try:
                if (await c.get(f"{url}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} never became ready")


async def innlogget_sesjon(db_url: str, idp: IdentityProvider, ident: str, kommune: str, nokkel: str) -> str:
    """A logged-in session as the web application's login writes it (services/web/lager.py: the token encrypted
    with the web's SESSION_TOKEN_KEYS), for a token the provider issued through its login page."""
    token = idp.caseworker(ident, kommune)
    del_ = token.split(".")[1]
    exp = json.loads(base64.urlsafe_b64decode(del_ + "=" * (-len(del_) % 4)))["exp"]
    sid = secrets.token_urlsafe(32)
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute(
            "INSERT INTO web.sesjon (id_hash, csrf, bruker, access_token, token_utloper) VALUES ($1, $2, $3, $4, $5)",
            hashlib.sha256(sid.encode()).hexdigest(),
            "bench-csrf",
            json.dumps({"preferred_username": ident, "roller": ["SAKSBEHANDLER"], "kommunenummer": kommune}),
            Tokenkrypto(nokkel).krypter(token),
            datetime.fromtimestamp(exp, UTC),
        )
    finally:
        await conn.close()
    return sid


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def maal(web_url: str, sid: str, sider: dict[str, tuple[str, str, dict | None]], runs: int) -> None:
    async with httpx.AsyncClient(base_url=web_url, cookies={"nir_sesjon": sid}, timeout=30) as c:
        for navn, (metode, sti, form) in sider.items():
            for _ in range(5):  # warm-up: connections, caches, plans
                await c.request(metode, sti, data=form)
            tider, statuser = [], set()
            for _ in range(runs):
                t = time.perf_counter()
                r = await c.request(metode, sti, data=form)
                tider.append((time.perf_counter() - t) * 1000)
                statuser.add(r.status_code)
            print(
                f"{navn:<52} p50 {statistics.median(tider):6.1f} ms  p95 {pct(tider, 95):6.1f} ms  "
                f"max {max(tider):6.1f} ms  status {sorted(statuser)}",
                flush=True,
            )


async def main(a: argparse.Namespace) -> int:
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")
    admin_url = os.environ.get("DATABASE_URL", bench_report.DEFAULT_DB)
    run = uuid.uuid4().hex[:10]
    dbname = f"nir_bench_web_{run}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{dbname}"')
    await admin.close()
    u = urlsplit(admin_url)
    db_url = urlunsplit((u.scheme, u.netloc, f"/{dbname}", u.query, u.fragment))
    idp = IdentityProvider(resolve_identity_provider().base_url, "bench")
    porter = {s: free_port() for s in ("registrering", "rapport", "web")}
    nokkel = Fernet.generate_key().decode()
    url = {s: f"http://127.0.0.1:{p}" for s, p in porter.items()}
    felles = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "DATABASE_URL": db_url,
        "TOPIC_PREFIX": f"bench-web-{run}.",
        **idp.service_env(),
        "LOG_LEVEL": "WARNING",
    }
    ekstra = {
        "registrering": {},
        "rapport": {},
        "web": {
            "REGISTRERING_URL": url["registrering"],
            "RAPPORT_URL": url["rapport"],
            "PUBLIC_URL": url["web"],
            "WEB_OIDC_DISCOVERY_URL": idp.discovery_url(),
            "SESSION_TOKEN_KEYS": nokkel,
        },
    }
    prosesser = []
    try:
        for s in ("registrering", "rapport", "web"):
            env = {**felles, "HTTP_PORT": str(porter[s]), "CONSUMER_GROUP": f"bench-web-{s}-{run}", **ekstra[s]}
            prosesser.append(
                await asyncio.create_subprocess_exec(sys.executable, "-m", f"services.{s}", cwd=ROOT, env=env)
            )
            await vent_klar(url[s])
        secs = await last(db_url, a.deltakere, a.avsluttede)
        print(
            f"loaded {a.deltakere:,} deltakere and {a.avsluttede:,} avsluttede (COPY + VACUUM ANALYZE) in {secs:.0f} s",
            flush=True,
        )
        sid = await innlogget_sesjon(db_url, idp, f"{KOMMUNE}-BEN", KOMMUNE, nokkel)
        mine = [p for p in deltakere(a.deltakere) if p["kommune"] == KOMMUNE]
        rnd = random.Random(3)
        utvalg = [mine[rnd.randrange(len(mine))]["id"] for _ in range(a.runs)]
        navn = sorteringsnokkel(ETTERNAVN[1])[:4]
        sider: dict[str, tuple[str, str, dict | None]] = {
            "Rapporter, kommune, page 1": ("GET", "/rapporter/integreringsloven", None),
            "Rapporter, kommune, sorted by avslutningsdato desc": (
                "GET",
                "/rapporter/integreringsloven?sorter=avslutningsdato&retning=synkende",
                None,
            ),
            "Rapporter, name search (POST)": (
                "POST",
                "/rapporter/integreringsloven",
                {"_csrf": "bench-csrf", "navn": navn},
            ),
            "Personer, page 1": ("GET", "/personer", None),
            "Personer, name search (POST)": ("POST", "/personer", {"_csrf": "bench-csrf", "navn": navn}),
            "Arbeidsflate (4 lists)": ("GET", "/", None),
        }
        await maal_personer(url["web"], sid, utvalg, a.runs)  # a different person each time
        await maal(url["web"], sid, sider, a.runs)
    finally:
        for p in prosesser:
            p.terminate()
        for p in prosesser:
            await p.wait()
        if not a.keep:
            admin = await asyncpg.connect(admin_url)
            await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            await admin.close()
    return 0


async def maal_personer(web_url: str, sid: str, utvalg: list[uuid.UUID], runs: int) -> None:
    async with httpx.AsyncClient(base_url=web_url, cookies={"nir_sesjon": sid}, timeout=30) as c:
        for did in utvalg[:5]:
            await c.get(f"/personer/{did}")
        tider, statuser = [], set()
        for did in utvalg[:runs]:
            t = time.perf_counter()
            r = await c.get(f"/personer/{did}")
            tider.append((time.perf_counter() - t) * 1000)
            statuser.add(r.status_code)
        print(
            f"{'person page (7 registrering calls)':<52} p50 {statistics.median(tider):6.1f} ms  "
            f"p95 {pct(tider, 95):6.1f} ms  max {max(tider):6.1f} ms  status {sorted(statuser)}",
            flush=True,
        )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--deltakere", type=int, default=200_000)
    p.add_argument("--avsluttede", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    sys.exit(asyncio.run(main(p.parse_args())))
