"""Each service's AsyncAPI 3.0 document, from the topic catalogue (shared/events/topics.py) and the service's
own consumers, so it says what runs: every topic the service sends to or receives from (the dead-letter
topic included), one message per event type with its headers, its Kafka key and an example, and the
payloads' JSON Schemas from the same contracts as docs/contracts/.

Not from faststream's generator: our consumer takes raw records and decodes each with its topic's union
(services/plumbing/consumer.py), and the outbox relay publishes bytes, so faststream could only describe «a
list» and untyped bodies. `asyncapi validate` (the AsyncAPI CLI, from npm) passes for every document
(tests/unit/test_asyncapi.py, `make lint`).

python -m services.plumbing.asyncapi [DIR]    exports all four (default DIR: docs/asyncapi/); each running
                                              service also serves its own at /asyncapi.json
python -m services.plumbing.asyncapi --check  validates each with `asyncapi validate` (make lint runs it)
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import BaseModel

from services.plumbing.dead_letter_policy import dead_letter_headers
from services.plumbing.kafka import CONTENT_TYPE, TopicNames, headers_for, topic_configs
from shared.events import eksempler, topics
from shared.events.envelope import DeltakerEvent, Event

if TYPE_CHECKING:
    from services.plumbing.runtime import ServiceRuntime

OUT = Path(__file__).resolve().parents[2] / "docs" / "asyncapi"
ASYNCAPI_VERSION = "3.1.0"
KAFKA_BINDING = "0.5.0"
SCHEMAS = "#/components/schemas/"


def document(runtime: ServiceRuntime) -> dict[str, Any]:
    """The running service's document: what it produces (the catalogue's producer), what its consumers read,
    and, when it consumes, the dead letters it writes."""
    consumed: dict[str, topics.Topic] = {}
    for consumer in runtime.consumers:
        for t in consumer.topics_in:
            consumed[t.name] = t
    return build(
        service=runtime.service,
        produced=[t for t in topics.ALL if t.producer == runtime.service],
        consumed=list(consumed.values()),
        names=runtime.topics,
        bootstrap_servers=runtime.settings.kafka_bootstrap_servers,
        group_id=runtime.settings.group_id,
    )


def build(
    *,
    service: str,
    produced: Sequence[topics.Topic],
    consumed: Sequence[topics.Topic],
    names: TopicNames,
    bootstrap_servers: str,
    group_id: str,
) -> dict[str, Any]:
    examples = _examples()
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for t in {t.name: t for t in (*produced, *consumed)}.values():
        channel = _channel_id(t.name)
        channels[channel] = _channel(t, names)
        for cls in t.event_types:
            name = cls.__name__
            _add_schemas(schemas, cls)
            messages[name] = _message(t, cls, examples[name])
            channels[channel]["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        refs = [{"$ref": f"#/channels/{channel}/messages/{c.__name__}"} for c in t.event_types]
        if t in produced:
            operations[f"send-{channel}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"{service} publishes {t.name} through its transactional outbox.",
                "messages": refs,
            }
        if t in consumed:
            operations[f"receive-{channel}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"{service} consumes {t.name} (at least once; de-duplicated on event_id).",
                "messages": refs,
                "bindings": {
                    "kafka": {"groupId": {"type": "string", "const": group_id}, "bindingVersion": KAFKA_BINDING}
                },
            }
    if consumed:
        channel = _channel_id(topics.DEAD_LETTER_NAME)
        _add_schemas(schemas, topics.DEAD_LETTER_MODEL)
        messages["DeadLetter"] = _dead_letter_message(examples["DeadLetter"])
        channels[channel] = {
            "address": names.dead_letter,
            "title": topics.DEAD_LETTER_NAME,
            "description": (
                "Records a consumer could not process, after its retries: where they came from, the error (never"
                " the body in its text) and the original bytes, which may hold personal data (an identity"
                " record's). Read them with `python -m services.plumbing.dead_letter_cli`. One partition."
            ),
            "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
            "bindings": {"kafka": {"topic": names.dead_letter, "partitions": 1, "bindingVersion": KAFKA_BINDING}},
        }
        operations[f"send-{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"{service}'s consumers dead-letter a poison record here and move on.",
            "messages": [{"$ref": f"#/channels/{channel}/messages/DeadLetter"}],
        }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"NIR avslutning – {service}",
            "version": "1",
            "description": (
                f"The Kafka topics {service} produces and consumes. Every message is one JSON event with the"
                " envelope event_id, type, schema_version, occurred_at, recorded_at, correlation_id,"
                " causation_id and producer; its headers repeat the ids for operators' tools."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": bootstrap_servers.split(",")[0].strip(),
                "protocol": "kafka",
                "description": f"The Kafka cluster (bootstrap servers {bootstrap_servers}).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _channel_id(name: str) -> str:
    return name.replace(".", "-")


def _channel(t: topics.Topic, names: TopicNames) -> dict[str, Any]:
    description = f"{t.description} Producer: {t.producer}. Key: {t.key}. Partitions: {t.partitions}."
    if t.compacted:
        description += " Compacted: the newest record per key is kept."
    if t.personal_data:
        description += f" Personal data: {t.personal_data}."
    elif t.key == "deltaker_id":
        description += " No direct identifiers: deltaker ids only."
    else:
        description += " No personal data."
    kafka: dict[str, Any] = {"topic": names(t), "partitions": t.partitions, "bindingVersion": KAFKA_BINDING}
    if configs := topic_configs(t):
        kafka["topicConfiguration"] = {"cleanup.policy": [configs["cleanup.policy"]]}
    return {
        "address": names(t),
        "title": t.name,
        "description": description,
        "messages": {},
        "bindings": {"kafka": kafka},
    }


def _key_schema(cls: type[Event], example: Event) -> dict[str, Any]:
    if issubclass(cls, DeltakerEvent):
        return {
            "type": "string",
            "format": "uuid",
            "description": "The internal deltaker id (never a fødselsnummer): one deltaker's events stay in order.",
        }
    key = example.message_key().decode()
    return {"type": "string", "const": key, "description": f"The constant «{key}»: the topic has one partition."}


def _header_schema(t: topics.Topic, cls: type[Event]) -> dict[str, Any]:
    uuid = {"type": "string", "format": "uuid"}
    properties = {
        "content-type": {"type": "string", "const": CONTENT_TYPE},
        "event-type": {"type": "string", "const": cls.__name__, "description": "The payload's `type`."},
        "event-id": {**uuid, "description": "The payload's `event_id`; consumers de-duplicate on it."},
        "schema-version": {"type": "string", "pattern": "^[1-9][0-9]*$", "description": "`schema_version`."},
        "correlation-id": {**uuid, "description": "The payload's `correlation_id`: the request or flow."},
        "producer": {"type": "string", "const": t.producer},
    }
    return {"type": "object", "required": list(properties), "properties": properties}


def _message(t: topics.Topic, cls: type[Event], example: Event) -> dict[str, Any]:
    doc = (cls.__doc__ or "").strip()
    return {
        "name": cls.__name__,
        "title": cls.__name__,
        "summary": doc.split("\n\n")[0].replace("\n", " ") if doc else f"{cls.__name__} on {t.name}.",
        "contentType": CONTENT_TYPE,
        "headers": _header_schema(t, cls),
        "payload": {"$ref": SCHEMAS + cls.__name__},
        "correlationId": {"location": "$message.header#/correlation-id"},
        "bindings": {"kafka": {"key": _key_schema(cls, example), "bindingVersion": KAFKA_BINDING}},
        "examples": [
            {
                "name": f"{cls.__name__}-eksempel",
                "summary": f"{cls.__name__} with key {example.message_key().decode()}"
                + (" (a synthetic person)" if issubclass(cls, DeltakerEvent) else ""),
                "headers": headers_for(example),
                "payload": example.model_dump(mode="json"),
            }
        ],
    }


def _dead_letter_message(example: BaseModel) -> dict[str, Any]:
    properties = {
        "content-type": {"type": "string", "const": CONTENT_TYPE},
        "event-type": {"type": "string", "const": "DeadLetter"},
        "original-topic": {"type": "string", "description": "The topic the record came from."},
    }
    payload = example.model_dump(mode="json")
    return {
        "name": "DeadLetter",
        "title": "DeadLetter",
        "summary": "A record a consumer could not process, with where it came from and why.",
        "contentType": CONTENT_TYPE,
        "headers": {"type": "object", "required": list(properties), "properties": properties},
        "payload": {"$ref": SCHEMAS + "DeadLetter"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original record's key (a deltaker id, or «klokke»)."},
                "bindingVersion": KAFKA_BINDING,
            }
        },
        "examples": [
            {
                "name": "DeadLetter-eksempel",
                "summary": "A record on nir.vedtak.v1 that was not JSON.",
                "headers": dead_letter_headers(payload["original_topic"]),
                "payload": payload,
            }
        ],
    }


def _add_schemas(schemas: dict[str, Any], cls: type[BaseModel]) -> None:
    """The model's JSON Schema and the ones it refers to, as AsyncAPI schema objects (whose discriminator is
    the property's name, not OpenAPI's object with a mapping)."""
    schema = cls.model_json_schema(ref_template=SCHEMAS + "{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas.setdefault(name, _asyncapi_schema(definition))
    schemas[cls.__name__] = _asyncapi_schema(schema)


def _asyncapi_schema(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _asyncapi_schema(v) for k, v in node.items()}
        if isinstance(out.get("discriminator"), dict):
            out["discriminator"] = out["discriminator"]["propertyName"]
        return out
    if isinstance(node, list):
        return [_asyncapi_schema(v) for v in node]
    return node


def _ids() -> Iterator[UUID]:
    n = 0
    while True:
        n += 1
        yield UUID(int=0x0B6F2C1E_0000_4000_8000_000000000000 + n)


def _examples() -> dict[str, Any]:
    """One example per message, with the same ids every time (a document that does not change per request)."""
    ids = _ids()
    out: dict[str, Any] = {e.type: e for e in eksempler.all_examples(ny_id=lambda: next(ids))}
    vedtak = out["VedtakRegistrert"]
    out["DeadLetter"] = topics.DEAD_LETTER_MODEL(
        original_topic=topics.VEDTAK.name,
        partition=3,
        offset=1042,
        key=str(vedtak.deltaker_id),
        consumer_group="nir-rapport",
        error_type="ValidationError",
        error="Invalid JSON: expected value at line 1 column 1 [type=json_invalid]",
        failed_at=vedtak.recorded_at,
        payload_base64="e25vdCBqc29u",
        headers={"content-type": CONTENT_TYPE},
    )
    return out


def documents() -> dict[str, dict[str, Any]]:
    """Every service's document as its app builds it (nothing is started)."""
    from shared.settings import ALL_SETTINGS

    out = {}
    for settings_cls in ALL_SETTINGS:
        app = importlib.import_module(f"services.{settings_cls.SERVICE}.app").create_app(settings_cls())
        out[settings_cls.SERVICE] = document(app.state.runtime)
    return out


CLI = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "asyncapi"


def validate(doc: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """`asyncapi validate` (the AsyncAPI CLI from package-lock.json, `make setup`), failing on warnings too.
    Offline and without telemetry: its usage metrics are switched off by a config file of our own, and its
    check for a newer version by the CLI's environment variable."""
    with tempfile.TemporaryDirectory(prefix="nir-asyncapi-") as tmp:
        spec, metrics_config = Path(tmp, "asyncapi.json"), Path(tmp, "analytics.json")
        spec.write_text(json.dumps(doc, indent=2, ensure_ascii=False))
        metrics_config.write_text(json.dumps({"analyticsEnabled": "false", "infoMessageShown": "true", "userID": ""}))
        env = {
            **os.environ,
            "ASYNCAPI_METRICS_CONFIG_PATH": str(metrics_config),
            "ASYNCAPI_SKIP_NEW_VERSION_CHECK": "true",
            "SUPPRESS_NO_CONFIG_WARNING": "1",
        }
        return subprocess.run(
            [str(CLI), "validate", "--fail-severity", "warn", str(spec)],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def main(argv: list[str]) -> int:
    docs = documents()
    if "--check" in argv:
        failed = 0
        for service, doc in docs.items():
            result = validate(doc)
            print(f"{service}: asyncapi validate {'ok' if result.returncode == 0 else 'FAILED'}")
            if result.returncode != 0:
                failed += 1
                print(result.stdout + result.stderr)
        return 1 if failed else 0
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    for service, doc in docs.items():
        (out / f"{service}.asyncapi.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print(f"{service}: {len(doc['channels'])} channels, {len(doc['components']['messages'])} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
