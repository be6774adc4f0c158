"""Request latency by route template and status (metrics.HTTP_LATENCY) for every HTTP app, the web's too."""

from __future__ import annotations

import time
from typing import Any

from services.plumbing import metrics


class LatencyMetric:
    """Request latency by route template and status, as plain ASGI middleware (Starlette's
    BaseHTTPMiddleware costs a task group and a memory stream per request)."""

    def __init__(self, app: Any, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 500

        async def _send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            route = scope.get("route")
            metrics.HTTP_LATENCY.labels(
                self.service, scope["method"], getattr(route, "path", "unmatched"), status
            ).observe(time.perf_counter() - t0)
