"""What the gjennomføringsfrist (DOMAIN.md §6) is computed from, derived from a person's facts: the
programme start (the first fattet vedtak om deltakelse), the sluttmål in force, and the forlengelse,
permisjon and gyldig fravær that extend the frist.

Registrering (its tables), the regelmotor (the facts folded from its topics) and rapport (its projection)
each map their own shape to `Vedtak`, `Sluttmal` and `Fravaer` and call `fristgrunnlag`: the derivation was
written three times and could drift apart (issue #12). Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Protocol, TypeVar
from uuid import UUID

from shared.events.envelope import Periode
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtakstype
from shared.regelverk import frister

# (fra, til) of a period: plain tuples, so a grunnlag hashes and sorts cheaply (the regelmotor asks for
# the frist several times per event, and `beregn` is memoised on the grunnlag).
Tidsrom = tuple[date, date | None]
_INGEN = UUID(int=0)  # a fact without an id, for the tie-break (UUIDs order as their text does)


@dataclass(frozen=True, slots=True)
class Vedtak:
    vedtakstype: Vedtakstype
    fattet: bool  # only a fattet vedtak has any effect (shared/kodeverk/vedtak.py)
    fra: date
    til: date | None
    event_id: UUID | None = None  # the fact's id where the caller keeps one (the regelmotor's event id)


@dataclass(frozen=True, slots=True)
class Sluttmal:
    sluttmal: Sluttmalkode
    fastsatt_dato: date
    # Orders two sluttmål fastsatt the same day, later wins: the caller's registration order (a sequence
    # number, or the time recorded); comparable among one caller's values.
    rekkefolge: tuple[object, ...] = ()
    event_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Fravaer:
    fravaerstype: Fravaerstype
    fra: date
    til: date | None
    event_id: UUID | None = None


@dataclass(frozen=True)
class Fristgrunnlag:
    """The inputs of frister.gjennomforingsfrist. Equal grunnlag give the same frist; `event_ids` (the facts'
    ids it rests on: the starting vedtak, the sluttmål, then each forlengelse, permisjon and fravær in the
    order given) is not part of that equality."""

    lov: Lov
    programstart: date
    sluttmal: Sluttmalkode | None
    forlengelser: tuple[Tidsrom, ...]  # sorted: their order does not change the frist
    permisjoner: tuple[Tidsrom, ...]
    gyldig_fravaer: tuple[Tidsrom, ...]
    event_ids: tuple[UUID, ...] = field(default=(), compare=False)


class _Vedtaksfakta(Protocol):
    @property
    def vedtakstype(self) -> Vedtakstype: ...
    @property
    def fattet(self) -> bool: ...


F = TypeVar("F", bound=_Vedtaksfakta)


def programvedtak(vedtak: Iterable[F]) -> list[F]:
    """The vedtak om program: fattede vedtak om deltakelse (DOMAIN.md §2 «vedtak»), in any service's shape
    (the regelmotor's oppstartsfrist rule looks at their vedtaksdato)."""
    return [v for v in vedtak if v.vedtakstype is Vedtakstype.DELTAKELSE and v.fattet]


def programstart(vedtak: Iterable[Vedtak]) -> Vedtak | None:
    """The vedtak that starts the programme: the earliest vedtak om program (DOMAIN.md §6 «programme start
    (vedtak om program)»); among several on one day, the one with the lowest id, so the sources named are the
    same whatever order the facts came in."""
    return min(programvedtak(vedtak), key=lambda v: (v.fra, v.event_id or _INGEN), default=None)


def gjeldende_sluttmal(sluttmal: Iterable[Sluttmal]) -> Sluttmal | None:
    """The sluttmål in force: the one fastsatt last (a later sluttmål replaces an earlier); on one day, the
    one registered last."""
    return max(sluttmal, key=lambda s: (s.fastsatt_dato, s.rekkefolge), default=None)


def fristgrunnlag(
    lov: Lov, vedtak: Iterable[Vedtak], sluttmal: Iterable[Sluttmal], fravaer: Iterable[Fravaer]
) -> Fristgrunnlag | None:
    """DOMAIN.md §6's inputs from the facts; None before a programme start. A sluttmål may be missing (the
    introduksjonsloven has none; under integreringsloven frister.gjennomforingsfrist refuses it)."""
    vedtak = list(vedtak)
    start = programstart(vedtak)
    if start is None:
        return None
    valgt = gjeldende_sluttmal(sluttmal)
    forlengelser = [v for v in vedtak if v.fattet and v.vedtakstype is Vedtakstype.FORLENGELSE]
    # An open-ended permisjon/fravær cannot extend a frist by a number of days: left out until it has a til.
    permisjoner = [v for v in vedtak if v.fattet and v.vedtakstype is Vedtakstype.PERMISJON and v.til is not None]
    gyldig = [f for f in fravaer if f.fravaerstype is Fravaerstype.GYLDIG and f.til is not None]
    perioder: list[Vedtak | Fravaer] = [*forlengelser, *permisjoner, *gyldig]
    event_ids = (start.event_id, valgt.event_id if valgt else None, *(x.event_id for x in perioder))
    return Fristgrunnlag(
        lov=lov,
        programstart=start.fra,
        sluttmal=valgt.sluttmal if valgt else None,
        forlengelser=_tidsrom(forlengelser),
        permisjoner=_tidsrom(permisjoner),
        gyldig_fravaer=_tidsrom(gyldig),
        event_ids=tuple(k for k in event_ids if k is not None),
    )


def _tidsrom(fakta: Iterable[Vedtak | Fravaer]) -> tuple[Tidsrom, ...]:
    # an open forlengelse (til None) sorts last among those of its day: None and a date do not compare
    return tuple(sorted(((x.fra, x.til) for x in fakta), key=lambda p: (p[0], p[1] or date.max)))


@lru_cache(maxsize=8192)
def beregn(g: Fristgrunnlag) -> frister.Fristberegning:
    """frister.gjennomforingsfrist on the grunnlag, memoised (raises UkjentSluttmal, IngenRegelverk)."""
    return frister.gjennomforingsfrist(
        lov=g.lov,
        programstart=g.programstart,
        sluttmal=g.sluttmal,
        forlengelser=[Periode(fra=f, til=t) for f, t in g.forlengelser],
        permisjoner=[Periode(fra=f, til=t) for f, t in g.permisjoner],
        gyldig_fravaer=[Periode(fra=f, til=t) for f, t in g.gyldig_fravaer],
    )


# Seed nir-brukerveiledning-avslutning-2023 §12, «Avslutningsårsak ikke registrert»: «Beregnes av regelmotor ved
# utgått gjennomføringsfrist, dersom kommunen ikke har registrert en avslutningsårsak (eller vedtak og slutt mål,
# som er forutsetning for å registrere avslutning)».
SEED_12_UTEN_SLUTTMAL = (
    "seed §12: «ved utgått gjennomføringsfrist, dersom kommunen ikke har registrert en avslutningsårsak (eller "
    "vedtak og slutt mål, som er forutsetning for å registrere avslutning)»"
)


@lru_cache(maxsize=8192)
def beregn_uten_gyldig_sluttmal(g: Fristgrunnlag) -> frister.Fristberegning | None:
    """The frist of a programme under integreringsloven that has started but has no sluttmål the regelverk
    version of its start knows (none registered, or one of another generation after the ikrafttredelse moved):
    the longest maximum length the version allows for any sluttmål (forlengelse, permisjon and fravær as for
    that sluttmål), so it is never earlier than the frist any sluttmål could have given — a programme is ended
    only once no sluttmål could still let it run (seed §12, SEED_12_UTEN_SLUTTMAL). None where the lov has no
    sluttmål or no regelverk applies."""
    try:
        versjon = frister.gjeldende_versjon(g.lov, g.programstart)
    except frister.IngenRegelverk:
        return None
    if versjon.uten_sluttmal is not None or not versjon.sluttmal:
        return None
    lengste = max(versjon.sluttmal, key=lambda k: (versjon.sluttmal[k].maks_maaneder, k.value))
    b = beregn(replace(g, sluttmal=lengste))
    forklaring = frister.Beregningssteg(
        beskrivelse=f"Uten gyldig sluttmål: lengste varighet i {versjon.id} ({SEED_12_UTEN_SLUTTMAL})",
        dato=g.programstart,
    )
    return frister.Fristberegning(frist=b.frist, regelverk=b.regelverk, steg=(forklaring, *b.steg))
