"""One service process: PostgreSQL pool and migrations, Kafka broker and topics, the outbox relay, and an
HTTP app with health, readiness and metrics. Each service's app.py builds one and adds its own parts."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.plumbing import db, logs, metrics, openapi, retention
from services.plumbing.asyncapi import document as asyncapi_document
from services.plumbing.auth import TokenVerifier
from services.plumbing.consumer import Consumer, Handler
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.dead_letter_policy import DeadLetterPolicy
from services.plumbing.kafka import TopicNames, ensure_topics, make_broker
from services.plumbing.outbox import OutboxRelay
from services.plumbing.tasks import cancel_and_wait
from shared.events import topics
from shared.settings import IdentitySettings, ServiceSettings

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


def health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["drift"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok", "service": runtime.service}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        checks = await runtime.readiness()
        return JSONResponse(checks, status_code=200 if checks["ready"] else 503)

    @router.get("/asyncapi.json")
    async def asyncapi() -> JSONResponse:
        """The service's topics, messages and schemas (AsyncAPI 3.0: services/plumbing/asyncapi.py)."""
        return JSONResponse(asyncapi_document(runtime))

    @router.get("/metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_http_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    identity: IdentitySettings | None = None,
) -> FastAPI:
    """The service's HTTP app: health, readiness, metrics and AsyncAPI (public), its routers, and with
    `identity` the token verifier its BeskyttetRute routes use (services/plumbing/auth.py)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    if identity is not None:
        http = httpx.AsyncClient(timeout=5)
        app.state.token_verifier = TokenVerifier.fra_settings(identity, service=runtime.service, http=http)

        async def _close(_: ServiceRuntime) -> None:
            await http.aclose()

        runtime.on_stopping.append(_close)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Field, message and type, without FastAPI's default "input": that would echo the rejected value,
        # which may be a fødselsnummer, a DUF-nummer or a name, into gateways' and clients' error logs.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    app.include_router(health_router(runtime))
    for r in routers:
        app.include_router(r)
    openapi.install(app, identity)

    app.add_middleware(LatencyMetric, service=runtime.service)
    return app


class LatencyMetric:
    """Request latency by route template and status, as plain ASGI middleware (Starlette's
    BaseHTTPMiddleware costs a task group and a memory stream per request)."""

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 500

        async def _send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            metrics.HTTP_LATENCY.labels(
                self.service, scope["method"], getattr(route, "path", "unmatched"), status
            ).observe(time.perf_counter() - t0)


def serve(app_factory: Callable[[], FastAPI], settings: ServiceSettings) -> None:
    """Run a service until SIGTERM/SIGINT; uvicorn then runs the lifespan's shutdown (graceful stop)."""
    logs.configure(settings.SERVICE, settings.log_level)
    # uvicorn shuts down gracefully on SIGTERM and then re-raises it to the handler that was installed
    # before it: make that handler a normal exit, so a clean stop exits 0 (as orchestrators expect).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        app_factory(), host=settings.http_host, port=settings.http_port, log_config=None, timeout_graceful_shutdown=20
    )
