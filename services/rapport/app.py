"""Bootstrap: the one place that wires the rapport service together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.plumbing.runtime import ServiceRuntime, create_http_app
from shared.settings import RapportSettings

DESCRIPTION = "Read models: the avslutning report, CSV, avslutningshistorikk and måloppnåelse."
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RapportSettings | None = None) -> FastAPI:
    settings = settings or RapportSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    return create_http_app(runtime, title="NIR avslutning – rapport", description=DESCRIPTION)
