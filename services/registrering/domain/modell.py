"""The facts registrering decides on: a deltaker's programme and its avslutninger. Plain values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype, Kilde
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.utdanning import Utdanningsbakgrunn
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype

REGELMOTOR = "Regelmotor"  # «Registrert av» of computed avslutninger (DOMAIN.md §4 rule 8)


@dataclass(frozen=True)
class Vedtak:
    vedtak_id: UUID
    vedtakstype: Vedtakstype
    resultat: Vedtaksresultat
    fra: date
    til: date | None
    gjeldende: bool = True

    @property
    def fattet(self) -> bool:
        return self.resultat is Vedtaksresultat.VEDTAK_FATTET


@dataclass(frozen=True)
class Tiltak:
    tiltak_id: UUID
    fra: date
    til: date | None
    gjeldende: bool = True


@dataclass(frozen=True)
class Fravaer:
    fravaer_id: UUID
    fravaerstype: Fravaerstype
    fra: date
    til: date | None


@dataclass(frozen=True)
class Avslutningsversjon:
    avslutning_id: UUID
    kilde: Kilde
    versjon: int
    avslutningstype: Avslutningstype
    arsak: Avslutningsarsakkode
    avslutningsdato: date
    timer_arbeid_per_uke: Decimal | None
    registrert_av: str
    registrert_dato: datetime
    oppfolgingskommune: str
    bydel: str | None
    slettet: bool


@dataclass(frozen=True)
class Program:
    """Everything about one deltaker's programme that the registration rules look at."""

    lov: Lov
    bosettingsdato: date
    oppfolgingskommune: str
    vedtak: tuple[Vedtak, ...] = ()
    sluttmal: Sluttmalkode | None = None
    tiltak: tuple[Tiltak, ...] = ()
    fravaer: tuple[Fravaer, ...] = ()
    # Every version of every avslutning, any order.
    avslutningsversjoner: tuple[Avslutningsversjon, ...] = field(default=())
    fodselsdato: date | None = None
    utdanningsbakgrunn: Utdanningsbakgrunn | None = None  # the kommune's registration in force (issue #13 §2)
