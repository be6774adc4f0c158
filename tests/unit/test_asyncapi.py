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
