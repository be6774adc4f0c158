"""A Kafka broker of a test's own, which the test may stop and start again: the project's
deploy/local/infra.sh run with its own state directory and ports (its data survives a stop, as a real
broker's does). Only the outage tests use it; everything else shares the session's broker.

It needs what infra.sh needs (Java 17 and the cached or fetchable Kafka jars) and fails loudly without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.ports import free_port

INFRA = Path(__file__).resolve().parents[2] / "deploy" / "local" / "infra.sh"


class PrivateKafka:
    def __init__(self, state_dir: Path, database_url: str) -> None:
        if shutil.which("java") is None:
            raise RuntimeError(
                "the broker-outage tests start a Kafka broker of their own with deploy/local/infra.sh, "
                "which needs Java 17 (apt-get install openjdk-17-jre-headless)"
            )
        port, controller = free_port(), free_port()
        self.kjorer = False
        self.bootstrap = f"127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
        # DATABASE_URL set: infra.sh uses that server and starts no PostgreSQL of its own.
        self._env = {
            **env,
            "NIR_STATE_DIR": str(state_dir),
            "NIR_KAFKA_PORT": str(port),
            "NIR_KAFKA_CONTROLLER_PORT": str(controller),
            "DATABASE_URL": database_url,
        }

    def _infra(self, *args: str) -> None:
        done = subprocess.run(["bash", str(INFRA), *args], env=self._env, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise RuntimeError(f"infra.sh {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")

    # Only Kafka: the identity provider and PostgreSQL are the session's (DATABASE_URL above).
    def start(self) -> None:
        self._infra("up", "kafka")
        self.kjorer = True

    def stop(self) -> None:
        """SIGTERM and wait: the broker is gone (connections refused) until start()."""
        self._infra("down", "kafka")
        self.kjorer = False

    def purge(self) -> None:
        self._infra("down", "--purge")
