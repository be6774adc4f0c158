"""docker-compose.yml cannot run here (no Docker engine), so this checks it against the services and their
settings classes: every service's environment is a setting it reads, and nothing it needs is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.settings import ALL_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_infrastructure_images():
    assert SERVICES["kafka"]["image"].startswith("apache/kafka:4.")
    assert "broker,controller" in SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft, one node
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    for name in ("kafka", "postgres"):
        assert SERVICES[name]["healthcheck"]["test"]


@pytest.mark.parametrize("settings_cls", ALL_SETTINGS, ids=lambda c: c.SERVICE)
def test_service_matches_its_settings(settings_cls):
    svc = SERVICES[settings_cls.SERVICE]
    assert svc["build"] == "."  # one Dockerfile for all four
    assert (ROOT / "Dockerfile").exists()
    assert svc["command"] == ["python", "-m", f"services.{settings_cls.SERVICE}"]
    assert (ROOT / "services" / settings_cls.SERVICE / "__main__.py").exists()

    env = svc["environment"]
    fields = {name.upper() for name in settings_cls.model_fields}
    assert set(env) <= fields, f"unknown settings: {set(env) - fields}"
    for required in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "HTTP_PORT", "HTTP_HOST"):
        assert required in env
    # The values parse with the service's own settings class (types and constraints).
    settings = settings_cls(**{k.lower(): v for k, v in env.items() if not str(v).startswith("${")})
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.database_url.endswith("@postgres:5432/nir")
    assert svc["ports"] == [f"{settings.http_port}:{settings.http_port}"]

    assert svc["depends_on"] == {"kafka": {"condition": "service_healthy"},
                                 "postgres": {"condition": "service_healthy"}}
    assert "/health/ready" in " ".join(svc["healthcheck"]["test"])


def test_service_ports_are_distinct():
    ports = [SERVICES[c.SERVICE]["environment"]["HTTP_PORT"] for c in ALL_SETTINGS]
    assert len(set(ports)) == len(ports)
