"""Bootstrap: the one place that wires the folkeregister_adapter service together."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.folkeregister_adapter import forbruker
from services.folkeregister_adapter.feedlytter import Feedlytter, Feedoppsett
from services.folkeregister_adapter.folkeregisterkilde import Folkeregisterkilde
from services.folkeregister_adapter.maskinporten import Klientoppsett, Maskinporten
from services.folkeregister_adapter.skatteetaten import Hendelsesliste
from services.plumbing.http_app import create_http_app
from services.plumbing.runtime import ServiceRuntime
from shared.events import topics
from shared.settings import FolkeregisterAdapterSettings

DESCRIPTION = "Follows the Folkeregister change feed and publishes flytting, utvandring and død for NIR's deltakere."
MIGRATIONS = Path(__file__).parent / "migrations"


def maskinporten_for(settings: FolkeregisterAdapterSettings) -> Maskinporten | None:
    """Maskinporten when configured (production); None means basic auth or none (the local simulator)."""
    if not settings.maskinporten_aktiv:
        return None
    return Maskinporten(
        Klientoppsett(
            token_url=settings.maskinporten_token_url,
            audience=settings.maskinporten_audience,
            client_id=settings.maskinporten_client_id,
            scope=settings.maskinporten_scope,
            privat_nokkel_pem=settings.maskinporten_key.get_secret_value(),
            kid=settings.maskinporten_kid,
        )
    )


def create_app(
    settings: FolkeregisterAdapterSettings | None = None,
    *,
    kilde: Folkeregisterkilde | None = None,
    feedoppsett: Feedoppsett | None = None,
) -> FastAPI:
    settings = settings or FolkeregisterAdapterSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    kilde = kilde or Hendelsesliste(
        settings.folkeregister_base_url,
        client_id=settings.folkeregister_client_id,
        client_secret=settings.folkeregister_client_secret,
        maskinporten=maskinporten_for(settings),
    )
    lytter = Feedlytter(kilde, feedoppsett or Feedoppsett(poll_interval=settings.folkeregister_poll_interval_seconds))

    runtime.consume((topics.DELTAKER, topics.IDENTITET), forbruker.behandle, name=forbruker.CONSUMER)

    async def start_feed(rt: ServiceRuntime) -> None:
        lytter.start(rt.pool, rt.relay.wake if rt.relay else (lambda: None))

    async def stop_feed(_: ServiceRuntime) -> None:
        await lytter.stop()
        await kilde.close()

    runtime.on_started.append(start_feed)
    runtime.on_stopping.append(stop_feed)
    runtime.readiness_checks.append(lytter.status)
    app = create_http_app(runtime, title="NIR avslutning – folkeregister_adapter", description=DESCRIPTION)
    app.state.feedlytter = lytter
    return app
