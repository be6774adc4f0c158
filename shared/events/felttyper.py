"""What a JSON value may be for each field type: strict, and the same whether pydantic gets the JSON text or
its parsed form.

Contracts are validated both ways. Consumers parse a record's bytes (`TypeAdapter.validate_json`); FastAPI
(0.165, fastapi/routing.py and _compat/v2.py) hands pydantic the *parsed* request body
(`validate_python(await request.json())`); our own code builds values from Python objects and database rows.
pydantic's strict mode differs between the two: strict *JSON* validation takes "2024-02-01" for a date, but
strict *Python* validation refuses that string (and a UUID string, and an enum's value). So every model is
strict (`ConfigDict(strict=True)`: an int is never "30" or 30.0, a bool never 1 or "true", a str never a
number), and the types JSON has no literal for are declared here: lax inside (`Strict(False)`, a deliberate
exception) behind a guard that lets through only their JSON form, or the Python value itself.

- a date is only the string "YYYY-MM-DD" (never a number, a bool, "01.02.2024" or "2024-2-1");
- a timestamp only an ISO 8601 string with a UTC offset;
- a UUID only a string;
- a decimal (hours per week) a JSON number or a string of digits with a decimal *point* ("30.5", as our own
  responses and events write decimals); never a bool, never "30,5";
- a code (an enum) only one of its values, as a string.

Messages are Norwegian and never repeat the rejected value (it may be an identifier).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

# The outer bounds of any date in a contract. «No end» is None, never 9999-12-31: dates that far out overflow
# the frist arithmetic. The programme's own plausible range is a registration rule (registrering's regler).
FORSTE_DATO, SISTE_DATO = date(1900, 1, 1), date(2199, 12, 31)

_ISO_DATO = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIDSPUNKT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DESIMALTEKST = re.compile(r"-?\d+(\.\d+)?")


def _bare_dato(v: Any) -> Any:
    if isinstance(v, date) and not isinstance(v, datetime):
        return v
    if not isinstance(v, str):
        raise PydanticCustomError(
            "dato_type", 'datoen må oppgis som tekst på formen ÅÅÅÅ-MM-DD (f.eks. "2024-02-01"), ikke som tall'
        )
    if not _ISO_DATO.fullmatch(v):
        raise PydanticCustomError("dato_format", 'datoen må skrives ÅÅÅÅ-MM-DD (ISO 8601, f.eks. "2024-02-01")')
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise PydanticCustomError("dato_ugyldig", "datoen finnes ikke i kalenderen (ÅÅÅÅ-MM-DD)") from None


def _rimelig_dato(d: date) -> date:
    if not FORSTE_DATO <= d <= SISTE_DATO:
        raise PydanticCustomError(
            "dato_utenfor",
            "datoen må ligge mellom {forste} og {siste}",
            {"forste": FORSTE_DATO.isoformat(), "siste": SISTE_DATO.isoformat()},
        )
    return d


def _bare_tidspunkt(v: Any) -> Any:
    if isinstance(v, datetime) or (isinstance(v, str) and _ISO_TIDSPUNKT.match(v)):
        return v
    raise PydanticCustomError(
        "tidspunkt_type",
        "tidspunktet må være en tekst på formen ÅÅÅÅ-MM-DDTtt:mm:ss med "
        'tidssone (ISO 8601, f.eks. "2024-02-01T08:30:00+01:00")',
    )


def _bare_uuid(v: Any) -> Any:
    if isinstance(v, (UUID, str)):
        return v
    raise PydanticCustomError("uuid_type", "id-en må være en UUID som tekst")


def _bare_desimal(v: Any) -> Any:
    if isinstance(v, Decimal) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        return v
    if isinstance(v, str) and _DESIMALTEKST.fullmatch(v):
        return v
    raise PydanticCustomError(
        "desimal_type", 'må være et tall med desimalpunktum, f.eks. 30.5 eller "30.5" (ikke desimalkomma)'
    )


Dato = Annotated[date, Strict(False), BeforeValidator(_bare_dato), AfterValidator(_rimelig_dato)]
Tidspunkt = Annotated[AwareDatetime, Strict(False), BeforeValidator(_bare_tidspunkt)]
Id = Annotated[UUID, Strict(False), BeforeValidator(_bare_uuid)]
Desimal = Annotated[Decimal, Strict(False), BeforeValidator(_bare_desimal)]


def desimal(**begrensninger: Any) -> Any:
    """A Desimal with constraints (Field(gt=…, decimal_places=…)) on the number itself, inside the guard, so the
    JSON Schema shows them where they apply."""
    return Annotated[Decimal, Field(**begrensninger), Strict(False), BeforeValidator(_bare_desimal)]


if TYPE_CHECKING:
    # What `Kode[Vedtakstype]` is to a type checker: the enum itself (the class below builds its validator at
    # run time, which a type checker cannot follow).
    _E = TypeVar("_E", bound=Enum)
    Kode: TypeAlias = Annotated[_E, Strict(False)]
else:

    class Kode:
        """`Kode[Vedtakstype]`: one of the enum's values as a string (or the member itself)."""

        def __class_getitem__(cls, enum: type[Enum]) -> Any:
            verdier = {m.value for m in enum}
            gyldige = ", ".join(str(m.value) for m in enum)

            def _bare_verdi(v: Any) -> Any:
                if isinstance(v, enum) or (isinstance(v, str) and v in verdier):
                    return v
                raise PydanticCustomError(
                    "kode_ukjent", "ukjent kode; gyldige verdier er {gyldige}", {"gyldige": gyldige}
                )

            return Annotated[enum, Strict(False), BeforeValidator(_bare_verdi)]
