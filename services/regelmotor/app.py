"""Bootstrap: the one place that wires the regelmotor service together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.plumbing.http_app import create_http_app
from services.plumbing.runtime import ServiceRuntime
from services.regelmotor import forbruker
from services.regelmotor.innhenting import Dognvakt, Faktabarriere
from services.regelmotor.klokke import Klokke
from shared.events import topics
from shared.settings import RegelmotorSettings

DESCRIPTION = (
    "The rule engine: computed avslutninger from registrering's facts, the Folkeregister and the passage of time."
)
MIGRATIONS = Path(__file__).parent / "migrations"
FAKTA = (topics.DELTAKER, topics.VEDTAK, topics.AVSLUTNING, topics.FOLKEREGISTER)


def create_app(settings: RegelmotorSettings | None = None) -> FastAPI:
    settings = settings or RegelmotorSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    vakt = Dognvakt(
        Faktabarriere(settings.kafka_bootstrap_servers, [runtime.topics(t) for t in FAKTA], forbruker.CONSUMER),
        sveip_batch=settings.sveip_batch,
    )
    runtime.consume((*FAKTA, topics.KLOKKE), forbruker.behandle, name=forbruker.CONSUMER, after_batch=vakt.vekk)
    runtime.on_started.append(lambda rt: vakt.start(rt.pool))
    runtime.on_stopping.append(lambda rt: vakt.stop())
    if settings.klokke_aktiv:
        klokke = Klokke(settings.tidssone)
        runtime.on_started.append(lambda rt: klokke.start(rt.pool))
        runtime.on_stopping.append(lambda rt: klokke.stop())
    return create_http_app(runtime, title="NIR avslutning – regelmotor", description=DESCRIPTION)
