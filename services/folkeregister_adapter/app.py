"""Bootstrap: the one place that wires the folkeregister_adapter service together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.plumbing.runtime import ServiceRuntime, create_http_app
from shared.settings import FolkeregisterAdapterSettings

DESCRIPTION = "Follows the Folkeregister change feed and publishes flytting, utvandring and død for NIR's deltakere."
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: FolkeregisterAdapterSettings | None = None) -> FastAPI:
    settings = settings or FolkeregisterAdapterSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    return create_http_app(runtime, title="NIR avslutning – folkeregister_adapter", description=DESCRIPTION)
