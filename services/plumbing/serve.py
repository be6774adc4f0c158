"""Run one service's HTTP app as the process's main loop (each service's __main__.py)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from services.plumbing import logs
from shared.settings import ServiceSettings


def serve(app_factory: Callable[[], FastAPI], settings: ServiceSettings) -> None:
    """Run a service until SIGTERM/SIGINT; uvicorn then runs the lifespan's shutdown (graceful stop)."""
    logs.configure(settings.SERVICE, settings.log_level)
    # uvicorn shuts down gracefully on SIGTERM and then re-raises it to the handler that was installed
    # before it: make that handler a normal exit, so a clean stop exits 0 (as orchestrators expect).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        app_factory(), host=settings.http_host, port=settings.http_port, log_config=None, timeout_graceful_shutdown=20
    )
