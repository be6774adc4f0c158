"""Bootstrap: the one place that wires the rapport service together."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI

from services.plumbing.http_app import create_http_app
from services.plumbing.runtime import ServiceRuntime
from services.rapport import api, forbruker
from services.rapport.lager import projeksjon
from shared.events import topics
from shared.settings import RapportSettings

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Avslutningsrapporten (med CSV og Excel), avslutningshistorikk, personlister og måloppnåelse. Hver "
    "forespørsel har et bearer access token (en saksbehandlers via NIRs webapplikasjon, eller et fagsystems fra "
    "Maskinporten med scope imdi:nir.avslutning.les); en kommune (eller bydel i Oslo) ser bare sine egne "
    "deltakere, IMDi alle kommuner.\n\n"
    "Alle feilsvar er problem details (RFC 9457, application/problem+json) med en stabil `kode`, meldingen på "
    "norsk i `detail` og, ved 422, feltene i `feil`. Drift: /health/live, /health/ready, /metrics (Prometheus) "
    "og /asyncapi.json står utenfor dette dokumentet."
)
MIGRATIONS = Path(__file__).parent / "migrations"
# The report's queries are built from the user's filter, and a prefix pattern (LIKE $n) can use a name
# index only in a plan made for its value: plan every query for its values (planning costs < 1 ms).
POOL_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
# Every topic whose facts the report shows; the Folkeregister's effect reaches us as computed avslutninger.
CONSUMED = (topics.DELTAKER, topics.IDENTITET, topics.VEDTAK, topics.AVSLUTNING, topics.BEREGNET_AVSLUTNING)


async def _prepare(runtime: ServiceRuntime) -> None:
    """Before consuming: a changed projection version empties the read models, so they are rebuilt from the
    topics (the consumer then finds no positions and reads from the beginning)."""
    async with runtime.pool.acquire() as conn:
        generasjon, rebuilt = await projeksjon.prepare(conn)
    if rebuilt:
        log.info(
            "projection version changed: read models reset, rebuilding from the topics",
            extra={"projection_version": projeksjon.PROJECTION_VERSION, "generation": generasjon},
        )


def create_app(settings: RapportSettings | None = None) -> FastAPI:
    settings = settings or RapportSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS, pool_settings=POOL_SETTINGS)
    runtime.before_consuming.append(_prepare)
    runtime.consume(CONSUMED, forbruker.behandle, name=forbruker.CONSUMER)
    app = create_http_app(
        runtime,
        title="NIR avslutning – rapport",
        description=DESCRIPTION,
        routers=[api.router()],
        identity=settings,
    )
    return app
