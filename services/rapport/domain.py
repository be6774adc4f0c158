"""The rapport's decisions, pure and synchronous: which avslutning is current, the history's order and
status, the frist for gjennomføring, alder, how an avslutning counts in måloppnåelse, Norwegian formats.

Nothing here does I/O; the projection loads the facts, calls these, and saves the outcome.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import Maaloppnaaelsesgruppe, avslutningsarsak
from shared.kodeverk.kategorier import KATEGORINAVN, Kategori, Lov
from shared.kodeverk.sluttmal import SLUTTMALNAVN, Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype
from shared.regelverk import avslutning_i_kraft, frister, fristgrunnlag

OSLO = ZoneInfo("Europe/Oslo")
KOMMUNE = "kommune"
REGELMOTOR = "regelmotor"


@dataclass(frozen=True)
class Avslutningsversjon:
    avslutning_id: UUID
    versjon: int
    kilde: str
    avslutningstype: str
    arsak: str
    avslutningsdato: date
    timer_arbeid_per_uke: Decimal | None
    registrert_av: str
    registrert_dato: datetime
    oppfolgingskommune: str
    bydel: str | None


@dataclass(frozen=True)
class Sletting:
    avslutning_id: UUID
    slettet_av: str
    slettet_dato: datetime
    grunn: str | None = None


@dataclass(frozen=True)
class Historikklinje:
    versjon: Avslutningsversjon
    status: str  # «gjeldende», «endret» (a later version replaced it), «slettet», «erstattet» (see below)
    tidspunkt: datetime  # when this line happened: registrert, or slettet for a deleted one
    slettet_av: str | None = None


def gjeldende_avslutning(
    versjoner: Iterable[Avslutningsversjon], slettinger: Iterable[Sletting]
) -> Avslutningsversjon | None:
    """The person's current avslutning (shared/regelverk/avslutning_i_kraft.py: DOMAIN.md §4 rules 6–7,
    §5): deleted and retracted ones (a Sletting each) never count; a kommune avslutning wins over a regelmotor
    one even before the regelmotor's retraction has arrived; among several of the same kilde, the most
    recently registered."""
    return avslutning_i_kraft.gjeldende_avslutning(versjoner, {s.avslutning_id for s in slettinger})


def historikk(versjoner: Sequence[Avslutningsversjon], slettinger: Iterable[Sletting]) -> list[Historikklinje]:
    """Every version, newest first (DOMAIN.md §4 rule 5, seed §4 and §6 «Vis all avslutningshistorikk»).

    The newest version of a deleted or retracted avslutning shows as «slettet»; an older version of an edited
    avslutning as «endret»; a live avslutning that is not the current one (a regelmotor avslutning whose
    retraction has not arrived while the kommune's is in force) as «erstattet»."""
    slettet = {s.avslutning_id: s for s in slettinger}
    siste = avslutning_i_kraft.siste_versjoner(versjoner)
    gjeldende = gjeldende_avslutning(versjoner, slettet.values())
    linjer: list[Historikklinje] = []
    for v in versjoner:
        s = slettet.get(v.avslutning_id)
        if siste[v.avslutning_id].versjon != v.versjon:
            linjer.append(Historikklinje(v, "endret", v.registrert_dato))
        elif s is not None:
            linjer.append(Historikklinje(v, "slettet", max(s.slettet_dato, v.registrert_dato), s.slettet_av))
        elif gjeldende is not None and v == gjeldende:
            linjer.append(Historikklinje(v, "gjeldende", v.registrert_dato))
        else:
            linjer.append(Historikklinje(v, "erstattet", v.registrert_dato))
    return sorted(linjer, key=lambda h: (h.tidspunkt, h.versjon.versjon, str(h.versjon.avslutning_id)), reverse=True)


# --- frist --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vedtaksfakta:
    vedtakstype: str
    resultat: str
    fra: date
    til: date | None


@dataclass(frozen=True)
class Fravaersfakta:
    fravaerstype: str
    fra: date
    til: date | None


def frist_for_gjennomforing(
    lov: str | None, sluttmal: str | None, vedtak: Iterable[Vedtaksfakta], fravaer: Iterable[Fravaersfakta]
) -> date | None:
    """Frist for gjennomføring (DOMAIN.md §6) from the facts seen, with shared/regelverk (fristgrunnlag.py
    picks the facts, frister.py computes); None when the facts do not give one (no vedtak om deltakelse, a
    sluttmål the regelverk does not know). `sluttmal` is the one in force already (projeksjon.py keeps the
    one fastsatt last)."""
    if lov is None:
        return None
    try:
        g = fristgrunnlag.fristgrunnlag(
            Lov(lov),
            _fristvedtak(vedtak),
            [fristgrunnlag.Sluttmal(sluttmal=Sluttmalkode(sluttmal), fastsatt_dato=date.min)] if sluttmal else [],
            [fristgrunnlag.Fravaer(fravaerstype=Fravaerstype(f.fravaerstype), fra=f.fra, til=f.til) for f in fravaer],
        )
        return None if g is None else fristgrunnlag.beregn(g).frist
    except ValueError:  # UkjentSluttmal, IngenRegelverk: the report shows no frist rather than a wrong one
        return None


def programforlop(vedtak: Iterable[Vedtaksfakta]) -> tuple[date | None, bool]:
    """The programme's start (the earliest fattet vedtak om deltakelse, as for the frist: fristgrunnlag) and
    whether a vedtak om forlengelse was fattet: the 2007 report's «tid i programmet» and «forlengelse»."""
    fakta = _fristvedtak(vedtak)
    start = fristgrunnlag.programstart(fakta)
    forlenget = any(v.fattet and v.vedtakstype is Vedtakstype.FORLENGELSE for v in fakta)
    return (start.fra if start else None), forlenget


def _fristvedtak(vedtak: Iterable[Vedtaksfakta]) -> list[fristgrunnlag.Vedtak]:
    """The projection's vedtak rows as the frist's inputs (shared/regelverk/fristgrunnlag.py) take them."""
    return [
        fristgrunnlag.Vedtak(
            vedtakstype=Vedtakstype(v.vedtakstype),
            fattet=v.resultat == Vedtaksresultat.VEDTAK_FATTET,
            fra=v.fra,
            til=v.til,
        )
        for v in vedtak
    ]


def mangler_vedtak_eller_sluttmal(lov: str | None, sluttmal: str | None, vedtak: Iterable[Vedtaksfakta]) -> bool:
    """Whether the person still lacks what the oppstartsfrist asks for (seed §12 «Utgått oppstartsfrist»: «vedtak
    om program og slutt mål»): a fattet vedtak om deltakelse, and under integreringsloven a sluttmål
    (introduksjonsloven has none), as the regelmotor's `oppstartsfrist_gjelder` counts them."""
    har_vedtak = any(
        v.vedtakstype == Vedtakstype.DELTAKELSE.value and v.resultat == Vedtaksresultat.VEDTAK_FATTET.value
        for v in vedtak
    )
    trenger_sluttmal = lov == Lov.INTEGRERINGSLOVEN.value
    return not har_vedtak or (trenger_sluttmal and sluttmal is None)


@dataclass(frozen=True)
class FristerAaFolge:
    """The frister the Arbeidsflate watches for a person in programme; None where there is nothing to watch."""

    gjennomforingsfrist: date | None
    oppstartsfrist: date | None


def frister_aa_folge(
    *,
    avsluttet: bool,
    lov: str | None,
    bosettingsdato: date | None,
    sluttmal: str | None,
    vedtak: Sequence[Vedtaksfakta],
    fravaer: Sequence[Fravaersfakta],
) -> FristerAaFolge:
    """An avsluttet person has no frist left to meet. The gjennomføringsfrist is the report's own
    (frist_for_gjennomforing); the oppstartsfrist (shared/regelverk/frister.oppstartsfrist) only while vedtak om
    program or sluttmål is missing — once both are registered it is met."""
    if avsluttet:
        return FristerAaFolge(None, None)
    oppstart = (
        frister.oppstartsfrist(bosettingsdato).frist
        if bosettingsdato is not None and mangler_vedtak_eller_sluttmal(lov, sluttmal, vedtak)
        else None
    )
    return FristerAaFolge(frist_for_gjennomforing(lov, sluttmal, vedtak, fravaer), oppstart)


def alder(fodselsdato: date, paa_dato: date) -> int:
    """Whole years on `paa_dato` (the report uses the avslutningsdato, so a row's Alder never drifts)."""
    return paa_dato.year - fodselsdato.year - ((paa_dato.month, paa_dato.day) < (fodselsdato.month, fodselsdato.day))


# --- Norwegian alphabetical order as plain bytes ---------------------------------------------------------------

_NORSK = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}", "ü": "y"})


def sorteringsnokkel(tekst: str) -> str:
    """A key whose byte order is Norwegian alphabetical order (… x y z æ ø å; ä as æ, ö as ø, ü as y, other
    accents dropped), lower case. Stored beside the names so sorting and prefix search need no collation:
    an ICU sort of 100,000 names costs hundreds of milliseconds, a byte sort a few."""
    lav = tekst.lower().translate(_NORSK)
    return "".join(c for c in unicodedata.normalize("NFKD", lav) if not unicodedata.combining(c))


# --- the report row -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    duf_nummer: str
    fornavn: str
    etternavn: str
    kjonn: str
    fodselsdato: date
    lov: str


def rapportrad(
    deltaker_id: UUID,
    person: Person | None,
    kategori: str | None,
    sluttmal: str | None,
    avslutning: Avslutningsversjon | None,
    frist: date | None,
    programstart: date | None = None,
    forlenget: bool = False,
) -> dict[str, Any] | None:
    """The person's row in the report, or None: no current avslutning, or the person not known yet (the
    row appears when the DeltakerRegistrert arrives, whatever the order)."""
    if person is None or avslutning is None:
        return None
    arsak = avslutningsarsak(avslutning.arsak)
    kommune = geografi.kommuner().get(avslutning.oppfolgingskommune)
    fylkesnummer = kommune.fylkesnummer if kommune else ""
    fylke = geografi.fylker().get(fylkesnummer)
    bydel = geografi.bydeler().get(avslutning.bydel) if avslutning.bydel else None
    return dict(
        deltaker_id=deltaker_id,
        lov=person.lov,
        duf_nummer=person.duf_nummer,
        fornavn=person.fornavn,
        etternavn=person.etternavn,
        fornavn_sort=sorteringsnokkel(person.fornavn),
        etternavn_sort=sorteringsnokkel(person.etternavn),
        kjonn=person.kjonn,
        fodselsdato=person.fodselsdato,
        alder=alder(person.fodselsdato, avslutning.avslutningsdato),
        kategori=kategori,
        kategori_navn=KATEGORINAVN[Kategori(kategori)] if kategori else "",
        sluttmal=sluttmal,
        sluttmal_navn=SLUTTMALNAVN[Sluttmalkode(sluttmal)] if sluttmal else "",
        avslutning_id=avslutning.avslutning_id,
        avslutningstype=avslutning.avslutningstype,
        arsak=arsak.kode.value,
        arsak_navn=arsak.navn,
        gruppe=arsak.gruppe.value,
        avslutningsdato=avslutning.avslutningsdato,
        avslutningsaar=avslutning.avslutningsdato.year,
        kilde=avslutning.kilde,
        registrert_av=avslutning.registrert_av,
        registrert_dato=avslutning.registrert_dato,
        oppfolgingskommune=avslutning.oppfolgingskommune,
        kommune_navn=kommune.navn if kommune else avslutning.oppfolgingskommune,
        bydel=avslutning.bydel,
        bydel_navn=bydel.navn if bydel else None,
        oppfolgingsfylke=fylkesnummer,
        fylke_navn=fylke.navn if fylke else "",
        frist_gjennomforing=frist,
        programstart=programstart,
        forlenget=forlenget,
    )


# --- måloppnåelse (seed imdi-resultater-introduksjonsordningen-2007, Tabell 2) ---------------------------------

JOBB = frozenset({Maaloppnaaelsesgruppe.ARBEID, Maaloppnaaelsesgruppe.ARBEID_OG_UTDANNING})
UTDANNING = frozenset({Maaloppnaaelsesgruppe.UTDANNING_HOY_FAGSKOLE, Maaloppnaaelsesgruppe.UTDANNING_VGO})


@dataclass(frozen=True)
class Telling:
    i_tallgrunnlaget: bool
    i_jobb: bool
    i_utdanning: bool


def telling(gruppe: str) -> Telling:
    """How one avslutning counts. Jobb = «Arbeid» and «Arbeid og utdanning»; utdanning = the two «Utdanning»
    grupper. «Arbeid og utdanning» counts once, as jobb, so andel i jobb + andel i utdanning = andel i jobb
    eller utdanning (Tabell 2's footnote ** says they differ only by rounding). Grunnskole is «Annet», as in
    2007 (grunnskole was held outside «utdanning»)."""
    g = Maaloppnaaelsesgruppe(gruppe)
    return Telling(
        i_tallgrunnlaget=g is not Maaloppnaaelsesgruppe.INNGAR_IKKE, i_jobb=g in JOBB, i_utdanning=g in UTDANNING
    )


def andel(teller: int, nevner: int) -> float | None:
    return None if nevner == 0 else teller / nevner
