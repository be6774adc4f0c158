"""Bootstrap: the one place that wires the registrering service together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.kafka.annotations import KafkaMessage

from services.plumbing.auth import JwtVerifier
from services.plumbing.runtime import ServiceRuntime, create_http_app
from services.registrering.api import avslutning, deltaker, feil, kodeverk, program
from services.registrering.forbruker import ved_beregnet_avslutning
from shared.events import topics
from shared.settings import RegistreringSettings

DESCRIPTION = (
    "The API kommune fagsystem integrations call: deltakere, vedtak, sluttmål, tiltak, fravær, avvisning and "
    "avslutninger (DOMAIN.md §4). Every request carries a bearer JWT; a kommune sees and changes only the "
    "deltakere it follows up, IMDi reads all and writes nothing. Mint a development token with "
    "`python -m services.plumbing.auth mint --user 4223-CES --kommune 4223`."
)
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistreringSettings | None = None) -> FastAPI:
    settings = settings or RegistreringSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)

    @runtime.broker.subscriber(runtime.topics(topics.BEREGNET_AVSLUTNING), group_id=settings.group_id,
                               auto_offset_reset="earliest")
    async def on_beregnet_avslutning(body: dict[str, Any], msg: KafkaMessage) -> None:
        await ved_beregnet_avslutning(runtime.pool, topics.BEREGNET_AVSLUTNING.adapter().validate_json(msg.body))

    app = create_http_app(runtime, title="NIR avslutning – registrering", description=DESCRIPTION,
                          routers=[deltaker.router, program.router, avslutning.router, kodeverk.router])
    app.state.jwt_verifier = JwtVerifier(settings.jwt_public_keys, issuer=settings.jwt_issuer,
                                         audience=settings.jwt_audience)
    feil.install(app)
    return app
