"""The date fields of a JSON Schema (a topic's, or a request body in the OpenAPI document), found by walking the
schema rather than listed by hand: a date field added later is found, and must then be as strict as the rest."""

from __future__ import annotations

import copy
from typing import Any

# What a date is not (issue #11: {"avvist_dato": 0} was read as 1970-01-01).
IKKE_DATOER: list[Any] = [
    0,
    20240201,
    1.5,
    True,
    False,
    "01.02.2024",
    "2024-2-1",
    "20240201",
    "2024-02-01T00:00:00",
    "2024-02-30",
    "",
]


def _los(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _er_dato(schema: dict[str, Any], defs: dict[str, Any]) -> bool:
    schema = _los(schema, defs)
    if schema.get("format") == "date":
        return True
    return any(_er_dato(s, defs) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


def dato_stier(
    schema: dict[str, Any], defs: dict[str, Any], data: Any, sti: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Paths (as key tuples) of every date field of `schema` in the objects `data` (a valid example) has: a date
    the example leaves out or sets null counts, a nested object it leaves out is not entered. Maps of dates
    (additionalProperties) yield the example's keys. Pass one model's schema, not a union of several."""
    schema = _los(schema, defs)
    if _er_dato(schema, defs):
        return [sti]
    stier: list[tuple[str, ...]] = []
    for variant in schema.get("anyOf", []) + schema.get("oneOf", []):
        if _los(variant, defs).get("type") == "object" and isinstance(data, dict):
            stier += dato_stier(variant, defs, data, sti)
    for navn, felt in schema.get("properties", {}).items():
        verdi = data.get(navn) if isinstance(data, dict) else None
        if _er_dato(felt, defs):
            stier.append((*sti, navn))
        elif isinstance(verdi, dict):
            stier += dato_stier(felt, defs, verdi, (*sti, navn))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and _er_dato(extra, defs) and isinstance(data, dict):
        stier += [(*sti, k) for k in data]
    return sorted(set(stier))


def med(data: dict[str, Any], sti: tuple[str, ...], verdi: Any) -> dict[str, Any]:
    """A deep copy of `data` with the value at `sti` replaced."""
    ny = copy.deepcopy(data)
    d = ny
    for k in sti[:-1]:
        d = d[k]
    d[sti[-1]] = verdi
    return ny
