"""Gjennomføringsfrist and oppstartsfrist (DOMAIN.md §6) as pure functions over versioned data.

Every result carries its «beregningslogg»: the regelverk version used and each step with its date, so a
caseworker can see how a frist came about. Nothing here reads the clock or does I/O.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.envelope import Periode
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import SLUTTMALNAVN, Sluttmalkode
from shared.kodeverk.utdanning import Utdanningskrav
from shared.regelverk.ikrafttredelse import med_datoer

_DATA = Path(__file__).parent / "varighet.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Varighet(_Frozen):
    maks_maaneder: int = Field(gt=0)
    forlengelse_maaneder: int = Field(ge=0)
    alder_fra: int | None = None
    alder_til_og_med: int | None = None
    utdanning: Utdanningskrav | None = None  # § 13 (MED_VGO) or § 14 (UTEN_VGO); None: no such split (2004 law)
    hovedregel_under_alder: int | None = None  # «hovedregel for personer under 25 år»: a warning, not a band


class Regelverksversjon(_Frozen):
    id: str
    lov: Lov
    gjelder_fra: date
    ikrafttredelse: str | None = None  # the name in ikrafttredelse.yaml the date came from
    hjemmel: str
    fravaer_forlenger: bool
    sluttmal: dict[Sluttmalkode, Varighet] = Field(default_factory=dict)
    uten_sluttmal: Varighet | None = None  # introduksjonsloven has no sluttmål


class Oppstartsregel(_Frozen):
    maaneder_etter_bosetting: int = Field(gt=0)
    hjemmel: str


class Regelverk(_Frozen):
    versjoner: tuple[Regelverksversjon, ...]
    oppstartsfrist: Oppstartsregel

    @model_validator(mode="after")
    def _en_versjon_per_dato(self) -> Regelverk:
        sett = [(v.lov, v.gjelder_fra) for v in self.versjoner]
        if len(sett) != len(set(sett)):
            raise ValueError("varighet.yaml: to versjoner for samme lov gjelder fra samme dato")
        return self


class Beregningssteg(_Frozen):
    beskrivelse: str
    dato: date


class Fristberegning(_Frozen):
    frist: date
    regelverk: str
    steg: tuple[Beregningssteg, ...]


class UkjentSluttmal(ValueError):
    """The sluttmål is not one the regelverk in force knows: a validation error, never a default."""


class IngenRegelverk(ValueError):
    pass


@cache
def regelverk() -> Regelverk:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return Regelverk.model_validate({**raw, "versjoner": med_datoer(raw["versjoner"])})


def gjeldende_versjon(lov: Lov, programstart: date) -> Regelverksversjon:
    """The version in force on the programme's start date (programmes keep the rules they started under)."""
    kandidater = [v for v in regelverk().versjoner if v.lov == lov and v.gjelder_fra <= programstart]
    if not kandidater:
        raise IngenRegelverk(f"ingen regelverk for {lov} gjelder for programstart {programstart.isoformat()}")
    return max(kandidater, key=lambda v: v.gjelder_fra)


def versjon(versjon_id: str) -> Regelverksversjon | None:
    """The version a Fristberegning names (None for the oppstartsfrist, which has no version)."""
    return next((v for v in regelverk().versjoner if v.id == versjon_id), None)


def varighet(versjon: Regelverksversjon, sluttmal: Sluttmalkode | None) -> Varighet:
    if versjon.uten_sluttmal is not None:
        return versjon.uten_sluttmal
    if sluttmal is None:
        raise UkjentSluttmal(f"sluttmål mangler; {versjon.lov} krever sluttmål for å beregne frist")
    if sluttmal not in versjon.sluttmal:
        raise UkjentSluttmal(f"sluttmål {sluttmal} finnes ikke i regelverket {versjon.id}")
    return versjon.sluttmal[sluttmal]


def legg_til_maaneder(d: date, maaneder: int) -> date:
    """Calendar months, clamped to the month's last day (31.01 + 1 month = 28/29.02)."""
    indeks = d.month - 1 + maaneder
    aar, maaned = d.year + indeks // 12, indeks % 12 + 1
    return date(aar, maaned, min(d.day, calendar.monthrange(aar, maaned)[1]))


def _dager(p: Periode) -> int:
    assert p.til is not None
    return (p.til - p.fra).days + 1


def _slaa_sammen(perioder: Iterable[Periode]) -> list[Periode]:
    """Overlapping or adjacent periods as one, so a day of both permisjon and fravær counts once."""
    resultat: list[Periode] = []
    for p in sorted(perioder, key=lambda p: p.fra):
        if p.til is None:
            raise ValueError("permisjon og fravær må ha til-dato for å kunne forlenge fristen")
        if resultat and p.fra <= resultat[-1].til + timedelta(days=1):  # type: ignore[operator]
            if p.til > resultat[-1].til:  # type: ignore[operator]
                resultat[-1] = Periode(fra=resultat[-1].fra, til=p.til)
        else:
            resultat.append(p)
    return resultat


def gjennomforingsfrist(
    *,
    lov: Lov,
    programstart: date,
    sluttmal: Sluttmalkode | None,
    forlengelser: Iterable[Periode] = (),
    permisjoner: Iterable[Periode] = (),
    gyldig_fravaer: Iterable[Periode] = (),
) -> Fristberegning:
    """The last day the programme may run (DOMAIN.md §6).

    programme start + maximum length − 1 day; then forlengelse up to the planned end it grants, never past
    the allowed maximum; then one day for every calendar day of approved permisjon (and gyldig fravær where
    the regelverk says so) that began on or before the frist as extended so far. Calendar days are an
    ASSUMPTION: the forskrift counts leave in virkedager, and how NIR turns those into a date is not public.
    """
    versjon = gjeldende_versjon(lov, programstart)
    v = varighet(versjon, sluttmal)
    steg = [Beregningssteg(beskrivelse="Programstart (vedtak om deltakelse)", dato=programstart)]

    frist = legg_til_maaneder(programstart, v.maks_maaneder) - timedelta(days=1)
    hva = f"sluttmål «{SLUTTMALNAVN[sluttmal]}»" if sluttmal and versjon.uten_sluttmal is None else str(lov)
    steg.append(Beregningssteg(beskrivelse=f"Maksimal varighet {v.maks_maaneder} måneder for {hva}", dato=frist))

    forlengelser = list(forlengelser)
    if forlengelser:
        tak = legg_til_maaneder(frist + timedelta(days=1), v.forlengelse_maaneder) - timedelta(days=1)
        onsket = max(p.til or p.fra for p in forlengelser)
        if onsket > frist:
            ny = min(onsket, tak)
            tekst = "Forlengelse" if ny == onsket else f"Forlengelse, begrenset til {v.forlengelse_maaneder} måneder"
            if v.forlengelse_maaneder == 0:
                tekst = "Forlengelse er ikke tillatt for dette sluttmålet; fristen står"
            frist = ny
            steg.append(Beregningssteg(beskrivelse=tekst, dato=frist))

    perioder = list(permisjoner) + (list(gyldig_fravaer) if versjon.fravaer_forlenger else [])
    for p in _slaa_sammen(
        Periode(fra=max(p.fra, programstart), til=p.til) for p in perioder if p.til is None or p.til >= programstart
    ):
        if p.fra > frist:
            break  # leave that began after the programme had ended extends nothing
        frist += timedelta(days=_dager(p))
        steg.append(
            Beregningssteg(
                beskrivelse=f"Permisjon/gyldig fravær {p.fra.isoformat()}–{p.til.isoformat()}: {_dager(p)} dager",  # type: ignore[union-attr]
                dato=frist,
            )
        )

    return Fristberegning(frist=frist, regelverk=versjon.id, steg=tuple(steg))


def oppstartsfrist(bosettingsdato: date) -> Fristberegning:
    """The last day vedtak om program and sluttmål can be registered (see varighet.yaml: an ASSUMPTION)."""
    regel = regelverk().oppstartsfrist
    frist = legg_til_maaneder(bosettingsdato, regel.maaneder_etter_bosetting) - timedelta(days=1)
    return Fristberegning(
        frist=frist,
        regelverk="oppstartsfrist",
        steg=(
            Beregningssteg(beskrivelse="Bosettingsdato", dato=bosettingsdato),
            Beregningssteg(beskrivelse=f"{regel.maaneder_etter_bosetting} måneder etter bosetting", dato=frist),
        ),
    )
