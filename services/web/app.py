"""Bootstrap: the one place that wires the web application together (issue #15): sessions in PostgreSQL (its own
schema, the project's migrations), the OIDC provider, registrering's and rapport's APIs, the pages, Designsystemet
from node_modules, and the Norwegian error pages. It consumes no topic and publishes none: no Kafka here."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.plumbing import db, metrics
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.latency import LatencyMetric
from services.web import arbeidsflate, innlogging, person, personer, programfakta, rapporter, statistikk
from services.web.apier import Apier, IkkeInnlogget, Utilgjengelig
from services.web.felles import Feilside, side, videre
from services.web.lager import COOKIE, Sesjoner
from services.web.oidc import Leverandor
from shared.settings import WebSettings

log = logging.getLogger(__name__)
HER = Path(__file__).parent
MIGRATIONS = HER / "migrations"
NODE_MODULES = HER.parents[1] / "node_modules" / "@digdir"


def sikkerhetshoder(settings: WebSettings) -> dict[str, str]:
    """No inline script or style, nothing from another origin: the pages load only this application's own files.
    A form may lead only here or to the provider (logout's POST is answered with a redirect to its
    end_session_endpoint, which form-action also governs)."""
    u = urlsplit(settings.web_oidc_discovery_url)
    return {
        "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        f"form-action 'self' {u.scheme}://{u.netloc}; base-uri 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


class Sikkerhetshoder:
    def __init__(self, app, hoder: dict[str, str]) -> None:
        self.app = app
        self.hoder = [(k.lower().encode(), v.encode()) for k, v in hoder.items()]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def _send(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *self.hoder]
            await send(message)

        await self.app(scope, receive, _send)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = app.state.settings  # read at start: a test may set its public_url once it has its port
        pool = await create_pool(
            settings.database_url, settings.DB_SCHEMA, max_size=settings.db_pool_max_size, application_name="nir-web"
        )
        applied = await apply_migrations(pool, settings.DB_SCHEMA, MIGRATIONS)
        # idle connections dropped before the APIs' servers drop them (uvicorn: after 5 s), so a reused
        # connection is seldom one the server is closing at that moment (httpx#2983)
        http = httpx.AsyncClient(timeout=10, limits=httpx.Limits(keepalive_expiry=2.0))
        app.state.pool = pool
        app.state.sesjoner = Sesjoner(
            pool,
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolutt=timedelta(hours=settings.session_absolute_hours),
            nokler=settings.session_token_keys.get_secret_value(),
        )
        app.state.leverandor = Leverandor(settings, http)
        app.state.apier = Apier(http, registrering_url=settings.registrering_url, rapport_url=settings.rapport_url)
        metrics.READY.labels("web").set(1)
        log.info("service ready", extra={"migrations_applied": applied, "http_port": settings.http_port})
        try:
            yield
        finally:
            metrics.READY.labels("web").set(0)
            log.info("service stopping")
            await http.aclose()
            await pool.close()
            log.info("service stopped")

    app = FastAPI(
        title="NIR – saksbehandlers webapplikasjon", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings

    @app.get("/health/live", include_in_schema=False)
    async def live() -> dict[str, str]:
        return {"status": "ok", "service": "web"}

    @app.get("/health/ready", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        try:
            ok = await db.svarer(request.app.state.pool)
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return JSONResponse({"ready": False, "postgres": False, "postgres_error": type(exc).__name__}, 503)
        return JSONResponse({"ready": ok, "postgres": ok}, 200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # person before programfakta: its /personer/{id}/avslutninger… are matched before programfakta's /{sti}
    routers = (
        innlogging.router,
        arbeidsflate.router,
        personer.router,
        person.router,
        programfakta.router,
        rapporter.router,
        statistikk.router,
    )
    for r in routers:
        app.include_router(r)
    app.mount("/static", StaticFiles(directory=HER / "static"), name="static")
    app.mount(
        "/designsystemet/css",
        StaticFiles(directory=NODE_MODULES / "designsystemet-css" / "dist" / "src"),
        name="designsystemet-css",
    )
    app.mount(
        "/designsystemet/theme",
        StaticFiles(directory=NODE_MODULES / "designsystemet-theme" / "brand"),
        name="designsystemet-theme",
    )

    @app.exception_handler(IkkeInnlogget)
    async def _ikke_innlogget(request: Request, _: IkkeInnlogget) -> Response:
        if request.method == "GET":
            return videre("/innlogging")
        svar = side(
            request,
            "feil.html",
            status=401,
            tittel="Du er ikke innlogget",
            melding="Økten din er utløpt. Logg inn igjen; det du skrev ble ikke lagret.",
        )
        svar.delete_cookie(COOKIE, path="/")
        return svar

    @app.exception_handler(Feilside)
    async def _feilside(request: Request, exc: Feilside) -> Response:
        return side(request, "feil.html", status=exc.status, tittel=exc.tittel, melding=exc.melding)

    @app.exception_handler(httpx.HTTPError)  # the identity provider unreachable (discovery, JWKS)
    @app.exception_handler(Utilgjengelig)
    async def _utilgjengelig(request: Request, _: Exception) -> Response:
        return side(
            request,
            "feil.html",
            status=503,
            tittel="NIR svarer ikke akkurat nå",
            melding="En av NIRs tjenester svarte ikke. Prøv igjen om litt.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        tittel = {404: "Siden finnes ikke", 405: "Siden kan ikke brukes slik"}.get(exc.status_code, "Noe gikk galt")
        return side(request, "feil.html", status=exc.status_code, tittel=tittel)

    @app.exception_handler(RequestValidationError)
    async def _ugyldig(request: Request, _: Exception) -> Response:
        # a malformed id in the address (FastAPI's validation): the page does not exist
        return side(request, "feil.html", status=404, tittel="Siden finnes ikke")

    app.add_middleware(Sikkerhetshoder, hoder=sikkerhetshoder(settings))
    app.add_middleware(LatencyMetric, service="web")
    return app
