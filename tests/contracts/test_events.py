"""Contract tests (issue #2 §3): every event round-trips through JSON, is frozen and strict, is keyed by the
internal deltaker id, and its published JSON Schema is the committed one."""

from __future__ import annotations

import json
from uuid import UUID

import pytest
from pydantic import ValidationError

from shared.events import schema, topics
from shared.events.envelope import DeltakerEvent
from tests.examples import FNR, all_examples, kommune_avslutning

EXAMPLES = all_examples()


def test_every_event_type_has_an_example_and_a_topic():
    assert {e.type for e in EXAMPLES} == set(topics.EVENT_TYPES)
    for event in EXAMPLES:
        assert type(event) in topics.topic_of(event).event_types


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_event_round_trips_through_its_topic(event):
    wire = event.model_dump_json().encode()
    parsed = topics.topic_of(event).adapter().validate_json(wire)
    assert type(parsed) is type(event)
    assert parsed == event


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_event_is_frozen_and_rejects_unknown_fields(event):
    with pytest.raises(ValidationError):
        event.event_id = UUID(int=0)  # frozen
    data = json.loads(event.model_dump_json())
    data["unexpected"] = 1
    with pytest.raises(ValidationError, match="unexpected"):
        type(event).model_validate(data)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_message_key_is_the_internal_deltaker_id_never_a_personal_identifier(event):
    key = event.message_key()
    assert isinstance(key, bytes)  # aiokafka requires bytes on a real broker
    assert FNR.encode() not in key
    if isinstance(event, DeltakerEvent):
        assert key == str(event.deltaker_id).encode()
    else:
        assert key == b"klokke"


def test_unknown_type_on_a_topic_is_rejected():
    data = json.loads(kommune_avslutning().model_dump_json())
    data["type"] = "AvslutningForsvant"
    with pytest.raises(ValidationError):
        topics.AVSLUTNING.adapter().validate_python(data)


def test_arbeid_without_timer_is_not_a_valid_avslutning():
    # DOMAIN.md §4 rule 3: Arbeid requires antall timer arbeid per uke.
    data = json.loads(kommune_avslutning().model_dump_json())
    data["avslutning"]["timer_arbeid_per_uke"] = None
    with pytest.raises(ValidationError, match="timer"):
        topics.AVSLUTNING.adapter().validate_python(data)


@pytest.mark.parametrize("timer", ["0", "-1", "30.25"])
def test_timer_must_be_positive_with_at_most_one_decimal(timer):
    data = json.loads(kommune_avslutning().model_dump_json())
    data["avslutning"]["timer_arbeid_per_uke"] = timer
    with pytest.raises(ValidationError):
        topics.AVSLUTNING.adapter().validate_python(data)


def test_published_json_schemas_match_the_models():
    # Changing a contract without regenerating (python -m shared.events.schema) fails here, so operators'
    # schema files never drift from what is on the wire.
    docs = schema.documents()
    for name, text in docs.items():
        assert (schema.OUT / name).read_text() == text, f"docs/contracts/{name} is out of date"
    assert {p.name for p in schema.OUT.glob("*.json")} == set(docs)


def test_topic_names_are_unique_and_versioned():
    names = [t.name for t in topics.ALL] + [topics.DEAD_LETTER_NAME]
    assert len(names) == len(set(names))
    assert all(n.startswith("nir.") and n.rsplit(".", 1)[1].startswith("v") for n in names)


@pytest.mark.parametrize("til", ["9999-12-31", "1899-12-31"])
def test_periods_refuse_dates_that_would_overflow_frist_arithmetic(til):
    # «No end» is null, never 9999-12-31 (review finding: a 500 and dead-lettered events downstream).
    from shared.events.envelope import Periode
    with pytest.raises(ValidationError, match="datoen må ligge mellom"):
        Periode.model_validate({"fra": "1899-12-01" if til.startswith("1899") else "2021-01-01", "til": til})
