"""One service process's lifecycle: PostgreSQL pool and migrations, Kafka broker and topics, its consumers, the
outbox relay and retention, start and stop in order, and readiness. Each service's app.py builds one and adds its
own parts; http_app.py puts it behind the service's HTTP app, serve.py runs that."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg

from services.plumbing import db, metrics, retention
from services.plumbing.consumer import Consumer, Handler
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.dead_letter_policy import DeadLetterPolicy
from services.plumbing.kafka import TopicNames, ensure_topics, make_broker
from services.plumbing.outbox import OutboxRelay
from services.plumbing.tasks import cancel_and_wait
from shared.events import topics
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

Hook = Callable[["ServiceRuntime"], Awaitable[None]]


class ServiceRuntime:
    def __init__(
        self, settings: ServiceSettings, migrations: Path, *, pool_settings: dict[str, str] | None = None
    ) -> None:
        self.settings = settings
        self.pool_settings = pool_settings or {}  # PostgreSQL settings for the service's connections
        self.service = settings.SERVICE
        self.schema = settings.DB_SCHEMA
        self.migrations = migrations
        self.topics = TopicNames(settings.topic_prefix)
        self.dead_letters = DeadLetterPolicy(group_id=settings.group_id, service=self.service, names=self.topics)
        self.broker = make_broker(
            settings.kafka_bootstrap_servers,
            client_id=f"nir-{self.service}",
            middlewares=[self.dead_letters.middleware],
        )
        self.dead_letters.broker = self.broker
        self._pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.ready = False
        self.consumers: list[Consumer] = []
        self.retention = retention.standard(
            timedelta(days=settings.processed_events_retention_days), timedelta(days=settings.outbox_retention_days)
        )
        self._retention_task: asyncio.Task[None] | None = None
        self.before_consuming: list[Hook] = []  # with the pool and the schema, before any consumer starts
        self.on_started: list[Hook] = []  # background work that needs the pool and broker (clock, feed, …)
        self.on_stopping: list[Hook] = []
        # Extra readiness checks (e.g. a feed that stopped at a gap): each returns a dict merged into the
        # readiness answer; a key "ok" that is False makes the service not ready.
        self.readiness_checks: list[Callable[[], Awaitable[dict[str, Any]]]] = []

    def consume(
        self,
        topics_in: Sequence[topics.Topic],
        handler: Handler,
        *,
        name: str | None = None,
        after_batch: Callable[[], Awaitable[None]] | None = None,
        max_records: int = 500,
    ) -> Consumer:
        """The service's consumer (services/plumbing/consumer.py) on `topics_in`, in the service's group."""
        consumer = Consumer(
            service=self.service,
            name=name or self.service,
            topics_in=topics_in,
            handler=handler,
            names=self.topics,
            group_id=self.settings.group_id,
            instance_id=self.settings.instance_id,
            session_timeout_ms=self.settings.kafka_session_timeout_ms,
            max_records=max_records,
            after_batch=after_batch,
        )
        consumer.subscribe(self.broker, lambda: self.pool)
        self.consumers.append(consumer)
        return consumer

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.service} is not started")
        return self._pool

    async def start(self) -> None:
        t0 = time.perf_counter()
        s = self.settings
        self._pool = await create_pool(
            s.database_url,
            self.schema,
            max_size=s.db_pool_max_size,
            application_name=f"nir-{self.service}",
            server_settings=self.pool_settings,
        )
        applied = await apply_migrations(self._pool, self.schema, self.migrations)
        for hook in self.before_consuming:
            await hook(self)
        await ensure_topics(s.kafka_bootstrap_servers, self.topics.specs())
        await self.broker.start()
        self.relay = OutboxRelay(self._pool, self.broker, schema=self.schema, names=self.topics, service=self.service)
        await self.relay.start()
        self._retention_task = asyncio.create_task(
            retention.run(self._pool, self.retention, self.service, s.retention_interval_seconds),
            name=f"retention-{self.service}",
        )
        for hook in self.on_started:
            await hook(self)
        self.ready = True
        metrics.READY.labels(self.service).set(1)
        log.info(
            "service ready",
            extra={
                "migrations_applied": applied,
                "startup_seconds": round(time.perf_counter() - t0, 3),
                "http_port": s.http_port,
            },
        )

    async def stop(self) -> None:
        self.ready = False
        metrics.READY.labels(self.service).set(0)
        log.info("service stopping")
        for hook in self.on_stopping:
            await hook(self)
        await cancel_and_wait(self._retention_task)
        self._retention_task = None
        await self.broker.stop()  # stops consuming first; in-flight handlers finish (graceful_timeout)
        if self.relay is not None:
            await self.relay.stop()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        log.info("service stopped")

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {"started": self.ready}
        try:
            checks["postgres"] = await db.svarer(self.pool)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            checks["postgres"] = False
            checks["postgres_error"] = type(exc).__name__
        try:
            checks["kafka"] = await self.broker.ping(timeout=2.0)
        except Exception as exc:  # noqa: BLE001
            checks["kafka"] = False
            checks["kafka_error"] = type(exc).__name__
        if self.relay is not None and self._pool is not None and checks["postgres"]:
            pending = await self.relay.pending()
            checks["outbox_pending"] = pending
            metrics.OUTBOX_PENDING.labels(self.service).set(pending)
        extra_ok = True
        for check in self.readiness_checks:
            try:
                extra = dict(await check())
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                extra = {"ok": False, "check_error": type(exc).__name__}
            extra_ok = extra_ok and bool(extra.pop("ok", True))
            checks.update(extra)
        checks["ready"] = bool(checks["started"] and checks["postgres"] and checks["kafka"] and extra_ok)
        return checks
