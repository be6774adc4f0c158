"""Person identifiers: DUF-nummer and fødselsnummer/d-nummer (DOMAIN.md §2).

These are personal identifiers: they travel in event payloads (the Folkeregister adapter needs them) but
never in message keys, log lines or error messages (`maskert` gives a safe form for humans).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field

# [0-9], not \d: \d also matches other scripts' digits, which would slip past uniqueness and never match
# the Folkeregister's numbers.
_DUF = re.compile(r"^[0-9]{12}$")
_FNR = re.compile(r"^[0-9]{11}$")
_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _kontrollsiffer(siffer: str, vekter: tuple[int, ...]) -> int | None:
    rest = 11 - sum(int(s) * v for s, v in zip(siffer, vekter, strict=False)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def fodselsnummer_feil(verdi: str) -> str | None:
    """Why `verdi` is not a valid fødselsnummer or d-nummer, or None when it is.

    Checks the form and both mod-11 check digits (Skatteetaten's algorithm). Dates are not checked:
    synthetic («syntetiske») test numbers add 80 to the month.
    """
    if not _FNR.fullmatch(verdi):
        return "fødselsnummer/d-nummer må være 11 siffer"
    k1 = _kontrollsiffer(verdi[:9], _K1)
    k2 = _kontrollsiffer(verdi[:10], _K2)
    if k1 is None or k2 is None or int(verdi[9]) != k1 or int(verdi[10]) != k2:
        return "fødselsnummer/d-nummer har feil kontrollsiffer"
    return None


def duf_nummer_feil(verdi: str) -> str | None:
    if not _DUF.fullmatch(verdi):
        return "DUF-nummer må være 12 siffer"
    return None


def _sjekk_fnr(verdi: str) -> str:
    if (feil := fodselsnummer_feil(verdi)) is not None:
        raise ValueError(feil)
    return verdi


def _sjekk_duf(verdi: str) -> str:
    if (feil := duf_nummer_feil(verdi)) is not None:
        raise ValueError(feil)
    return verdi


def med_kontrollsiffer(ni_siffer: str) -> str | None:
    """Complete nine digits with both check digits, or None when no valid number exists (tests, simulator)."""
    k1 = _kontrollsiffer(ni_siffer, _K1)
    if k1 is None:
        return None
    k2 = _kontrollsiffer(ni_siffer + str(k1), _K2)
    return None if k2 is None else f"{ni_siffer}{k1}{k2}"


def maskert(ident: str) -> str:
    """A form safe to show a human: the last two digits only."""
    return "*" * (len(ident) - 2) + ident[-2:]


# The schema says what the validators check (issue #16 §1), so a client's schema-valid value is accepted; the
# check digits cannot be a pattern: they are the custom format «fodselsnummer», described.
FNR_MONSTER, DUF_MONSTER = _FNR.pattern, _DUF.pattern
Fodselsnummer = Annotated[
    str,
    AfterValidator(_sjekk_fnr),
    Field(
        json_schema_extra={
            "pattern": FNR_MONSTER,
            "format": "fodselsnummer",
            "description": "Fødselsnummer eller d-nummer: 11 siffer der de to siste er kontrollsifre etter "
            "Skatteetatens modulus 11-algoritme (vekter 3 7 6 1 8 9 4 5 2 og 5 4 3 2 7 6 5 4 3 2). Datoen i de "
            "seks første sjekkes ikke (syntetiske testnumre legger 80 til måneden).",
            "examples": ["02039512303"],
        }
    ),
]
DufNummer = Annotated[
    str,
    AfterValidator(_sjekk_duf),
    Field(
        json_schema_extra={
            "pattern": DUF_MONSTER,
            "description": "DUF-nummer: 12 siffer.",
            "examples": ["202312345678"],
        }
    ),
]
