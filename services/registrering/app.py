"""Bootstrap: the one place that wires the registrering service together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.plumbing import retention
from services.plumbing.http_app import create_http_app
from services.plumbing.runtime import ServiceRuntime
from services.registrering.api import avslutning, deltaker, feil, kodeverk, opphold, program
from services.registrering.forbruker import CONSUMER, ved_beregnet_avslutning
from shared.events import topics
from shared.settings import RegistreringSettings

DESCRIPTION = (
    "API-et kommunenes fagsystemer kaller: deltakere, vedtak, sluttmål, tiltak, fravær, avvisning og avslutninger. "
    "Hver forespørsel har et bearer access token: et fagsystems fra Maskinporten (scope imdi:nir.avslutning.les "
    "eller .skriv; kommunen er consumer-organisasjonen), en saksbehandlers fra OIDC-leverandøren via NIRs "
    "webapplikasjon (roller SAKSBEHANDLER, LESETILGANG, IMDI). En kommune (eller bydel i Oslo) ser og endrer bare "
    "deltakerne den følger opp — andres svarer som ukjente (404) — og IMDi leser alle og skriver ingenting. "
    "Kategori og lov beregnes av NIR fra oppholdsopplysningene IMDis bosettingssystem melder (POST /api/v1/opphold, "
    "scope imdi:nir.avslutning.opphold). «Authorize» logger inn hos den konfigurerte leverandøren.\n\n"
    "Alle feilsvar er problem details (RFC 9457, application/problem+json) med en stabil `kode`, meldingen på "
    "norsk i `detail` og, ved 422, feltene i `feil`. Skriveoperasjoner tar Idempotency-Key. Drift: /health/live, "
    "/health/ready, /metrics (Prometheus) og /asyncapi.json står utenfor dette dokumentet."
)
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistreringSettings | None = None) -> FastAPI:
    settings = settings or RegistreringSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)

    runtime.consume((topics.BEREGNET_AVSLUTNING,), ved_beregnet_avslutning, name=CONSUMER)
    runtime.retention.append(
        retention.Retention("idempotens", "opprettet", timedelta(days=settings.idempotency_key_retention_days))
    )

    app = create_http_app(
        runtime,
        title="NIR avslutning – registrering",
        description=DESCRIPTION,
        routers=[deltaker.router, program.router, avslutning.router, kodeverk.router, opphold.router],
        identity=settings,
        idempotens=True,  # api/idempotens.py
    )
    feil.install(app)
    return app
