"""When each regelverk applies from (ikrafttredelse.yaml): the one place the dates live, validated on load.

varighet.yaml and kategori.yaml name a date (`gjelder_fra: prop81L`) rather than repeating it, so the date the
Prop. 81 L rules apply from — unknown in the seed — is configuration changed in one line, and /frister and the
regelmotor's rule path show which version (and so which date) decided a frist. Pure: reads only its own file.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

_DATA = Path(__file__).parent / "ikrafttredelse.yaml"


class Ikrafttredelse(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dato: date
    hjemmel: str


class Ikrafttredelser(BaseModel):
    """The named dates, in the order the laws came: each strictly after the one before."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    introduksjonsloven: Ikrafttredelse
    integreringsloven: Ikrafttredelse
    prop81L: Ikrafttredelse

    @model_validator(mode="after")
    def _i_rekkefolge(self) -> Ikrafttredelser:
        datoer = [self.introduksjonsloven.dato, self.integreringsloven.dato, self.prop81L.dato]
        if datoer != sorted(set(datoer)):
            raise ValueError("ikrafttredelse: introduksjonsloven < integreringsloven < prop81L, hver sin dato")
        return self

    def dato(self, navn: str) -> date:
        if navn not in type(self).model_fields:
            raise ValueError(f"ukjent ikrafttredelse «{navn}» (kjente: {', '.join(type(self).model_fields)})")
        verdi: Ikrafttredelse = getattr(self, navn)
        return verdi.dato


@cache
def ikrafttredelser() -> Ikrafttredelser:
    return Ikrafttredelser.model_validate(yaml.safe_load(_DATA.read_text(encoding="utf-8")))


def med_datoer(versjoner: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Raw versions with `gjelder_fra: <name>` resolved to the date, the name kept as `ikrafttredelse`."""
    ut = []
    for v in versjoner:
        navn = v.get("gjelder_fra")
        if isinstance(navn, str):
            v = {**v, "gjelder_fra": ikrafttredelser().dato(navn), "ikrafttredelse": navn}
        ut.append(v)
    return ut
