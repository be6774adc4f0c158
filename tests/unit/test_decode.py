"""The consumer path's decoding (services/plumbing/consumer.py `decode`): strict, from the JSON bytes, one rule
for a type the topic does not carry."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from services.plumbing.consumer import decode
from shared.events import topics
from tests.support.consuming import record
from tests.support.hendelser import PROGRAMSTART, Deltaker


def test_a_type_the_topic_does_not_carry_is_none_and_a_broken_known_type_raises():
    f = Deltaker()
    registrert = f.registrert().model_dump_json().encode()
    assert decode(record(topics.VEDTAK, 0, registrert), topics.VEDTAK) is None  # another topic's type
    assert decode(record(topics.VEDTAK, 0, b'{"type": "TiltakArkivert", "x": 1}'), topics.VEDTAK) is None
    assert decode(record(topics.DELTAKER, 0, registrert), topics.DELTAKER) is not None
    for broken in (b'{"type": "VedtakRegistrert"}', b"not json", b'["a", "list"]', b"{}"):
        with pytest.raises(ValidationError):
            decode(record(topics.VEDTAK, 0, broken), topics.VEDTAK)


@pytest.mark.parametrize("dato", [0, 20220201, 1.5, True, "01.02.2022", "2022-2-1"])
def test_a_date_that_is_not_an_iso_string_is_refused(dato):
    """Issue #11 §3: {"avvist_dato": 0} is not 1970-01-01 (it made «Person avvist program» dated 01.01.1970)."""
    body = json.loads(Deltaker().avvist(PROGRAMSTART).model_dump_json())
    body["avvist_dato"] = dato
    with pytest.raises(ValidationError) as exc:
        decode(record(topics.VEDTAK, 0, json.dumps(body).encode()), topics.VEDTAK)
    assert [e["loc"] for e in exc.value.errors()] == [("AvvisningRegistrert", "avvist_dato")]
    body["avvist_dato"] = PROGRAMSTART.isoformat()
    assert decode(record(topics.VEDTAK, 0, json.dumps(body).encode()), topics.VEDTAK).avvist_dato == PROGRAMSTART
