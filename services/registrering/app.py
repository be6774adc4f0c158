"""Bootstrap: the one place that wires the registrering service together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.plumbing.runtime import ServiceRuntime, create_http_app
from shared.settings import RegistreringSettings

DESCRIPTION = "The API kommune fagsystem integrations call: deltakere, vedtak, sluttmål, avslutninger."
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistreringSettings | None = None) -> FastAPI:
    settings = settings or RegistreringSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    return create_http_app(runtime, title="NIR avslutning – registrering", description=DESCRIPTION)
