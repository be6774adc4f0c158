"""The simulator's HTTP API: Skatteetaten's hendelsesliste and person lookup, and a control API for tests.

Feed (under BASE_PATH, as FolkeregisterAdapterSettings.folkeregister_base_url expects):
  GET  /hendelser/feed?seq=N             ≤ 1000 entries from N; ETag, If-None-Match → 304; 406 below retention
  GET  /hendelser/siste/sekvensnummer    the latest sekvensnummer
  GET  /personer/{folkeregisteridentifikator}   the person document (404 when unknown)
Errors are {"kode": "FREG-…", "melding": …}; 429 carries Retry-After.

Maskinporten (optional, simulator/maskinporten.py): POST /maskinporten/token takes a JWT bearer grant and gives an
access token; with it configured, the feed and person endpoints answer 401 without a valid bearer token.

Operations, like the services': /health/live, /health/ready, and /metrics in Prometheus' text format (the
services' HTTP latency histogram nir_http_request_seconds with service="folkeregister_simulator", and the
register's state: nir_simulator_siste_sekvensnummer, nir_simulator_slettet_til, nir_simulator_personer,
nir_simulator_ventende_feil).

Control (/kontroll, the simulator's own): append hendelser, generate a stream, create/list persons, deliver a
hendelse again (gjenta), delete old hendelser (retention), misbehave (429, 5xx, slow answers).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field

from services.plumbing.latency import LatencyMetric
from simulators.folkeregister.maskinporten import Avvist, Maskinporten
from simulators.folkeregister.register import BASE_PATH, Folkeregister, Ukjent


def feil(status: int, kode: str, melding: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"kode": kode, "melding": melding}, status_code=status, headers=headers)


@dataclass
class Feilplan:
    """What the next requests to the feed API get instead of an answer."""

    status: int | None  # 429, 500, 503 …; None = answer normally but slowly
    retry_after: int = 1
    forsinkelse: float = 0.0


class Feilinnstilling(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: int | None = Field(default=None, ge=400, le=599)
    antall: int = Field(default=1, ge=1, le=100_000)
    retryAfter: int = Field(default=1, ge=0, le=3600)
    forsinkelseSekunder: float = Field(default=0.0, ge=0, le=60)


class NyHendelse(BaseModel):
    model_config = ConfigDict(extra="forbid")
    art: str
    folkeregisteridentifikator: str
    dato: str | None = None
    kommunenummer: str | None = Field(default=None, pattern=r"^\d{4}$")
    land: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    sted: str | None = None
    nyIdent: str | None = None
    hendelsetype: str | None = None


SERVICE = "folkeregister_simulator"


class Tilstand(Collector):
    """The register's state, read at each scrape (one per app: tests run several simulators in one process)."""

    def __init__(self, reg: Folkeregister, plan: deque[Feilplan]) -> None:
        self.reg = reg
        self.plan = plan

    def collect(self) -> Any:
        for navn, hjelp, verdi in (
            ("siste_sekvensnummer", "The feed's latest sekvensnummer", self.reg.siste_sekvensnummer),
            ("slettet_til", "Sekvensnummer below this are deleted (retention)", self.reg.slettet_til),
            ("personer", "Persons in the register", self.reg.antall_personer),
            ("ventende_feil", "Planned failures not yet served (/kontroll/feil)", len(self.plan)),
        ):
            yield GaugeMetricFamily(f"nir_simulator_{navn}", hjelp, value=verdi)


def create_app(register: Folkeregister | None = None, maskinporten: Maskinporten | None = None) -> FastAPI:
    reg = register or Folkeregister()
    plan: deque[Feilplan] = deque()
    app = FastAPI(title="Folkeregister simulator (Skatteetaten hendelsesliste)")
    app.state.register = reg
    app.state.feilplan = plan
    app.state.maskinporten = maskinporten
    api = APIRouter(prefix=BASE_PATH)

    async def uhell(request: Request) -> Response | None:
        if maskinporten is not None:
            try:
                maskinporten.sjekk(request.headers.get("authorization"))
            except Avvist as exc:
                return feil(
                    exc.status,
                    f"FREG-{exc.status}",
                    exc.beskrivelse,
                    {"WWW-Authenticate": f'Bearer error="{exc.error}"'},
                )
        if not plan:
            return None
        f = plan.popleft()
        if f.forsinkelse:
            await asyncio.sleep(f.forsinkelse)
        if f.status == 429:
            return feil(429, "FREG-429", "For mange forespørsler", {"Retry-After": str(f.retry_after)})
        if f.status is not None:
            return feil(f.status, "FREG-500", "Teknisk feil i Folkeregisteret")
        return None

    @api.get("/hendelser/feed")
    async def feed(request: Request, seq: str | None = None) -> Response:
        if (r := await uhell(request)) is not None:
            return r
        if seq is None or not seq.isdigit() or int(seq) < 1:
            return feil(400, "FREG-001", "seq må være et heltall ≥ 1")
        n = int(seq)
        if n < reg.slettet_til:
            return feil(
                406, "FREG-406", f"Hendelser før sekvensnummer {reg.slettet_til} er slettet (lagringstid 36 måneder)"
            )
        side = reg.side(n)
        etag = '"' + hashlib.sha1(f"{reg.seed}:{n}:{n + len(side) - 1}".encode()).hexdigest()[:20] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(b"[" + b",".join(side) + b"]", media_type="application/json", headers={"ETag": etag})

    @api.get("/hendelser/siste/sekvensnummer")
    async def siste(request: Request) -> Response:
        if (r := await uhell(request)) is not None:
            return r
        return JSONResponse(reg.siste_sekvensnummer)

    @api.get("/personer/{ident}")
    async def person(request: Request, ident: str) -> Response:
        if (r := await uhell(request)) is not None:
            return r
        try:
            return JSONResponse(reg.persondokument(ident))
        except Ukjent:
            return feil(404, "FREG-404", "Fant ikke person")

    @app.post("/maskinporten/token")
    async def token(request: Request) -> Response:
        if maskinporten is None:
            return JSONResponse(
                {"error": "invalid_client", "error_description": "Maskinporten er ikke slått på"}, status_code=400
            )
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
        try:
            return JSONResponse(maskinporten.utsted(form), headers={"Cache-Control": "no-store"})
        except Avvist as exc:
            return JSONResponse({"error": exc.error, "error_description": exc.beskrivelse}, status_code=exc.status)

    kontroll = APIRouter(prefix="/kontroll", tags=["kontroll"])

    @kontroll.post("/maskinporten/tilbakekall")
    async def tilbakekall() -> dict[str, int]:
        return {"tilbakekalt": maskinporten.tilbakekall() if maskinporten else 0}

    @kontroll.post("/hendelser")
    async def legg_til(hendelser: list[NyHendelse]) -> Response:
        ut = []
        for h in hendelser:
            try:
                ut.append(
                    reg.legg_til(
                        h.art,
                        h.folkeregisteridentifikator,
                        **h.model_dump(exclude={"art", "folkeregisteridentifikator"}),
                    )
                )
            except Ukjent as exc:
                return feil(400, "SIM-001", str(exc))
        return JSONResponse(ut)

    @kontroll.post("/generer")
    async def generer(antall: int = 1000, blantForste: int | None = None) -> dict[str, int]:
        return {"sisteSekvensnummer": reg.generer(antall, blantForste)}

    @kontroll.post("/personer")
    async def nye_personer(antall: int = 1) -> list[dict[str, str]]:
        return [
            {"folkeregisteridentifikator": p.ident, "kommunenummer": p.kommunenummer} for p in reg.lag_personer(antall)
        ]

    @kontroll.get("/personer")
    async def personer(fra: int = 0, antall: int = 100) -> list[dict[str, str]]:
        return reg.personer(fra, antall)

    @kontroll.post("/gjenta")
    async def gjenta(sekvensnummer: int) -> Response:
        try:
            return JSONResponse(reg.gjenta(sekvensnummer))
        except Ukjent as exc:
            return feil(400, "SIM-001", str(exc))

    @kontroll.post("/slett")
    async def slett(tilSekvensnummer: int) -> dict[str, int]:
        reg.slett_til(tilSekvensnummer)
        return {"slettetTil": reg.slettet_til}

    @kontroll.post("/feil")
    async def feilinnstilling(f: Feilinnstilling) -> dict[str, int]:
        plan.extend(Feilplan(f.status, f.retryAfter, f.forsinkelseSekunder) for _ in range(f.antall))
        return {"ventende": len(plan)}

    @kontroll.delete("/feil")
    async def ingen_feil() -> dict[str, int]:
        plan.clear()
        return {"ventende": 0}

    @kontroll.get("/status")
    async def status() -> dict[str, Any]:
        return {
            "sisteSekvensnummer": reg.siste_sekvensnummer,
            "slettetTil": reg.slettet_til,
            "personer": reg.antall_personer,
            "ventendeFeil": len(plan),
            "seed": reg.seed,
            "maskinportenTokenUtstedt": maskinporten.utstedt if maskinporten else None,
        }

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok", "service": "folkeregister-simulator"}

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok", "service": "folkeregister-simulator"}

    tilstand = CollectorRegistry()
    tilstand.register(Tilstand(reg, plan))

    @app.get("/metrics")
    async def prometheus() -> Response:
        # the process's metrics (HTTP latency, as the services') and this register's own, in one text exposition
        return Response(generate_latest(REGISTRY) + generate_latest(tilstand), media_type=CONTENT_TYPE_LATEST)

    app.include_router(api)
    app.include_router(kontroll)
    app.add_middleware(LatencyMetric, service=SERVICE)
    return app
