"""Contract tests (issue #2 §3): every event round-trips through JSON, is frozen and strict, is keyed by the
internal deltaker id, and its published JSON Schema is the committed one. Issue #11 §3: every field is strict
in JSON terms (a date only an ISO string, never a number), from the bytes and from their parsed form alike."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import partial
from uuid import UUID

import pytest
from pydantic import ValidationError

from shared.events import schema, topics
from shared.events.eksempler import FNR, all_examples, kommune_avslutning
from shared.events.envelope import DeltakerEvent
from tests.support.datofelt import IKKE_DATOER, dato_stier, med

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


# --- issue #11 §3: strict types, a number is not a date ----------------------------------------------------------


def _dato_tilfeller():
    for event in EXAMPLES:
        schema = type(event).model_json_schema()
        data = json.loads(event.model_dump_json())
        for sti in dato_stier(schema, schema.get("$defs", {}), data):
            yield pytest.param(event, sti, id=f"{event.type}:{'.'.join(sti)}")


DATO_TILFELLER = list(_dato_tilfeller())


def _felt(error: dict, event) -> tuple:
    """The field an error names, without the union's discriminator (a one-type topic has none)."""
    loc = tuple(error["loc"])
    return loc[1:] if loc[:1] == (event.type,) else loc


def test_the_date_fields_are_found_in_every_topic():
    # the walk must not go blind: the examples carry dates on every topic
    assert {topics.topic_of(p.values[0]).name for p in DATO_TILFELLER} == {t.name for t in topics.ALL}
    assert len(DATO_TILFELLER) >= 25


@pytest.mark.parametrize("event,sti", DATO_TILFELLER)
def test_every_event_date_is_an_iso_string_never_a_number(event, sti):
    data = json.loads(event.model_dump_json())
    adapter = topics.topic_of(event).adapter()
    for verdi in IKKE_DATOER:
        ugyldig = med(data, sti, verdi)
        for parse in (partial(adapter.validate_json, json.dumps(ugyldig)), partial(adapter.validate_python, ugyldig)):
            with pytest.raises(ValidationError) as exc:
                parse()
            assert [_felt(e, event) for e in exc.value.errors()] == [sti], (verdi, exc.value.errors())
    # and an ISO date is accepted from the bytes and from their parsed form (pydantic's strict Python mode alone
    # would refuse the string: shared/events/felttyper.py)
    gyldig = med(data, sti, "2022-02-01")
    assert adapter.validate_json(json.dumps(gyldig)) == adapter.validate_python(gyldig)
    assert type(adapter.validate_python(gyldig)) is type(event)


@pytest.mark.parametrize(
    "felt,verdi",
    [
        ("event_id", 123),
        ("correlation_id", True),
        ("occurred_at", 1700000000),
        ("occurred_at", "2023-11-16"),
        ("occurred_at", "2023-11-16T08:30:00"),
        ("schema_version", "1"),
        ("schema_version", 1.0),
        ("schema_version", True),
        ("producer", 7),
    ],
)
def test_envelope_fields_are_strict(felt, verdi):
    data = json.loads(kommune_avslutning().model_dump_json()) | {felt: verdi}
    for parse in (
        lambda: topics.AVSLUTNING.adapter().validate_json(json.dumps(data)),
        lambda: topics.AVSLUTNING.adapter().validate_python(data),
    ):
        with pytest.raises(ValidationError) as exc:
            parse()
        assert [e["loc"][1:] for e in exc.value.errors()] == [(felt,)]


@pytest.mark.parametrize(
    "felt,verdi",
    [
        (("versjon",), "1"),
        (("arsak",), "arbeid"),
        (("arsak",), 1),
        (("avslutning_id",), 5),
        (("timer_arbeid_per_uke",), True),
        (("timer_arbeid_per_uke",), "30,0"),
        (("timer_arbeid_per_uke",), "3e1"),
        (("registrert_av",), 4223),
    ],
)
def test_payload_fields_are_strict(felt, verdi):
    data = json.loads(kommune_avslutning().model_dump_json())
    data = med(data, ("avslutning", *felt), verdi)
    with pytest.raises(ValidationError) as exc:
        topics.AVSLUTNING.adapter().validate_json(json.dumps(data))
    assert [e["loc"][1:] for e in exc.value.errors()] == [("avslutning", *felt)]


@pytest.mark.parametrize("timer", [30, 30.5, "30.5", "30"])
def test_hours_are_a_json_number_or_a_decimal_string_with_a_point(timer):
    # decimals travel as strings ("30.0": what model_dump_json writes), a number is accepted too
    data = med(json.loads(kommune_avslutning().model_dump_json()), ("avslutning", "timer_arbeid_per_uke"), timer)
    parsed = topics.AVSLUTNING.adapter().validate_json(json.dumps(data))
    assert parsed.avslutning.timer_arbeid_per_uke == Decimal(str(timer))


def test_a_period_ending_before_it_starts_names_til():
    from shared.events.envelope import Periode

    with pytest.raises(ValidationError) as exc:
        Periode.model_validate_json('{"fra": "2022-02-01", "til": "2022-01-31"}')
    assert [(e["loc"], e["msg"]) for e in exc.value.errors()] == [(("til",), "til-dato kan ikke være før fra-dato")]
