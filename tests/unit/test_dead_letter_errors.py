"""Dead-letter error descriptions never echo input values: a fødselsnummer must not reach the dead-letter
topic's error text or the logs (DEVELOPERS.md «Security»)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from services.plumbing.dead_letter_policy import describe_error
from shared.events.deltaker import Identitet


def test_validation_error_is_described_by_field_and_reason_only():
    bad = {
        "duf_nummer": "20231234567X",
        "fodselsnummer": "15076500564",
        "fornavn": "Amina",
        "etternavn": "Haddad",
        "fodselsdato": "1995-03-02",
    }
    with pytest.raises(ValidationError) as info:
        TypeAdapter(Identitet).validate_python(bad)
    text = describe_error(info.value)
    assert "fodselsnummer" in text and "kontrollsiffer" in text and "duf_nummer" in text
    for personal in ("15076500564", "20231234567X"):
        assert personal not in text
    assert personal in str(info.value)  # pydantic's own text would have leaked it


def test_other_errors_keep_type_and_message():
    assert describe_error(RuntimeError("boom")) == "RuntimeError: boom"


def test_url_logging_libraries_are_quiet():
    # httpx logs every request URL at INFO; the Folkeregister person lookup's URL holds a fødselsnummer.
    import logging

    from services.plumbing import logs

    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "aiokafka")})
    try:
        logs.configure("test", "INFO")
        for name in ("httpx", "httpcore", "aiokafka"):
            assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
