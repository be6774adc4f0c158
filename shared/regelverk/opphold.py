"""The opphold facts NIR holds about a person (from UDI through IMDi's bosetting, never from the kommune): the
oppholdstillatelser with their ground and dates, and the date of arrival in Norway. Plain values for the pure
rules in lov.py and kategori.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.kodeverk.opphold import Oppholdsgrunnlag


@dataclass(frozen=True, slots=True)
class Tillatelse:
    oppholdsgrunnlag: Oppholdsgrunnlag
    innvilget: date  # the day the tillatelse was granted
    opphort: date | None = None  # the first day it no longer applies (tilbakekalt, utløpt), None while it does


@dataclass(frozen=True, slots=True)
class Opphold:
    tillatelser: tuple[Tillatelse, ...]
    ankomstdato: date | None = None  # arrival in Norway (from abroad: may come after the tillatelse)

    def i_rekkefolge(self) -> list[Tillatelse]:
        return sorted(self.tillatelser, key=lambda t: (t.innvilget, t.opphort or date.max))
