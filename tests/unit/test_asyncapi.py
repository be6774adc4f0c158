"""The topic catalogue operators read (issue #7 «Operations», issue #16 §2): each service's AsyncAPI document
says what runs, and the AsyncAPI CLI (from npm) finds it valid."""

from __future__ import annotations

import pytest

from services.plumbing import asyncapi
from services.plumbing.kafka import headers_for
from shared.events import topics
from shared.events.eksempler import all_examples

DOCS = asyncapi.documents()
SERVICES = sorted(DOCS)
ENVELOPE_HEADERS = {"content-type", "event-type", "event-id", "schema-version", "correlation-id", "producer"}


def _channels(doc: dict) -> dict[str, dict]:
    return {c["title"]: c for c in doc["channels"].values()}


def _operations(doc: dict, action: str) -> set[str]:
    by_id = {k: c["title"] for k, c in doc["channels"].items()}
    return {by_id[o["channel"]["$ref"].rsplit("/", 1)[-1]] for o in doc["operations"].values() if o["action"] == action}


@pytest.mark.parametrize("service", SERVICES)
def test_the_asyncapi_cli_finds_the_document_valid(service):
    result = asyncapi.validate(DOCS[service])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_cli_check_fails_on_an_openapi_style_discriminator():
    """The check can fail: an OpenAPI discriminator object (what faststream's generator wrote) is invalid."""
    doc = asyncapi.documents()["rapport"]
    doc["components"]["schemas"]["DeltakerRegistrert"]["discriminator"] = {"propertyName": "type"}
    assert asyncapi.validate(doc).returncode != 0


@pytest.mark.parametrize("service", SERVICES)
def test_sends_what_it_produces_and_receives_what_its_consumers_read(service):
    doc = DOCS[service]
    produced = {t.name for t in topics.ALL if t.producer == service}
    assert produced <= _operations(doc, "send")
    received = _operations(doc, "receive")
    assert received, service  # every service consumes something
    assert topics.DEAD_LETTER_NAME in _operations(doc, "send"), "a consumer dead-letters poison records"
    # data minimisation (issue #16 §3): only the adapter and rapport read the identities
    assert (topics.IDENTITET.name in received) == (service in {"folkeregister_adapter", "rapport"})


@pytest.mark.parametrize("service", SERVICES)
def test_every_message_has_its_headers_key_and_an_example(service):
    doc = DOCS[service]
    for name, message in doc["components"]["messages"].items():
        headers = message["headers"]["properties"]
        example = message["examples"][0]
        assert set(example["headers"]) == set(message["headers"]["required"]), name
        assert "correlation_id" not in headers, "one correlation header: correlation-id"
        assert message["bindings"]["kafka"]["key"]["type"] == "string", name
        assert example["payload"], name
        if name != "DeadLetter":
            assert set(headers) == ENVELOPE_HEADERS, name
            assert headers["event-type"]["const"] == name == example["payload"]["type"]
    for channel in doc["channels"].values():
        for ref in channel["messages"].values():
            assert ref["$ref"].rsplit("/", 1)[-1] in doc["components"]["messages"]


def test_the_key_is_the_deltaker_id_except_on_the_clock_topic():
    doc = DOCS["regelmotor"]
    messages = doc["components"]["messages"]
    assert messages["DognPassert"]["bindings"]["kafka"]["key"]["const"] == "klokke"
    assert messages["BeregnetAvslutningOpprettet"]["bindings"]["kafka"]["key"]["format"] == "uuid"
    assert "klokke" in _channels(doc)[topics.KLOKKE.name]["description"]


def test_the_identity_topic_is_documented_as_compacted_personal_data():
    channel = _channels(DOCS["rapport"])[topics.IDENTITET.name]
    assert channel["bindings"]["kafka"]["topicConfiguration"] == {"cleanup.policy": ["compact"]}
    assert "fødselsnummer" in channel["description"]
    assert "No direct identifiers" in _channels(DOCS["rapport"])[topics.DELTAKER.name]["description"]


@pytest.mark.parametrize("event", all_examples(), ids=lambda e: e.type)
def test_headers_carry_the_envelope_ids(event):
    headers = headers_for(event)
    assert set(headers) == ENVELOPE_HEADERS
    assert headers["event-id"] == str(event.event_id)
    assert headers["correlation-id"] == str(event.correlation_id)
