"""The whole system as separate processes for end-to-end tests: the four services (and the Folkeregister
simulator) on free ports, against the real broker, a fresh database and the real identity provider, with their
own topic prefix. Processes can be killed with SIGKILL and restarted mid-scenario."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from services.plumbing.kafka import TopicNames, make_broker, publish
from shared.events import topics
from shared.events.klokke import DognPassert
from tests.support.identity import IdentityProvider
from tests.support.infrastructure import resolve_identity_provider
from tests.support.ports import free_port
from tests.support.prosess import vent_til_klar

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Process:
    name: str
    module: str
    port: int
    env: dict[str, str]
    log: Path
    args: list[str] = field(default_factory=list)
    ready_path: str = "/health/ready"
    proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, ready_path: str | None = None, timeout: float = 60) -> None:
        ready_path = ready_path or self.ready_path
        logf = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            *self.args,
            cwd=ROOT,
            env=self.env,
            stdout=logf,
            stderr=asyncio.subprocess.STDOUT,
        )
        logf.close()
        try:
            await vent_til_klar(self.url, self.proc, ready_path, timeout)
        except AssertionError as exc:
            raise RuntimeError(f"{self.name}: {exc}:\n{self.tail()}") from exc

    async def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:]) if self.log.exists() else ""


@dataclass
class System:
    kafka_bootstrap: str
    database_url: str
    prefix: str
    workdir: Path
    processes: dict[str, Process] = field(default_factory=dict)
    idp: IdentityProvider | None = None

    def __post_init__(self) -> None:
        if self.idp is None:  # the provider the session's tests use (tests/support/infrastructure.py)
            address = resolve_identity_provider()
            self.idp = IdentityProvider(address.base_url, address.source)

    def base_env(self) -> dict[str, str]:
        assert self.idp is not None
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "DATABASE_URL": self.database_url,
            "TOPIC_PREFIX": self.prefix,
            **self.idp.service_env(),  # the provider's discovery URLs; the rest of IdentitySettings as in production
            "LOG_LEVEL": "INFO",
        }

    def add(
        self,
        name: str,
        module: str,
        *,
        args: list[str] | None = None,
        ready_path: str = "/health/ready",
        port: int | None = None,
        group: str | None = None,
        **env: str,
    ) -> Process:
        """A process; `group` (default: its name) names the consumer group, so two replicas of one service
        share one. Each has its own static member id (INSTANCE_ID), as each pod of a Deployment has."""
        port = port or free_port()
        p = Process(
            name,
            module,
            port,
            {
                **self.base_env(),
                "HTTP_PORT": str(port),
                "CONSUMER_GROUP": f"{self.prefix}{group or name}",
                "INSTANCE_ID": f"{self.prefix}{name}",
                **env,
            },
            self.workdir / f"{name}.log",
            args=list(args or []),
            ready_path=ready_path,
        )
        self.processes[name] = p
        return p

    def token(self, user: str, kommune: str | None = None, imdi: bool = False) -> str:
        """A caseworker's access token from the provider: SAKSBEHANDLER of `kommune`, or IMDI."""
        assert self.idp is not None
        if imdi:
            return self.idp.caseworker(user, None, rolle="IMDI")
        return self.idp.caseworker(user, kommune)

    def headers(self, user: str, kommune: str | None = None, imdi: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user, kommune, imdi)}"}

    def add_full_system(self, poll_interval: float = 0.3) -> None:
        """The simulator (empty: no generated persons or hendelser) and the four services; the regelmotor's own
        clock off, so time moves only by the ticks a test publishes (`tick`)."""
        sim_port = free_port()
        self.add(
            "simulator",
            "simulators.folkeregister",
            port=sim_port,
            args=["--port", str(sim_port), "--personer", "0", "--hendelser", "0"],
            ready_path="/kontroll/status",
        )
        self.add("registrering", "services.registrering")
        self.add("regelmotor", "services.regelmotor", KLOKKE_AKTIV="false")
        self.add(
            "folkeregister_adapter",
            "services.folkeregister_adapter",
            FOLKEREGISTER_BASE_URL=f"http://127.0.0.1:{sim_port}/folkeregisteret/api/v1",
            FOLKEREGISTER_POLL_INTERVAL_SECONDS=str(poll_interval),
        )
        self.add("rapport", "services.rapport")

    async def start(self) -> None:
        # the simulator first (the adapter polls it); the services one after another: 2 cores, and the first
        # one creates the prefixed topics
        for p in self.processes.values():
            await p.start()

    def url(self, name: str) -> str:
        return self.processes[name].url

    @property
    def topic_names(self) -> TopicNames:
        return TopicNames(self.prefix)

    async def tick(self, dato: date) -> DognPassert:
        """Publish one DognPassert for `dato` on the prefixed nir.klokke.v1: the day `dato` has begun."""
        now = datetime.now(UTC)
        event = DognPassert(dato=dato, occurred_at=now, recorded_at=now, correlation_id=uuid4(), producer="e2e-test")
        broker = make_broker(self.kafka_bootstrap, client_id=f"{self.prefix}e2e-klokke")
        await broker.start()
        try:
            await publish(broker, event, names=self.topic_names)
        finally:
            await broker.stop()
        return event

    async def read_topic(self, topic: topics.Topic) -> list[dict]:
        """Every record now on the prefixed topic (all partitions, from the beginning), decoded from JSON."""
        name = self.topic_names(topic)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka_bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [
                TopicPartition(name, p)
                for p in (consumer.partitions_for_topic(name) or await _partitions(consumer, name))
            ]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            end = await consumer.end_offsets(partitions)
            out: list[dict] = []
            remaining = {tp for tp in partitions if end[tp] > 0}
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=1000)
                for tp, records in batch.items():
                    for r in records:
                        out.append(json.loads(r.value))
                        if r.offset + 1 >= end[tp]:
                            remaining.discard(tp)
            return out
        finally:
            await consumer.stop()

    async def end_offsets(self, topic: topics.Topic) -> dict[int, int]:
        name = self.topic_names(topic)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka_bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = [TopicPartition(name, p) for p in await _partitions(consumer, name)]
            return {tp.partition: o for tp, o in (await consumer.end_offsets(parts)).items()}
        finally:
            await consumer.stop()

    async def committed(self, service: str, topic: topics.Topic) -> dict[int, int]:
        """The offsets the service's consumer group has committed on the topic (Kafka's own record of what a
        consumer has finished with: the services commit after their transaction)."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka_bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(self.processes[service].env["CONSUMER_GROUP"])
        finally:
            await admin.close()
        name = self.topic_names(topic)
        return {tp.partition: m.offset for tp, m in offsets.items() if tp.topic == name}

    async def caught_up(self, schema: str, consumer: str, consumed: Sequence[topics.Topic]) -> int:
        """How many records on `consumed` the service (any of its replicas) has not yet decided: the end offsets
        against the positions it records with its effects (services/plumbing/consumer.py)."""
        names = [self.topic_names(t) for t in consumed]
        ends: dict[tuple[str, int], int] = {}
        for t in consumed:
            ends |= {(self.topic_names(t), p): o for p, o in (await self.end_offsets(t)).items()}
        conn = await asyncpg.connect(self.database_url)
        try:
            rows = await conn.fetch(
                f'SELECT topic, partition, "offset" FROM "{schema}".consumer_position'
                " WHERE consumer = $1 AND topic = ANY($2::text[])",
                consumer,
                names,
            )
        finally:
            await conn.close()
        decided = {(r["topic"], r["partition"]): r["offset"] for r in rows}
        return sum(max(end - decided.get(tp, -1) - 1, 0) for tp, end in ends.items())

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes.values()))


async def _partitions(consumer: AIOKafkaConsumer, name: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(name) or set()
