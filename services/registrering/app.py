"""Bootstrap: the one place that wires the registrering service together."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.plumbing import retention
from services.plumbing.runtime import ServiceRuntime, create_http_app
from services.registrering.api import avslutning, deltaker, feil, kodeverk, opphold, program
from services.registrering.forbruker import CONSUMER, ved_beregnet_avslutning
from shared.events import topics
from shared.settings import RegistreringSettings

DESCRIPTION = (
    "The API kommune fagsystem integrations call: deltakere, vedtak, sluttmål, tiltak, fravær, avvisning and "
    "avslutninger (DOMAIN.md §4). Every request carries a bearer access token: a fagsystem's from Maskinporten "
    "(scope imdi:nir.avslutning.les or .skriv; the kommune is its consumer organisation), a caseworker's from the "
    "OIDC provider through NIR's web application (roles SAKSBEHANDLER, LESETILGANG, IMDI). A kommune (or Oslo "
    "bydel) sees and changes only the deltakere it follows up — another's answer as unknown (404) — and IMDi reads "
    "all and writes nothing. Kategori and lov are computed by NIR from the opphold facts IMDi's bosetting system "
    "reports (POST /api/v1/opphold, scope imdi:nir.avslutning.opphold). «Authorize» logs in at the configured provider."
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
    )
    feil.install(app)
    return app
