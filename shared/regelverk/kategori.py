"""Kategori, computed by NIR (issue #13 §1; DOMAIN.md §2; seed nir-ny-integreringslov-endringer-2021: «Kategorier
(potensielle rettigheter og plikter beregnet i NIR)»): a pure, versioned function of the opphold facts and the
person's fødselsdato. No I/O, no clock.

- The deciding tillatelse is the first one on a ground that gives a kategori (kategori.yaml `gir_kategori`).
- The age when it was granted decides (Prop. 81 L kap. 4.1: «Alderen da oppholdstillatelsen ble innvilget er
  avgjørende»): within the version's band «Rett og plikt til introduksjonsprogram»; above it «Kan tilbys
  introduksjonsprogram»; under 18 no kategori. The version is the one of the person's lov (lov.py) in force on
  the innvilget date (kategori.yaml, dates from ikrafttredelse.yaml).
- The kategori runs from the innvilget date while the person holds a tillatelse that keeps it: each tillatelse
  lasts until it is opphørt or the next one is granted (a new tillatelse replaces the one before); it ends the
  first day the person holds none that keeps it (a tillatelse on another ground, opphør, a gap). That first day
  out is the `KategoriEndret(kategori=None, gjelder_fra=…)` date, and the date of the regelmotor's «Ikke lenger
  i kategori» (DOMAIN.md §5: «the date the kategori ended»; seed §12 gives no date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.kodeverk.kategorier import Kategori, Lov
from shared.regelverk import lov as lov_
from shared.regelverk.kategoridata import beholder_kategori, gir_kategori, versjon_for
from shared.regelverk.opphold import Opphold


@dataclass(frozen=True, slots=True)
class Kategoriberegning:
    lov: Lov | None
    kategori: Kategori | None
    fra: date | None  # first day in the kategori
    til: date | None  # last day in it; None while it lasts
    regelverk: str | None  # the kategori version that decided it
    begrunnelse: str


def alder(fodselsdato: date, dato: date) -> int:
    """Whole years on `dato` (a birthday on 29.02 counts from 01.03 in other years)."""
    return dato.year - fodselsdato.year - ((dato.month, dato.day) < (fodselsdato.month, fodselsdato.day))


def kategori_for(opphold: Opphold, fodselsdato: date) -> Kategoriberegning:
    lov = lov_.lov_for(opphold)
    start = lov_.avgjorende_tillatelse(opphold)
    if lov is None or start is None:
        return Kategoriberegning(None, None, None, None, None, "ingen oppholdstillatelse registrert")
    if not gir_kategori(start.oppholdsgrunnlag):
        return Kategoriberegning(lov, None, None, None, None, "ingen tillatelse på et grunnlag som gir kategori")
    versjon = versjon_for(lov, start.innvilget)
    aar = alder(fodselsdato, start.innvilget)
    band = versjon.rett_og_plikt
    if aar < band.alder_fra:
        return Kategoriberegning(
            lov, None, None, None, versjon.id, f"{aar} år da tillatelsen ble innvilget: under {band.alder_fra} år"
        )
    kategori = Kategori.RETT_OG_PLIKT if aar <= band.alder_til_og_med else Kategori.KAN_TILBYS
    hvorfor = (
        f"{aar} år da tillatelsen ble innvilget {start.innvilget.isoformat()}: "
        + (
            f"fra og med {band.alder_fra} til og med {band.alder_til_og_med} år"
            if kategori is Kategori.RETT_OG_PLIKT
            else f"over {versjon.kan_tilbys_over} år"
        )
        + f" ({versjon.id})"
    )
    return Kategoriberegning(lov, kategori, start.innvilget, _siste_dag(opphold, start.innvilget), versjon.id, hvorfor)


def _siste_dag(opphold: Opphold, fra: date) -> date | None:
    """The last day of an unbroken run of tillatelser that keep the kategori, from `fra`."""
    tillatelser = [t for t in opphold.i_rekkefolge() if t.innvilget >= fra]
    for i, t in enumerate(tillatelser):
        neste = tillatelser[i + 1] if i + 1 < len(tillatelser) else None
        slutt = t.opphort
        if neste is not None and (slutt is None or neste.innvilget <= slutt):
            slutt = None  # replaced (or followed without a gap) by the next tillatelse
            if not beholder_kategori(neste.oppholdsgrunnlag):
                return neste.innvilget - timedelta(days=1)
            continue
        return None if slutt is None else slutt - timedelta(days=1)
    return None
