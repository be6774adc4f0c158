"""The whole system as separate processes for end-to-end tests: the four services (and the Folkeregister
simulator) on free ports, against the real broker and a fresh database, with their own topic prefix and
signing key. Processes can be killed with SIGKILL and restarted mid-scenario."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.plumbing.auth import generate_keypair, mint

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    name: str
    module: str
    port: int
    env: dict[str, str]
    log: Path
    proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, ready_path: str = "/health/ready", timeout: float = 60) -> None:
        logf = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.module, cwd=ROOT, env=self.env, stdout=logf, stderr=asyncio.subprocess.STDOUT,
        )
        logf.close()
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient() as client:
            while asyncio.get_running_loop().time() < deadline:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
                try:
                    if (await client.get(self.url + ready_path, timeout=2)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout}s:\n{self.tail()}")

    async def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:]) if self.log.exists() else ""


@dataclass
class System:
    kafka_bootstrap: str
    database_url: str
    prefix: str
    workdir: Path
    processes: dict[str, Process] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.private_key, public = generate_keypair(self.workdir / "jwt")
        self.public_key = public.read_text()

    def base_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "DATABASE_URL": self.database_url,
            "TOPIC_PREFIX": self.prefix,
            "JWT_PUBLIC_KEYS": self.public_key,
            "LOG_LEVEL": "INFO",
        }

    def add(self, name: str, module: str, **env: str) -> Process:
        port = free_port()
        p = Process(name, module, port, {**self.base_env(), "HTTP_PORT": str(port),
                                          "CONSUMER_GROUP": f"{self.prefix}{name}", **env},
                    self.workdir / f"{name}.log")
        self.processes[name] = p
        return p

    def token(self, user: str, kommune: str | None = None, imdi: bool = False) -> str:
        return mint(self.private_key.read_bytes(), user=user, kommunenummer=kommune, imdi=imdi)

    def headers(self, user: str, kommune: str | None = None, imdi: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user, kommune, imdi)}"}

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes.values()))
