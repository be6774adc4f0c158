"""Which Kafka, PostgreSQL and identity provider the integration tests use, in this order (DEVELOPERS.md,
issues #2 and #14):

1. servers named in the environment: KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL; NIR_IDP_URL;
2. the project's locally started servers (deploy/local/infra.sh up writes their addresses to infra.env);
3. testcontainers (cp-kafka 8 with KRaft, postgres:17; NAV's mock-oauth2-server image with
   deploy/local/idp.json) when a Docker engine answers;
and otherwise fail loudly, saying what was tried. Tests never skip for want of infrastructure.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

STATE_DIR = Path(os.environ.get("NIR_STATE_DIR", "/var/tmp/nir-avslutning"))
ROOT = Path(__file__).resolve().parents[2]
IDP_CONFIG = ROOT / "deploy" / "local" / "idp.json"
# The same version as infra.sh's IDP_VERSION and docker-compose.yml's image (tests/unit/test_compose.py).
IDP_IMAGE = "ghcr.io/navikt/mock-oauth2-server:6.0.2"
IDP_PROBE_ISSUER = "nir"


@dataclass
class Infrastructure:
    kafka_bootstrap_servers: str
    database_url: str
    source: str
    _containers: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        for c in self._containers:
            c.stop()


class NoInfrastructure(RuntimeError):
    pass


def _answers(host_port: str, timeout: float = 2.0) -> bool:
    host, _, port = host_port.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def _pg_host_port(url: str) -> str:
    u = urlsplit(url)
    return f"{u.hostname}:{u.port or 5432}"


def _read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, _, v = line.partition("=")
            values[k.strip()] = v.strip()
    return values


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means no engine
        return False


def resolve() -> Infrastructure:
    tried: list[str] = []

    kafka, db = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("DATABASE_URL")
    if kafka or db:
        if not (kafka and db):
            raise NoInfrastructure("set both KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL, or neither")
        first_broker = kafka.split(",")[0]
        if not _answers(first_broker) or not _answers(_pg_host_port(db)):
            raise NoInfrastructure(
                f"the servers named in the environment do not answer: {first_broker}, {_pg_host_port(db)}"
            )
        return Infrastructure(kafka, db, "environment")
    tried.append("environment: KAFKA_BOOTSTRAP_SERVERS/DATABASE_URL not set")

    env_file = STATE_DIR / "infra.env"
    if env_file.exists():
        values = _read_env_file(env_file)
        kafka, db = values.get("KAFKA_BOOTSTRAP_SERVERS", ""), values.get("DATABASE_URL", "")
        if kafka and db and _answers(kafka.split(",")[0]) and _answers(_pg_host_port(db)):
            return Infrastructure(kafka, db, f"local ({env_file})")
        tried.append(
            f"local servers: {env_file} names {kafka or '?'} and {(db and _pg_host_port(db)) or '?'}, "
            "which do not answer"
        )
    else:
        tried.append(f"local servers: {env_file} does not exist (run: bash deploy/local/infra.sh up)")

    if _docker_answers():
        from testcontainers.community.kafka import KafkaContainer
        from testcontainers.community.postgres import PostgresContainer

        k = KafkaContainer("confluentinc/cp-kafka:8.0.0").with_kraft()
        p = PostgresContainer("postgres:17", username="nir", password="nir", dbname="nir", driver=None)
        k.start()
        p.start()
        return Infrastructure(k.get_bootstrap_server(), p.get_connection_url(), "testcontainers", [k, p])
    tried.append("testcontainers: no Docker engine answers")

    raise NoInfrastructure(
        "No Kafka broker and PostgreSQL for the integration tests. Tried, in order:\n  - "
        + "\n  - ".join(tried)
        + "\nStart the project's own with `make infra-up` (or run the tests with `make test`, which does)."
    )


@dataclass
class IdentityProviderAddress:
    base_url: str
    source: str
    _containers: list[Any] = field(default_factory=list)

    def stop(self) -> None:
        for c in self._containers:
            c.stop()


def idp_answers(base_url: str, timeout: float = 3.0) -> bool:
    """True when base_url serves the caseworker issuer's discovery document, naming that issuer."""
    issuer = f"{base_url.rstrip('/')}/{IDP_PROBE_ISSUER}"
    try:
        with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=timeout) as r:
            return json.load(r).get("issuer") == issuer
    except (OSError, ValueError):
        return False


def _idp_container() -> IdentityProviderAddress:
    from testcontainers.core.container import DockerContainer

    # The configuration goes in as JSON_CONFIG (no bind mount, so a remote Docker engine works too).
    c = (
        DockerContainer(IDP_IMAGE)
        .with_exposed_ports(8080)
        .with_env("JSON_CONFIG", IDP_CONFIG.read_text())
        .with_env("SERVER_PORT", "8080")
    )
    c.start()
    base = f"http://{c.get_container_host_ip()}:{c.get_exposed_port(8080)}"
    deadline = time.monotonic() + 60
    while not idp_answers(base):
        if time.monotonic() > deadline:
            c.stop()
            raise NoInfrastructure(f"the {IDP_IMAGE} container did not serve its discovery document at {base} in 60 s")
        time.sleep(0.25)
    return IdentityProviderAddress(base, "testcontainers", [c])


def resolve_identity_provider() -> IdentityProviderAddress:
    tried: list[str] = []

    url = os.environ.get("NIR_IDP_URL", "").rstrip("/")
    if url:
        if not idp_answers(url):
            raise NoInfrastructure(
                f"NIR_IDP_URL={url}: no discovery document at {url}/{IDP_PROBE_ISSUER}/.well-known/openid-configuration"
            )
        return IdentityProviderAddress(url, "environment")
    tried.append("environment: NIR_IDP_URL not set")

    env_file = STATE_DIR / "infra.env"
    url = _read_env_file(env_file).get("NIR_IDP_URL", "").rstrip("/") if env_file.exists() else ""
    if url and idp_answers(url):
        return IdentityProviderAddress(url, f"local ({env_file})")
    if url:
        tried.append(f"local provider: {env_file} names {url}, which does not answer")
    else:
        tried.append(f"local provider: {env_file} names none (run: bash deploy/local/infra.sh up)")

    if _docker_answers():
        return _idp_container()
    tried.append("testcontainers: no Docker engine answers")

    raise NoInfrastructure(
        "No identity provider for the tests. Tried, in order:\n  - "
        + "\n  - ".join(tried)
        + "\nStart the project's own with `make infra-up` (or run the tests with `make test`, which does)."
    )
