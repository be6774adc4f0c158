"""deploy/k8s cannot be applied here: check it against the services, their settings and the topic catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shared.events import topics
from shared.settings import ALL_SETTINGS, DEPLOYED_SETTINGS

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
DOCS = [d for p in sorted(K8S.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text()) if d]


def of_kind(kind: str) -> list[dict]:
    return [d for d in DOCS if d["kind"] == kind]


def test_one_deployment_and_service_per_service():
    names = {s.SERVICE.replace("_", "-") for s in DEPLOYED_SETTINGS}
    assert {d["metadata"]["name"] for d in of_kind("Deployment")} == names
    assert {d["metadata"]["name"] for d in of_kind("Service")} == names


@pytest.mark.parametrize("settings_cls", DEPLOYED_SETTINGS, ids=lambda c: c.SERVICE)
def test_deployment_matches_settings(settings_cls):
    dep = next(d for d in of_kind("Deployment") if d["metadata"]["name"] == settings_cls.SERVICE.replace("_", "-"))
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert c["command"] == ["python", "-m", f"services.{settings_cls.SERVICE}"]
    fields = {f.upper() for f in settings_cls.model_fields}
    config = next(d for d in of_kind("ConfigMap"))["data"]
    secret = next(d for d in of_kind("Secret"))["stringData"]
    env = {e["name"]: e for e in c["env"]}
    assert set(env) <= fields, set(env) - fields
    # Shared config applies only where the service reads it: every ConfigMap key must be a setting of the
    # services that read JWT settings, and the base keys of all.
    assert {"KAFKA_BOOTSTRAP_SERVERS", "HTTP_HOST", "LOG_LEVEL"} <= set(config)
    for e in env.values():
        if "secretKeyRef" in e.get("valueFrom", {}):
            assert e["valueFrom"]["secretKeyRef"]["key"] in secret
    assert "DATABASE_URL" in env and "valueFrom" in env["DATABASE_URL"]  # credentials from a Secret
    port = int(env["HTTP_PORT"]["value"])
    assert c["ports"] == [{"name": "http", "containerPort": port}]
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert c["resources"]["requests"] and c["resources"]["limits"]
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_consuming_services_run_replicated_with_static_membership():
    """Issue #11 «Two replicas»: the regelmotor and rapport run two replicas in one consumer group (proved by
    tests/e2e/test_replikaer.py); every consumer has a stable member id per pod."""
    deps = {d["metadata"]["name"]: d["spec"] for d in of_kind("Deployment")}
    for name in ("regelmotor", "rapport"):
        assert deps[name]["replicas"] == 2 and deps[name]["strategy"]["type"] == "RollingUpdate"
    for name, spec in deps.items():
        if name == "web":  # the web application reads no topic: no consumer group to be a member of
            continue
        (c,) = spec["template"]["spec"]["containers"]
        env = {e["name"]: e for e in c["env"]}
        assert env["INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", name


def test_topic_partitioning_matches_the_catalogue():
    declared = {d["metadata"]["name"]: d["spec"]["partitions"] for d in of_kind("KafkaTopic")}
    expected = {t.name: t.partitions for t in topics.ALL} | {topics.DEAD_LETTER_NAME: 1}
    assert declared == expected
    compacted = {
        d["metadata"]["name"] for d in of_kind("KafkaTopic") if d["spec"]["config"].get("cleanup.policy") == "compact"
    }
    assert compacted == {t.name for t in topics.ALL if t.compacted}
    replicas = max(d["spec"]["replicas"] for d in of_kind("Deployment"))
    assert replicas <= min(t.partitions for t in topics.ALL if t is not topics.KLOKKE)


def test_registrering_and_rapport_get_their_identity_configuration_and_the_org_kommune_table(tmp_path):
    """IdentitySettings from the ConfigMap parse with the services' own settings; the org→kommune table is
    mounted where KOMMUNE_ORGNR_FILE points and is a table les_kommune_orgnr accepts."""
    from pathlib import PurePosixPath

    from services.plumbing.auth import les_kommune_orgnr
    from shared.settings import IdentitySettings, RapportSettings, RegistreringSettings

    config = next(d for d in of_kind("ConfigMap") if d["metadata"]["name"] == "nir-avslutning")["data"]
    identity = {k: v for k, v in config.items() if k.lower() in IdentitySettings.model_fields}
    assert {
        "OIDC_DISCOVERY_URLS",
        "OIDC_CLIENT_IDS",
        "MASKINPORTEN_DISCOVERY_URL",
        "API_AUDIENCE",
        "KOMMUNE_ORGNR_FILE",
    } <= set(identity)
    assert not [k for k in config if k.startswith("JWT_")]
    fil = PurePosixPath(config["KOMMUNE_ORGNR_FILE"])
    tabell = next(d for d in of_kind("ConfigMap") if d["metadata"]["name"] == "nir-avslutning-kommune-orgnr")["data"]
    (tmp_path / fil.name).write_text(tabell[fil.name])
    les_kommune_orgnr(tmp_path / fil.name)
    for cls in (RegistreringSettings, RapportSettings):
        s = cls(**{k.lower(): v for k, v in identity.items()})
        assert all(u.startswith("https://") for u in (*s.oidc_discovery, s.maskinporten_discovery_url))
        dep = next(d for d in of_kind("Deployment") if d["metadata"]["name"] == cls.SERVICE)
        pod = dep["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        mount = next(m for m in c["volumeMounts"] if m["mountPath"] == str(fil.parent))
        volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
        assert volume["configMap"]["name"] == "nir-avslutning-kommune-orgnr"


def _acls(user: str) -> dict[str, set[tuple[str, str]]]:
    """operation → {(resource type, name)} of a KafkaUser's literal ACLs."""
    (u,) = [d for d in of_kind("KafkaUser") if d["metadata"]["name"] == user]
    out: dict[str, set[tuple[str, str]]] = {}
    for a in u["spec"]["authorization"]["acls"]:
        if a["resource"]["patternType"] == "literal":
            for op in a["operations"]:
                out.setdefault(op, set()).add((a["resource"]["type"], a["resource"]["name"]))
    return out


@pytest.mark.parametrize("settings_cls", ALL_SETTINGS, ids=lambda c: c.SERVICE)
def test_each_service_reads_exactly_the_topics_its_consumers_read(settings_cls):
    """Issue #16 §3: the KafkaUser ACLs are what the code does, so a consumer of a new topic (or of the
    identities) cannot be deployed without its ACL, and no service keeps a read it does not use."""
    import importlib

    settings = settings_cls()
    runtime = importlib.import_module(f"services.{settings.SERVICE}.app").create_app(settings).state.runtime
    consumed = {t.name for c in runtime.consumers for t in c.topics_in}
    produced = {t.name for t in topics.ALL if t.producer == settings.SERVICE}
    acls = _acls(f"nir-{settings.SERVICE.replace('_', '-')}")
    assert {n for kind, n in acls["Read"] if kind == "topic"} == consumed
    assert {n for kind, n in acls["Read"] if kind == "group"} == {settings.group_id}
    assert {n for _, n in acls["Write"]} == produced | {topics.DEAD_LETTER_NAME}
    assert not {"Create", "Delete", "Alter", "All"} & set(acls)


def test_only_the_adapter_and_rapport_read_the_identities_and_operators_read_no_personal_data():
    readers = {
        u["metadata"]["name"]
        for u in of_kind("KafkaUser")
        if ("topic", topics.IDENTITET.name) in _acls(u["metadata"]["name"]).get("Read", set())
    }
    assert readers == {"nir-folkeregister-adapter", "nir-rapport", "nir-drift-personopplysninger"}
    drift = {n for _, n in _acls("nir-drift")["Read"]}
    assert drift == {t.name for t in topics.ALL if not t.personal_data}
    assert topics.DEAD_LETTER_NAME not in drift  # a dead letter's body may be an identity record
