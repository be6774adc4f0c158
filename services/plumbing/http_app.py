"""A service's HTTP app around its ServiceRuntime: the lifespan that starts and stops it, the operational routes
(health, readiness, metrics, AsyncAPI), the service's routers, problem details, the OpenAPI document and the
latency metric."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.plumbing import openapi, problem
from services.plumbing.asyncapi import document as asyncapi_document
from services.plumbing.auth import TokenVerifier
from services.plumbing.latency import LatencyMetric
from services.plumbing.runtime import ServiceRuntime
from shared.settings import IdentitySettings


def health_router(runtime: ServiceRuntime) -> APIRouter:
    # operational, not the API a kommune integrates with: outside the OpenAPI document (the README lists them)
    router = APIRouter(tags=["drift"], include_in_schema=False)

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
    idempotens: bool = False,
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

    problem.install(app)  # every refusal as problem details (RFC 9457), one format for all services
    app.include_router(health_router(runtime))
    for r in routers:
        app.include_router(r)
    openapi.install(app, identity, idempotens=idempotens)

    app.add_middleware(LatencyMetric, service=runtime.service)
    return app
