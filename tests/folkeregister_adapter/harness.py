"""Runs the simulator (uvicorn on a free port) and the adapter (in-process, with its lifespan) against the real
broker and a fresh PostgreSQL database per test; reads what reaches nir.folkeregister.v1."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import asyncpg
import httpx
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.folkeregister_adapter.app import create_app
from services.folkeregister_adapter.feedlytter import Feedoppsett
from services.folkeregister_adapter.folkeregisterkilde import Side
from services.plumbing.kafka import encode, headers_for
from shared.events import deltaker as deltakerhendelser
from shared.events import topics
from shared.events.eksempler import IDENTITET, PERSON, envelope
from shared.settings import FolkeregisterAdapterSettings
from simulators.folkeregister.maskinporten import Maskinporten
from simulators.folkeregister.register import BASE_PATH, Folkeregister
from simulators.folkeregister.server import create_app as create_simulator
from tests.support.polling import eventually
from tests.support.ports import free_port


class Simulator:
    def __init__(self, register: Folkeregister, maskinporten: Maskinporten | None = None) -> None:
        self.register = register
        self.maskinporten = maskinporten
        self.app = create_simulator(register, maskinporten)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task:
            await self.task

    async def kontroll(self, method: str, path: str, **kw: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.url) as c:
            r = await c.request(method, f"/kontroll{path}", **kw)
            r.raise_for_status()
            return r.json()


class Oppsett:
    def __init__(self, kafka: str, admin_db_url: str, unique: str, sim: Simulator) -> None:
        self.kafka = kafka
        self.admin_db_url = admin_db_url
        self.unique = unique
        self.prefix = f"test-fra-{unique}."
        self.sim = sim
        self.db_name = f"nir_fra_{unique}"
        u = urlsplit(admin_db_url)
        self.db_url = urlunsplit((u.scheme, u.netloc, f"/{self.db_name}", u.query, u.fragment))
        self.app: Any = None  # the adapter's FastAPI app while it runs
        self._ctx: Any = None
        self.ekstra_settings: dict[str, Any] = {}  # e.g. the MASKINPORTEN_* settings

    async def opprett_database(self) -> None:
        conn = await asyncpg.connect(self.admin_db_url)
        try:
            await conn.execute(f'CREATE DATABASE "{self.db_name}"')
        finally:
            await conn.close()

    async def slett_database(self) -> None:
        conn = await asyncpg.connect(self.admin_db_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        finally:
            await conn.close()

    def settings(self) -> FolkeregisterAdapterSettings:
        return FolkeregisterAdapterSettings(
            kafka_bootstrap_servers=self.kafka,
            database_url=self.db_url,
            topic_prefix=self.prefix,
            consumer_group=f"test-fra-{self.unique}",
            folkeregister_base_url=self.sim.url + BASE_PATH,
            folkeregister_poll_interval_seconds=0.1,
            **self.ekstra_settings,
        )

    async def start_adapter(
        self, *, for_commit: Callable[[Side], None] | None = None, poll_interval: float = 0.1
    ) -> None:
        # quick backoffs, so a test of a failing source does not wait a minute
        oppsett = Feedoppsett(poll_interval, backoff_start=0.05, backoff_maks=0.2, for_commit=for_commit)
        self.app = create_app(self.settings(), feedoppsett=oppsett)
        self._ctx = self.app.router.lifespan_context(self.app)
        await self._ctx.__aenter__()

    async def stop_adapter(self) -> None:
        if self._ctx is not None:
            await self._ctx.__aexit__(None, None, None)
            self._ctx = None

    @property
    def lytter(self):
        return self.app.state.feedlytter

    async def readiness(self) -> dict:
        return await self.app.state.runtime.readiness()

    async def db(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.db_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def registrer_deltakere(self, identer: list[tuple[str, str]]) -> dict[str, UUID]:
        """Publish DeltakerRegistrert and IdentitetFastsatt for each (ident, kommunenummer) on the real deltaker
        and identity topics, as registrering does."""
        ut = {}
        prod = AIOKafkaProducer(bootstrap_servers=self.kafka)
        await prod.start()
        try:
            for ident, kommune in identer:
                did = uuid.uuid4()
                for e in (
                    deltakerhendelser.DeltakerRegistrert(
                        **envelope(deltaker_id=did), person=PERSON.model_copy(update={"oppfolgingskommune": kommune})
                    ),
                    deltakerhendelser.IdentitetFastsatt(
                        **envelope(deltaker_id=did), identitet=IDENTITET.model_copy(update={"fodselsnummer": ident})
                    ),
                ):
                    await prod.send_and_wait(
                        self.prefix + topics.topic_of(e).name,
                        encode(e),
                        key=e.message_key(),
                        headers=[(k, v.encode()) for k, v in headers_for(e).items()],
                    )
                ut[ident] = did
        finally:
            await prod.stop()
        await self.vent(lambda: self._antall_kjente(list(ut)), len(ut), "deltakere kjent")
        return ut

    async def _antall_kjente(self, identer: list[str]) -> int:
        rows = await self.db("SELECT count(*) AS n FROM folkeregister_adapter.personer WHERE ident = ANY($1)", identer)
        return rows[0]["n"]

    async def peker(self) -> int:
        rows = await self.db("SELECT neste_sekvensnummer FROM folkeregister_adapter.feedpeker")
        return rows[0]["neste_sekvensnummer"]

    async def vent_til_lest(self, timeout: float = 30.0) -> None:
        siste = self.sim.register.siste_sekvensnummer
        await self.vent(self.peker, siste + 1, "feed lest", timeout)
        await self.vent(self._upublisert, 0, "outbox tom", timeout)

    async def _upublisert(self) -> int:
        rows = await self.db("SELECT count(*) AS n FROM folkeregister_adapter.outbox WHERE published_at IS NULL")
        return rows[0]["n"]

    @staticmethod
    async def vent(hent, forventet, hva: str, timeout: float = 30.0) -> None:
        """Until `hent()` gives `forventet` — the one polling contract, tests/support/polling.eventually."""

        async def lik() -> bool:
            verdi = await hent()
            assert verdi == forventet, f"ventet {forventet!r}, fikk {verdi!r}"
            return True

        await eventually(lik, timeout, hva)

    async def events(self, minst: int = 0, timeout: float = 15.0, stille: float = 1.5) -> list[dict]:
        """Everything on nir.folkeregister.v1 for this test (read until `minst` seen and `stille` s quiet)."""
        c = AIOKafkaConsumer(
            self.prefix + topics.FOLKEREGISTER.name,
            bootstrap_servers=self.kafka,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=None,
        )
        await c.start()
        ut: list[dict] = []
        try:
            frist = asyncio.get_running_loop().time() + timeout
            while asyncio.get_running_loop().time() < frist:
                batch = await c.getmany(timeout_ms=int(stille * 1000))
                nye = [json.loads(m.value) for ms in batch.values() for m in ms]
                ut += nye
                if not nye and len(ut) >= minst:
                    break
        finally:
            await c.stop()
        return ut


@asynccontextmanager
async def oppsett_med(sim: Simulator, kafka: str, admin_db_url: str, unique: str) -> AsyncIterator[Oppsett]:
    """The simulator started and an Oppsett with its own database; all of it stopped and dropped afterwards."""
    await sim.start()
    o = Oppsett(kafka, admin_db_url, unique, sim)
    await o.opprett_database()
    try:
        yield o
    finally:
        await o.stop_adapter()
        await sim.stop()
        await o.slett_database()
