"""The topic catalogue operators read (issue #7 «Operations»): each service's AsyncAPI document, generated
from its faststream broker, names the topics it produces with their message schemas."""

from __future__ import annotations

import importlib
import json

import pytest

from services.plumbing.runtime import asyncapi_document
from shared.events import topics
from shared.settings import ALL_SETTINGS


@pytest.mark.parametrize("settings_cls", ALL_SETTINGS, ids=lambda c: c.SERVICE)
def test_asyncapi_lists_produced_topics(settings_cls):
    app = importlib.import_module(f"services.{settings_cls.SERVICE}.app").create_app(settings_cls())
    doc = json.loads(asyncapi_document(app.state.runtime))
    assert doc["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in doc.get("channels", {}).values()}
    produced = {t.name for t in topics.ALL if t.producer == settings_cls.SERVICE}
    assert produced <= addresses
    text = json.dumps(doc)
    for t in topics.ALL:
        if t.producer == settings_cls.SERVICE:
            for event_type in t.event_types:
                assert event_type.__name__ in text


@pytest.mark.parametrize("settings_cls", ALL_SETTINGS, ids=lambda c: c.SERVICE)
def test_asyncapi_documents_the_events_of_every_consumed_topic(settings_cls):
    """Our subscribers parse raw records themselves; the document still shows one record's events."""
    app = importlib.import_module(f"services.{settings_cls.SERVICE}.app").create_app(settings_cls())
    doc = json.loads(asyncapi_document(app.state.runtime))
    schemas, messages = doc["components"]["schemas"], doc["components"]["messages"]
    by_name = {t.name: t for t in topics.ALL}
    consumed = 0
    for channel in doc["channels"].values():
        t = by_name.get(channel["address"])
        for ref in channel["messages"].values():
            message = messages[ref["$ref"].rsplit("/", 1)[-1]]
            payload = schemas[message["payload"]["$ref"].rsplit("/", 1)[-1]]
            if t is None or t.producer == settings_cls.SERVICE:
                continue
            consumed += 1
            assert payload.get("type") != "array", channel["address"]
            refs = json.dumps(payload)
            for event_type in t.event_types:
                assert f"#/components/schemas/{event_type.__name__}" in refs, (channel["address"], event_type)
                assert event_type.__name__ in schemas
    assert consumed > 0
