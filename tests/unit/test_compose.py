"""docker-compose.yml cannot run here (no Docker engine), so this checks it against the services and their
settings classes: every service's environment is a setting it reads, and nothing it needs is missing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from shared.settings import DEPLOYED_SETTINGS
from tests.support.infrastructure import IDP_CONFIG, IDP_IMAGE

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_infrastructure_images():
    assert SERVICES["kafka"]["image"].startswith("apache/kafka:4.")
    assert "broker,controller" in SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]  # KRaft, one node
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    for name in ("kafka", "postgres"):
        assert SERVICES[name]["healthcheck"]["test"]


def test_identity_provider_is_the_one_infra_sh_runs():
    idp = SERVICES["idp"]
    # One version everywhere: infra.sh's jars from Maven Central, this image, the testcontainers image.
    infra_version = re.search(r"^readonly IDP_VERSION=(\S+)$", (ROOT / "deploy/local/infra.sh").read_text(), re.M)[1]
    assert idp["image"] == IDP_IMAGE == f"ghcr.io/navikt/mock-oauth2-server:{infra_version}"
    # The same configuration file, mounted where JSON_CONFIG_PATH points.
    source, target = idp["volumes"][0].removesuffix(":ro").split(":")
    assert (ROOT / source).resolve() == IDP_CONFIG.resolve()
    assert idp["environment"]["JSON_CONFIG_PATH"] == target
    # Same port inside and out, under the name the browser uses too: the issuer in every token is the same.
    port = idp["environment"]["SERVER_PORT"]
    assert idp["ports"] == [f"{port}:{port}"]
    assert "host.docker.internal" in idp["networks"]["default"]["aliases"]
    assert f"localhost:{port}/nir/.well-known/openid-configuration" in " ".join(idp["healthcheck"]["test"])
    config = json.loads(IDP_CONFIG.read_text())
    assert config["interactiveLogin"] is True
    assert [c["issuerId"] for c in config["tokenCallbacks"]] == ["nir", "maskinporten"]


def test_identity_provider_is_not_deployed_to_kubernetes():
    # Production uses a real provider (ID-porten / Entra ID, Maskinporten): configuration only.
    manifests = " ".join(p.read_text() for p in (ROOT / "deploy" / "k8s").rglob("*") if p.is_file())
    assert "mock-oauth2-server" not in manifests


def test_simulators_stay_out_of_the_production_image():
    # issue #12 §3: the Folkeregister simulator is a development and test double; its own build target
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.M)[1:]
    production = stages[-1]  # the default target
    assert "simulators" not in production and all(
        "COPY simulators" not in s for s in stages if " AS simulators" not in s
    )
    assert SERVICES["folkeregister-simulator"]["build"] == {"context": ".", "target": "simulators"}
    assert SERVICES["folkeregister-simulator"]["command"][:3] == ["python", "-m", "simulators.folkeregister"]


@pytest.mark.parametrize("settings_cls", DEPLOYED_SETTINGS, ids=lambda c: c.SERVICE)
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

    assert svc["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
    }
    assert "/health/ready" in " ".join(svc["healthcheck"]["test"])


def test_service_ports_are_distinct():
    ports = [SERVICES[c.SERVICE]["environment"]["HTTP_PORT"] for c in DEPLOYED_SETTINGS]
    assert len(set(ports)) == len(ports)


@pytest.mark.parametrize("service", ["registrering", "rapport"])
def test_the_apis_trust_the_compose_identity_provider_and_mount_the_org_kommune_table(service):
    env = SERVICES[service]["environment"]
    idp = SERVICES["idp"]
    port = idp["environment"]["SERVER_PORT"]
    alias = idp["networks"]["default"]["aliases"][0]
    assert env["OIDC_DISCOVERY_URLS"] == f"http://{alias}:{port}/nir/.well-known/openid-configuration"
    assert env["MASKINPORTEN_DISCOVERY_URL"] == f"http://{alias}:{port}/maskinporten/.well-known/openid-configuration"
    source, target = SERVICES[service]["volumes"][0].removesuffix(":ro").split(":")
    assert (ROOT / source).resolve() == (ROOT / "deploy/local/kommune-orgnr.csv").resolve()
    assert env["KOMMUNE_ORGNR_FILE"] == target
