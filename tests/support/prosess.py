"""A service started as its own process: wait until its readiness probe answers 200, or fail with why."""

from __future__ import annotations

import asyncio

import httpx


async def vent_til_klar(
    url: str, proc: asyncio.subprocess.Process, ready_path: str = "/health/ready", timeout: float = 60.0
) -> httpx.Response:
    """Poll `url + ready_path` until it answers 200 and return that answer; raise AssertionError when the process
    exits first or `timeout` seconds pass."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as client:
        while asyncio.get_running_loop().time() < deadline:
            if proc.returncode is not None:
                raise AssertionError(f"the service exited with {proc.returncode} before it was ready")
            try:
                r = await client.get(url + ready_path, timeout=2)
                if r.status_code == 200:
                    return r
            except httpx.TransportError:
                pass  # not listening yet
            await asyncio.sleep(0.2)
    raise AssertionError(f"not ready within {timeout}s")
