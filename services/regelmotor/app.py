"""Bootstrap: the one place that wires the regelmotor service together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.plumbing.runtime import ServiceRuntime, create_http_app
from shared.settings import RegelmotorSettings

DESCRIPTION = "The rule engine: computed avslutninger from registrering's facts, the Folkeregister and the passage of time."
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegelmotorSettings | None = None) -> FastAPI:
    settings = settings or RegelmotorSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    return create_http_app(runtime, title="NIR avslutning – regelmotor", description=DESCRIPTION)
