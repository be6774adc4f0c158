"""Person identifiers (DOMAIN.md §2): DUF-nummer 12 digits; fødselsnummer/d-nummer 11 digits with mod-11."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.identer import DufNummer, Fodselsnummer, duf_nummer_feil, fodselsnummer_feil, maskert, med_kontrollsiffer

FNR = TypeAdapter(Fodselsnummer)
DUF = TypeAdapter(DufNummer)


@pytest.mark.parametrize("fnr", ["15076500565", "01019010046", "41019010110"])
def test_valid_numbers(fnr):
    # 15076500565 is a published synthetic example; 41019010110 is a d-nummer (day + 40).
    assert fodselsnummer_feil(fnr) is None
    assert FNR.validate_python(fnr) == fnr


@pytest.mark.parametrize(
    "fnr,feil",
    [
        ("15076500564", "feil kontrollsiffer"),
        ("1507650056", "11 siffer"),
        ("1507650056a", "11 siffer"),
        ("", "11 siffer"),
    ],
)
def test_invalid_numbers_say_why(fnr, feil):
    assert feil in fodselsnummer_feil(fnr)
    with pytest.raises(ValidationError, match=feil):
        FNR.validate_python(fnr)


def test_every_single_digit_error_is_caught_by_the_check_digits():
    valid = "15076500565"
    for i in range(11):
        for d in "0123456789":
            wrong = valid[:i] + d + valid[i + 1 :]
            if wrong != valid:
                assert fodselsnummer_feil(wrong) is not None, wrong


def test_duf_nummer():
    assert duf_nummer_feil("202312345678") is None
    assert duf_nummer_feil("20231234567") == "DUF-nummer må være 12 siffer"
    with pytest.raises(ValidationError, match="12 siffer"):
        DUF.validate_python("2023-1234567")


def test_check_digit_completion_agrees_with_validation():
    for nine in ("150765005", "010190100", "410190101"):
        full = med_kontrollsiffer(nine)
        assert full is None or fodselsnummer_feil(full) is None


def test_masked_form_shows_only_the_last_two_digits():
    assert maskert("15076500565") == "*********65"


def test_only_ascii_digits():
    # «\d» would accept Arabic-Indic digits: a second registration of the same person, never matched by the
    # Folkeregister's numbers (review finding).
    arabisk = "".join(chr(0x0660 + int(c)) for c in "15076500565")
    assert fodselsnummer_feil(arabisk) == "fødselsnummer/d-nummer må være 11 siffer"
    assert duf_nummer_feil("".join(chr(0x0660 + int(c)) for c in "202312345678")) == "DUF-nummer må være 12 siffer"
