"""An identity provider of a test's own (NAV's mock-oauth2-server, as the session's), which the test may stop and
start again with another configuration: deploy/local/infra.sh run with its own state directory, port and
configuration file. With `config()` each start generates the provider's signing keys anew, so a restart is a
key rotation with the issuer unchanged (the mock names each issuer's key by the issuer: the kid stays);
`tokenProvider.systemTime` in the configuration makes it issue tokens as of another time (expired, not yet
valid). Used by the attack and key-rotation tests (tests/integration/test_identitet.py).

It needs what infra.sh needs (Java 17 and the cached or fetchable jars) and fails loudly without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.infrastructure import IDP_CONFIG
from tests.support.ports import free_port

INFRA = Path(__file__).resolve().parents[2] / "deploy" / "local" / "infra.sh"


class PrivateIdentityProvider:
    def __init__(self, state_dir: Path) -> None:
        if shutil.which("java") is None:
            raise RuntimeError(
                "these tests start an identity provider of their own with deploy/local/infra.sh, "
                "which needs Java 17 (apt-get install openjdk-17-jre-headless)"
            )
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._config = state_dir / "idp-config.json"
        state_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "NIR_IDP_URL"}  # NIR_IDP_URL would make it start none
        self._env = {
            **env,
            "NIR_STATE_DIR": str(state_dir / "state"),
            "NIR_IDP_PORT": str(self.port),
            "NIR_IDP_CONFIG": str(self._config),
        }

    @staticmethod
    def config(system_time: str | None = None) -> dict[str, Any]:
        """The project's deploy/local/idp.json with signing keys generated at each start (without a keyProvider
        the mock signs with keys bundled in its jar, the same after every restart), optionally issuing every
        token as of `system_time` (ISO 8601)."""
        config = json.loads(IDP_CONFIG.read_text())
        config["tokenProvider"] = {"keyProvider": {"algorithm": "RS256"}}
        if system_time is not None:
            config["tokenProvider"]["systemTime"] = system_time
        return config

    def _infra(self, *args: str) -> None:
        done = subprocess.run(["bash", str(INFRA), *args], env=self._env, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise RuntimeError(f"infra.sh {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")

    def start(self, config: dict[str, Any] | None = None) -> None:
        self._config.write_text(json.dumps(config or self.config()))
        self._infra("up", "idp")

    def stop(self) -> None:
        self._infra("down", "idp")

    def restart(self, config: dict[str, Any] | None = None) -> None:
        """Stop and start on the same port: the same issuers, new signing keys."""
        self.stop()
        self.start(config)
