"""The registration rules of DOMAIN.md §4 (seed nir-brukerveiledning-avslutning-2023 §2–6), each a small
named pure function that returns its outcome and the inputs it used (navikt/syfosmregler style).

An `Utfall` that is not `oppfylt` says which field it concerns and what kind of refusal it is: `UGYLDIG`
(the request itself is wrong: 422), `KONFLIKT` (the person's state does not allow it: 409) or `FORBUDT`
(this user may not: 403). The API turns them into answers; nothing here does I/O or reads the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any
from uuid import UUID

from services.registrering.domain.modell import Avslutningsversjon, Program
from shared import tilgang as tilgang_
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Kilde, avslutningsarsak
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import SLUTTMALNAVN, Sluttmalkode
from shared.kodeverk.utdanning import KRAVNAVN, UTDANNINGSNAVN, Utdanningsbakgrunn, krav_for
from shared.kodeverk.vedtak import Vedtakstype
from shared.regelverk import avslutning_i_kraft, frister, fristgrunnlag
from shared.regelverk import kategori as kategori_
from shared.regelverk import lov as lov_
from shared.regelverk.frister import Fristberegning, Varighet
from shared.regelverk.opphold import Opphold
from shared.tilgang import Omfang, Plassering


class Bruddtype(StrEnum):
    UGYLDIG = "UGYLDIG"
    KONFLIKT = "KONFLIKT"
    FORBUDT = "FORBUDT"


@dataclass(frozen=True)
class Utfall:
    regel: str
    oppfylt: bool
    melding: str = ""
    felt: str | None = None
    bruddtype: Bruddtype = Bruddtype.UGYLDIG
    grunnlag: dict[str, Any] = field(default_factory=dict)


def _ok(regel: str, **grunnlag: Any) -> Utfall:
    return Utfall(regel=regel, oppfylt=True, grunnlag=grunnlag)


def _brudd(
    regel: str, melding: str, felt: str | None = None, bruddtype: Bruddtype = Bruddtype.UGYLDIG, **grunnlag: Any
) -> Utfall:
    return Utfall(regel=regel, oppfylt=False, melding=melding, felt=felt, bruddtype=bruddtype, grunnlag=grunnlag)


# --- facts derived from the programme ----------------------------------------------------------------


def _vedtak(program: Program) -> list[fristgrunnlag.Vedtak]:
    return [
        fristgrunnlag.Vedtak(vedtakstype=v.vedtakstype, fattet=v.fattet, fra=v.fra, til=v.til) for v in program.vedtak
    ]


def programstart(program: Program) -> date | None:
    """The start of the programme (shared/regelverk/fristgrunnlag.py: the earliest fattet vedtak om deltakelse)."""
    forste = fristgrunnlag.programstart(_vedtak(program))
    return forste.fra if forste else None


def grunnlag(program: Program) -> fristgrunnlag.Fristgrunnlag | None:
    """The frist's inputs from the programme (its sluttmål is the one in force already: lager.hent_program)."""
    return fristgrunnlag.fristgrunnlag(
        program.lov,
        _vedtak(program),
        [fristgrunnlag.Sluttmal(sluttmal=program.sluttmal, fastsatt_dato=date.min)] if program.sluttmal else [],
        [fristgrunnlag.Fravaer(fravaerstype=f.fravaerstype, fra=f.fra, til=f.til) for f in program.fravaer],
    )


def gjennomforingsfrist(program: Program) -> Fristberegning | None:
    """DOMAIN.md §6, from the programme's facts; None without a programstart (or a sluttmål when the lov
    needs one). Raises frister.UkjentSluttmal when the sluttmål is not in the regelverk in force."""
    g = grunnlag(program)
    if g is None or (g.lov is Lov.INTEGRERINGSLOVEN and g.sluttmal is None):
        return None
    return fristgrunnlag.beregn(g)


def oppstartsfrist(program: Program) -> Fristberegning:
    return frister.oppstartsfrist(program.bosettingsdato)


# --- avslutninger: current and history ----------------------------------------------------------------


def gjeldende_avslutning(program: Program) -> Avslutningsversjon | None:
    """The avslutning in force (shared/regelverk/avslutning_i_kraft.py: DOMAIN.md §4 rules 5–7, §5): a
    kommune avslutning always wins over a computed one, even before the regelmotor's retraction has arrived;
    then the newest. Here a deletion is a version marked slettet."""
    siste = avslutning_i_kraft.siste_versjoner(program.avslutningsversjoner)
    return avslutning_i_kraft.gjeldende_avslutning(siste.values(), {i for i, v in siste.items() if v.slettet})


def historikk(program: Program) -> list[Avslutningsversjon]:
    """«Vis all avslutningshistorikk»: every version, deleted ones too, newest first (DOMAIN.md §4 rule 5)."""
    return sorted(program.avslutningsversjoner, key=lambda v: (v.registrert_dato, v.versjon), reverse=True)


def venter_paa_kommunens_arsak(program: Program) -> Utfall:
    """§4 rule 7: after a permanent stans the kommune must add the real avslutningsårsak."""
    regel = "DOMAIN.md §4.7 permanent stans krever kommunens avslutningsårsak"
    g = gjeldende_avslutning(program)
    if g is not None and g.arsak is Avslutningsarsakkode.VEDTAK_OM_PERMANENT_STANS:
        return _brudd(
            regel,
            "Vedtak om permanent stans er registrert; kommunen må registrere avslutningsårsak",
            bruddtype=Bruddtype.KONFLIKT,
            avslutning_id=str(g.avslutning_id),
        )
    return _ok(regel)


# --- the rules -----------------------------------------------------------------------------------------


def krever_vedtak_om_program_og_sluttmal(program: Program) -> Utfall:
    """§4 rule 1: an avslutning needs a vedtak om program and (under integreringsloven) a sluttmål."""
    regel = "DOMAIN.md §4.1 vedtak om program og sluttmål"
    start = programstart(program)
    if start is None:
        return _brudd(
            regel,
            "personen har ikke vedtak om deltakelse i introduksjonsprogram",
            bruddtype=Bruddtype.KONFLIKT,
            programstart=None,
        )
    if program.lov is Lov.INTEGRERINGSLOVEN and program.sluttmal is None:
        return _brudd(
            regel,
            "personen har ikke registrert sluttmål",
            bruddtype=Bruddtype.KONFLIKT,
            programstart=start,
            sluttmal=None,
        )
    return _ok(regel, programstart=start, sluttmal=program.sluttmal)


def avslutningsdato_innenfor_frist(avslutningsdato: date, program: Program) -> Utfall:
    """§4 rule 2: on or before the gjennomføringsfrist and not before programme start. The frist may have
    passed today (etterregistrering, seed §5 tips): only the date itself is compared, never the clock."""
    regel = "DOMAIN.md §4.2 avslutningsdato innenfor gjennomføringsfristen"
    start = programstart(program)
    if start is not None and avslutningsdato < start:
        return _brudd(
            regel,
            f"avslutningsdato kan ikke være før programstart {start.isoformat()}",
            felt="avslutningsdato",
            avslutningsdato=avslutningsdato,
            programstart=start,
        )
    try:
        beregning = gjennomforingsfrist(program)
    except (frister.UkjentSluttmal, frister.IngenRegelverk) as exc:
        return _brudd(
            regel,
            f"gjennomføringsfristen kan ikke beregnes: {exc}",
            felt="avslutningsdato",
            bruddtype=Bruddtype.KONFLIKT,
        )
    if beregning is not None and avslutningsdato > beregning.frist:
        return _brudd(
            regel,
            f"avslutningsdato er etter gjennomføringsfristen {beregning.frist.isoformat()}",
            felt="avslutningsdato",
            avslutningsdato=avslutningsdato,
            gjennomforingsfrist=beregning.frist,
        )
    return _ok(
        regel,
        avslutningsdato=avslutningsdato,
        programstart=start,
        gjennomforingsfrist=beregning.frist if beregning else None,
    )


def timer_arbeid_per_uke(arsak: Avslutningsarsakkode, timer: Decimal | None) -> Utfall:
    """§4 rule 3: Arbeid requires hours per week, positive with at most one decimal; other codes take none."""
    regel = "DOMAIN.md §4.3 antall timer arbeid per uke"
    felt = "timer_arbeid_per_uke"
    if avslutningsarsak(arsak).krever_timer_arbeid_per_uke:
        if timer is None:
            return _brudd(regel, "antall timer arbeid per uke er påkrevd for avslutningsårsak Arbeid", felt=felt)
        if timer <= 0 or timer > 168:
            return _brudd(regel, "antall timer arbeid per uke må være større enn 0 og høyst 168", felt=felt)
        if timer != timer.quantize(Decimal("0.1")):
            # the JSON form, not the Norwegian display «30,5»: a comma is refused (shared/events/felttyper.py)
            return _brudd(regel, "antall timer arbeid per uke kan ha høyst én desimal (f.eks. 30.5)", felt=felt)
        return _ok(regel, arsak=arsak, timer=timer)
    if timer is not None:
        return _brudd(regel, "antall timer arbeid per uke registreres bare for avslutningsårsak Arbeid", felt=felt)
    return _ok(regel, arsak=arsak, timer=None)


def kommunen_kan_sette_arsak(arsak: Avslutningsarsakkode) -> Utfall:
    """DOMAIN.md §3: codes only the regelmotor computes are refused for the kommune."""
    regel = "DOMAIN.md §3 hvem kan sette avslutningsårsaken"
    a = avslutningsarsak(arsak)
    if not a.kan_registreres_av_kommunen:
        return _brudd(
            regel,
            f"avslutningsårsak «{a.navn}» beregnes av regelmotor og kan ikke registreres av kommunen",
            felt="arsak",
            arsak=arsak,
        )
    return _ok(regel, arsak=arsak)


# --- dates that make sense in time -----------------------------------------------------------------------------

# The introduksjonsordning exists from 01.09.2003: «Introduksjonsloven trådte i kraft fra 1. september 2003. I
# tidsrommet 1. september 2003 til og med 31. august 2004 gjelder loven ikke den enkelte kommune om ikke kommunen
# selv beslutter at loven skal gjelde i kommunen. Fra 1. september 2004 gjelder loven alle kommuner.» (Rundskriv
# H-20/03, Kommunal- og regionaldepartementet 21.08.2003; LOV-2003-07-04-80, ikrafttredelse 01.09.2003 and
# 01.09.2004; seed imdi-resultater-introduksjonsordningen-2007: «Fra september 2004 har det vært obligatorisk for
# norske bosettingskommuner å tilby introduksjonsprogram»). No vedtak, sluttmål, tiltak, fravær, avvisning or
# avslutning of a programme can be dated before it.
TIDLIGSTE_PROGRAMDATO = date(2003, 9, 1)
PERMISJON_MAANEDER = 12  # slack beyond the longest programme for permisjon (a DECISION, not a source)

_DATOFELT = {
    "vedtaksdato": "vedtaksdato",
    "periode.fra": "fra-dato",
    "periode.til": "til-dato",
    "fastsatt_dato": "fastsatt dato",
    "avvist_dato": "avvist dato",
    "avslutningsdato": "avslutningsdato",
    "bosettingsdato": "bosettingsdato",
    "kategori_periode.fra": "fra-dato for kategorien",
    "kategori_periode.til": "til-dato for kategorien",
}


@cache
def maaneder_fram_i_tid() -> int:
    """How far ahead any date of a programme can lie: the longest programme the regelverk allows (maks +
    forlengelse; Prop. 81 L fag- og yrkesopplæring: 5 years), planned up to the oppstartsfrist ahead of its
    start (bosetting + 2 years), plus permisjon: 60 + 24 + 12 months = 8 years with today's varighet.yaml."""
    rv = frister.regelverk()
    lengste = max(
        v.maks_maaneder + v.forlengelse_maaneder
        for versjon in rv.versjoner
        for v in (*versjon.sluttmal.values(), *((versjon.uten_sluttmal,) if versjon.uten_sluttmal else ()))
    )
    return int(lengste + rv.oppstartsfrist.maaneder_etter_bosetting + PERMISJON_MAANEDER)


def seneste_programdato(idag: date) -> date:
    return frister.legg_til_maaneder(idag, maaneder_fram_i_tid())


def ikke_for_fodselsdato(felt: str, dato: date, fodselsdato: date) -> Utfall:
    """DOMAIN.md §4 «bad input»: nothing in a person's programme happens before the person was born (issue
    #11: an avvisning dated 1970-01-01, from the number 0, ended the programme of a person born later)."""
    regel = "DOMAIN.md §4 dato ikke før fødselsdato"
    if dato < fodselsdato:
        # the fødselsdato itself is not repeated: a 422 ends up in client logs
        return _brudd(
            regel,
            f"{_DATOFELT.get(felt, felt)} kan ikke være før personens fødselsdato",
            felt=felt,
            dato=dato,
            fodselsdato=fodselsdato,
        )
    return _ok(regel, dato=dato, fodselsdato=fodselsdato)


def innenfor_programmets_tid(felt: str, dato: date, idag: date) -> Utfall:
    """A programme date lies between the introduksjonsordning's start (TIDLIGSTE_PROGRAMDATO) and the furthest
    a programme can reach from today (seneste_programdato). `idag` is an input: the domain reads no clock."""
    regel = "introduksjonsordningen fra 01.09.2003 (Rundskriv H-20/03) til lengste program fram i tid"
    navn = _DATOFELT.get(felt, felt)
    if dato < TIDLIGSTE_PROGRAMDATO:
        return _brudd(
            regel,
            f"{navn} kan ikke være før {TIDLIGSTE_PROGRAMDATO.isoformat()}, da introduksjonsloven trådte i kraft",
            felt=felt,
            dato=dato,
            tidligste=TIDLIGSTE_PROGRAMDATO,
        )
    seneste = seneste_programdato(idag)
    if dato > seneste:
        return _brudd(
            regel,
            f"{navn} kan ikke være senere enn {seneste.isoformat()} ({maaneder_fram_i_tid() // 12} "
            "år fram i tid: lenger enn noe introduksjonsprogram kan vare)",
            felt=felt,
            dato=dato,
            seneste=seneste,
        )
    return _ok(regel, dato=dato, tidligste=TIDLIGSTE_PROGRAMDATO, seneste=seneste)


def datoer_i_tid(datoer: Mapping[str, date | None], *, fodselsdato: date, idag: date) -> tuple[Utfall, ...]:
    """Every date of one registration (field name → date; None = not given): the first rule each breaks, so the
    client learns every wrong field at once, and one message per field."""
    utfall = []
    for felt, dato in datoer.items():
        if dato is None:
            continue
        foedt = ikke_for_fodselsdato(felt, dato, fodselsdato)
        utfall.append(foedt if not foedt.oppfylt else innenfor_programmets_tid(felt, dato, idag))
    return tuple(utfall)


def fodselsdato_ikke_i_fremtiden(fodselsdato: date, idag: date) -> Utfall:
    """DOMAIN.md §4 «bad input»: a person registered in NIR has been born."""
    regel = "DOMAIN.md §4 fødselsdato ikke fram i tid"
    if fodselsdato > idag:
        return _brudd(regel, "fødselsdato kan ikke være fram i tid", felt="fodselsdato")
    return _ok(regel)


def personens_datoer(*, fodselsdato: date, bosettingsdato: date, idag: date) -> tuple[Utfall, ...]:
    """The person's own dates: born by today, and settled only after birth (a fødselsdato in the future is the
    one error then: the other would only repeat it). The kategori's dates are NIR's own (kategori.py)."""
    fodt = fodselsdato_ikke_i_fremtiden(fodselsdato, idag)
    if not fodt.oppfylt:
        return (fodt,)
    return (fodt, ikke_for_fodselsdato("bosettingsdato", bosettingsdato, fodselsdato))


def lov_etter_opphold(oppgitt: Lov | None, opphold: Opphold | None) -> tuple[Utfall, Lov | None]:
    """Issue #13 §1: `lov` follows from IMDi's opphold (shared/regelverk/lov.py: the tillatelse's date, seed
    nir-ny-integreringslov-endringer-2021). With it, a posted lov that contradicts it is a field error; without
    it (IMDi has not reported yet) the kommune's lov is required and stands until it comes."""
    regel = lov_.REGEL
    beregnet = lov_.lov_for(opphold) if opphold is not None else None
    if beregnet is None:
        if oppgitt is None:
            return (
                _brudd(
                    regel,
                    "lov er påkrevd så lenge IMDi ikke har registrert opphold for personen; da følger den av "
                    "datoen for oppholdstillatelsen",
                    felt="lov",
                ),
                None,
            )
        return _ok(regel, lov=oppgitt, kilde="kommunen"), oppgitt
    if oppgitt is not None and oppgitt is not beregnet:
        assert opphold is not None
        return (
            _brudd(
                regel,
                f"lov er {beregnet.value} etter datoene IMDi har registrert ({lov_.begrunnelse(opphold, beregnet)}); "
                f"{oppgitt.value} stemmer ikke med dem",
                felt="lov",
                beregnet=beregnet,
            ),
            beregnet,
        )
    return _ok(regel, lov=beregnet, kilde="opphold"), beregnet


Kategoritilstand = tuple[str | None, date | None, date | None]  # (kategori, fra, til) as the deltaker row has it


def kategori(opphold: Opphold | None, fodselsdato: date) -> Kategoritilstand:
    """The kategori NIR computes (shared/regelverk/kategori.py); none before IMDi reported opphold."""
    if opphold is None:
        return None, None, None
    b = kategori_.kategori_for(opphold, fodselsdato)
    return (b.kategori.value if b.kategori else None, b.fra, b.til)


@dataclass(frozen=True)
class Advarsel:
    """A warning that stores nothing until the client confirms (confirm=true): §4 rule 4 (what runs past the
    date), and the sluttmål's «hovedregel for personer under 25 år» (issue #13 §2)."""

    melding: str
    vedtak_ids: tuple[UUID, ...] = ()
    tiltak_ids: tuple[UUID, ...] = ()
    kode: str = "VEDTAK_TILTAK_ETTER_AVSLUTNINGSDATO"
    regel: str = "DOMAIN.md §4.4 varsel før lagring"


_UTEN_VARIGHET = (Vedtakstype.PERMANENT_STANS, Vedtakstype.AVSLAG)  # a date, not a period: never «runs past»


def vedtak_og_tiltak_etter_avslutningsdato(avslutningsdato: date, program: Program) -> Advarsel | None:
    """§4 rule 4 (seed §2 tips): gjeldende vedtak or tiltak whose til-dato is after the avslutningsdato, or
    that have no til-dato, give a warning; on confirmation exactly these are marked ikke gjeldende."""
    vedtak = tuple(
        v.vedtak_id
        for v in program.vedtak
        if v.gjeldende
        and v.fattet
        and v.vedtakstype not in _UTEN_VARIGHET
        and (v.til is None or v.til > avslutningsdato)
    )
    tiltak = tuple(t.tiltak_id for t in program.tiltak if t.gjeldende and (t.til is None or t.til > avslutningsdato))
    if not vedtak and not tiltak:
        return None
    return Advarsel(
        melding="Det er registrert vedtak/tiltak som fortsetter etter valgt avslutningsdato (eller vedtak uten "
        "sluttdato). Lagrer du denne avslutningsdatoen, vil de vises som ikke gjeldende. Er du sikker på "
        "at du vil lagre? Send samme forespørsel med confirm=true.",
        vedtak_ids=vedtak,
        tiltak_ids=tiltak,
    )


def kan_ha_ny_kommuneavslutning(program: Program) -> Utfall:
    """§4 rules 5–6: a kommune adds its own avslutning over a computed one, but edits (not adds to) its own."""
    regel = "DOMAIN.md §4.5–6 én gjeldende kommuneavslutning"
    g = gjeldende_avslutning(program)
    if g is not None and g.kilde is Kilde.KOMMUNE:
        return _brudd(
            regel,
            "personen har allerede en avslutning registrert av kommunen; rediger eller slett den",
            bruddtype=Bruddtype.KONFLIKT,
            avslutning_id=str(g.avslutning_id),
        )
    return _ok(regel, gjeldende=str(g.avslutning_id) if g else None)


def kan_endre_avslutning(omfang: Omfang, avslutning: Avslutningsversjon) -> Utfall:
    """§4 rules 5–6: a kommune edits or deletes its own avslutninger; never the regelmotor's, except Flyttet,
    Utvandret and Død, which are editable whoever set them (seed §4 tips); one registered under another
    placement than the caller's (§4.8) is not the caller's to change."""
    regel = "DOMAIN.md §4.5–6 endre eller slette avslutning"
    a = avslutningsarsak(avslutning.arsak)
    if avslutning.slettet:
        return _brudd(regel, "avslutningen er slettet", bruddtype=Bruddtype.KONFLIKT)
    if a.redigerbar_uansett_kilde:
        return _ok(regel, arsak=avslutning.arsak, kilde=avslutning.kilde)
    if avslutning.kilde is Kilde.REGELMOTOR:
        return _brudd(
            regel,
            f"avslutning «{a.navn}» er beregnet av regelmotor og kan ikke endres eller slettes; "
            "legg til en ny avslutning i stedet",
            bruddtype=Bruddtype.KONFLIKT,
            kilde=avslutning.kilde,
        )
    if not tilgang_.kan_se(omfang, Plassering(avslutning.oppfolgingskommune, avslutning.bydel)):
        # §4.8: registered where the person was followed up before (another Oslo bydel)
        return _brudd(
            regel,
            "avslutningen er registrert av en annen kommune eller bydel",
            bruddtype=Bruddtype.FORBUDT,
            registrert_i=avslutning.oppfolgingskommune,
        )
    return _ok(regel, kilde=avslutning.kilde, registrert_i=avslutning.oppfolgingskommune)


def sluttmal_finnes_i_regelverket(lov: Lov, programstart_: date | None, sluttmal: Sluttmalkode) -> Utfall:
    """DOMAIN.md §6: a sluttmål the regelverk does not know is a validation error, never a silent default.
    Without a programstart yet, any version of the lov that knows the sluttmål will do."""
    regel = "DOMAIN.md §6 sluttmål kjent i regelverket"
    if programstart_ is not None:
        try:
            versjon = frister.gjeldende_versjon(lov, programstart_)
        except frister.IngenRegelverk as exc:
            return _brudd(regel, str(exc), felt="sluttmal")
        if sluttmal not in versjon.sluttmal:
            return _brudd(
                regel,
                f"sluttmål {sluttmal} finnes ikke i regelverket {versjon.id} som gjelder for "
                f"programstart {programstart_.isoformat()}",
                felt="sluttmal",
                regelverk=versjon.id,
            )
        return _ok(regel, regelverk=versjon.id)
    versjoner = [v.id for v in frister.regelverk().versjoner if v.lov == lov and sluttmal in v.sluttmal]
    if not versjoner:
        return _brudd(regel, f"sluttmål {sluttmal} finnes ikke i regelverket for {lov}", felt="sluttmal")
    return _ok(regel, regelverk=versjoner)


def vedtak_etter_programstart(program: Program, vedtakstype: Vedtakstype, fra: date) -> Utfall:
    """§4 rule 7 and DOMAIN.md §2: forlengelse, permisjon and stans belong to a programme: they need a vedtak
    om deltakelse, and a permanent stans cannot be dated before the programme started."""
    regel = "DOMAIN.md §4.7 vedtak hører til et program"
    if vedtakstype in (Vedtakstype.DELTAKELSE, Vedtakstype.AVSLAG):
        return _ok(regel, vedtakstype=vedtakstype)
    start = programstart(program)
    if start is None:
        return _brudd(
            regel,
            f"vedtak {vedtakstype} krever et vedtak om deltakelse i introduksjonsprogram",
            felt="vedtakstype",
            bruddtype=Bruddtype.KONFLIKT,
        )
    if fra < start:
        return _brudd(
            regel,
            f"fra-dato kan ikke være før programstart {start.isoformat()}",
            felt="periode.fra",
            programstart=start,
        )
    return _ok(regel, programstart=start)


def programstart_har_regelverk(lov: Lov, vedtakstype: Vedtakstype, fra: date) -> Utfall:
    """DOMAIN.md §6: a vedtak om deltakelse must start when a regelverk for the person's lov applies (e.g.
    integreringsloven from 2021-01-01), or no gjennomføringsfrist can ever be computed."""
    regel = "DOMAIN.md §6 regelverk for programstart"
    if vedtakstype is not Vedtakstype.DELTAKELSE:
        return _ok(regel)
    try:
        versjon = frister.gjeldende_versjon(lov, fra)
    except frister.IngenRegelverk as exc:
        return _brudd(regel, str(exc), felt="periode.fra", lov=lov, programstart=fra)
    return _ok(regel, regelverk=versjon.id)


def sluttmalets_varighet(lov: Lov, programstart_: date | None, sluttmal: Sluttmalkode) -> Varighet | None:
    """The regelverk entry of the sluttmål: in the version for the programstart, or (before one) the newest
    version of the lov that knows it (a code belongs to one generation); None if unknown (refused elsewhere)."""
    if programstart_ is not None:
        try:
            versjon = frister.gjeldende_versjon(lov, programstart_)
        except frister.IngenRegelverk:
            return None
        return versjon.sluttmal.get(sluttmal)
    kjenner = [v for v in frister.regelverk().versjoner if v.lov == lov and sluttmal in v.sluttmal]
    return max(kjenner, key=lambda v: v.gjelder_fra).sluttmal[sluttmal] if kjenner else None


def sluttmal_etter_utdanningsbakgrunn(
    sluttmal: Sluttmalkode, varighet: Varighet | None, utdanningsbakgrunn: Utdanningsbakgrunn | None
) -> Utfall:
    """Issue #13 §2, DOMAIN.md §4.10: a sluttmål of § 13 needs utdanning på videregående nivå eller høyere, one
    of § 14 its absence (seed prop81L-2024-2025 lines 91 and 174: «§ 13 - introduksjonsprogram for deltakere med
    utdanning på videregående nivå eller høyere», «§ 14 - … som ikke har utdanning på videregående nivå eller
    høyere»; the Ukraina exception, lines 122–128, counts as § 13). Before the kommune has registered the
    utdanningsbakgrunn there is nothing to check against (ASSUMPTION, README): the sluttmål is accepted."""
    regel = "integreringsloven §§ 13–14 sluttmål etter utdanningsbakgrunn (DOMAIN.md §4.10)"
    if varighet is None or varighet.utdanning is None or utdanningsbakgrunn is None:
        return _ok(regel, utdanningsbakgrunn=utdanningsbakgrunn)
    if krav_for(utdanningsbakgrunn) is not varighet.utdanning:
        return _brudd(
            regel,
            f"sluttmål «{SLUTTMALNAVN[sluttmal]}» gjelder {KRAVNAVN[varighet.utdanning]}, men personens "
            f"utdanningsbakgrunn er «{UTDANNINGSNAVN[utdanningsbakgrunn]}»",
            felt="sluttmal",
            utdanningsbakgrunn=utdanningsbakgrunn,
            krav=varighet.utdanning,
        )
    return _ok(regel, utdanningsbakgrunn=utdanningsbakgrunn, krav=varighet.utdanning)


def sluttmal_innenfor_aldersband(sluttmal: Sluttmalkode, varighet: Varighet | None, alder: int) -> Utfall:
    """Issue #13 §2, DOMAIN.md §4.10: the age band of the Prop. 81 L table (seed prop81L-2024-2025 line 107 «Til
    og med 55 år»; lines 185, 195, 205 «Fra 18 år til og med 55 år»), at the date the sluttmål applies from (its
    fastsatt dato)."""
    regel = "Prop. 81 L aldersgrense for sluttmål (DOMAIN.md §4.10)"
    if varighet is None:
        return _ok(regel)
    if varighet.alder_fra is not None and alder < varighet.alder_fra:
        return _brudd(
            regel,
            f"sluttmål «{SLUTTMALNAVN[sluttmal]}» gjelder fra {varighet.alder_fra} år; personen er {alder} år "
            "på fastsatt dato",
            felt="sluttmal",
            alder=alder,
        )
    if varighet.alder_til_og_med is not None and alder > varighet.alder_til_og_med:
        return _brudd(
            regel,
            f"sluttmål «{SLUTTMALNAVN[sluttmal]}» gjelder til og med {varighet.alder_til_og_med} år; personen er "
            f"{alder} år på fastsatt dato",
            felt="sluttmal",
            alder=alder,
        )
    return _ok(regel, alder=alder)


def hovedregel_under_alder(sluttmal: Sluttmalkode, varighet: Varighet | None, alder: int) -> Advarsel | None:
    """Issue #13 §2: «(hovedregel for personer under 25 år)» (seed prop81L-2024-2025 lines 186–187, 196–197) is a
    rule of thumb within the 18–55 band, so a person of 25 or more gets a warning to confirm, not a refusal."""
    if varighet is None or varighet.hovedregel_under_alder is None or alder < varighet.hovedregel_under_alder:
        return None
    return Advarsel(
        melding=f"Sluttmål «{SLUTTMALNAVN[sluttmal]}» er hovedregelen for personer under "
        f"{varighet.hovedregel_under_alder} år; personen er {alder} år på fastsatt dato. Er du sikker på at du vil "
        "lagre? Send samme forespørsel med confirm=true.",
        kode="SLUTTMAL_HOVEDREGEL_ALDER",
        regel="Prop. 81 L § 14 hovedregel for personer under 25 år",
    )


def avvisning_for_programstart(program: Program, avvist_dato: date) -> Utfall:
    """DOMAIN.md §4 rule 9 (seed prop81L-2024-2025 lines 346–374 «Før oppstart av programmet … AVVISNING»; lines
    381–455 after the start: stans, avbrytelse, avslutning): an avvisning is dated before the programme starts.
    Once it has started, ending it is a vedtak om permanent stans or an avslutning."""
    regel = "DOMAIN.md §4.9 avvisning før programstart"
    start = programstart(program)
    if start is not None and avvist_dato >= start:
        return _brudd(
            regel,
            f"programmet startet {start.isoformat()}: avvisning registreres bare før programstart. Etter "
            "oppstart registrerer du vedtak om permanent stans (vedtakstype PERMANENT_STANS) eller en avslutning",
            felt="avvist_dato",
            bruddtype=Bruddtype.KONFLIKT,
            programstart=start,
        )
    return _ok(regel, programstart=start)


def tilgang(vurdering: tilgang_.Vurdering) -> Utfall:
    """§4 rule 8 (shared/tilgang.py, the one access rule) as this module's outcome: FORBUDT → 403. A deltaker
    the caller cannot see never gets here: it is not loaded (lager.hent_deltaker with the caller's omfang)."""
    if vurdering.tillatt:
        return _ok(vurdering.regel)
    return _brudd(vurdering.regel, vurdering.melding, bruddtype=Bruddtype.FORBUDT)


# --- the composite decision for an avslutning ------------------------------------------------------------


@dataclass(frozen=True)
class Vurdering:
    """The decision on a new or edited kommune avslutning."""

    brudd: tuple[Utfall, ...]
    advarsel: Advarsel | None
    utfall: tuple[Utfall, ...]

    @property
    def godkjent(self) -> bool:
        return not self.brudd


def vurder_kommuneavslutning(
    program: Program,
    *,
    arsak: Avslutningsarsakkode,
    avslutningsdato: date,
    timer: Decimal | None,
    ny: bool,
    fodselsdato: date,
    idag: date,
) -> Vurdering:
    """Every rule of §4 that applies to registering (ny) or editing a kommune avslutning, evaluated in order.
    Refusals are reported together so the client can fix every field at once."""
    (i_tid,) = datoer_i_tid({"avslutningsdato": avslutningsdato}, fodselsdato=fodselsdato, idag=idag)
    utfall = [
        kommunen_kan_sette_arsak(arsak),
        timer_arbeid_per_uke(arsak, timer),
        i_tid,
        krever_vedtak_om_program_og_sluttmal(program),
    ]
    if i_tid.oppfylt and utfall[-1].oppfylt:  # one message for the avslutningsdato
        utfall.append(avslutningsdato_innenfor_frist(avslutningsdato, program))
    if ny:
        utfall.append(kan_ha_ny_kommuneavslutning(program))
    brudd = tuple(u for u in utfall if not u.oppfylt)
    advarsel = None if brudd else vedtak_og_tiltak_etter_avslutningsdato(avslutningsdato, program)
    return Vurdering(brudd=brudd, advarsel=advarsel, utfall=tuple(utfall))
