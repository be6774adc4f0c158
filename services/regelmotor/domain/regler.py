"""The eight rules of DOMAIN.md §5 (seed nir-brukerveiledning-avslutning-2023 §1, §5, §12), each a small
pure function returning its outcome and the inputs it used (navikt/syfosmregler style), and `utled` which
evaluates them all and returns the computed avslutninger the facts demand.

Time is `tilstand.idag` (the latest DognPassert), never the wall clock. A deadline «has passed» on the day
after it: the frist is the last day the programme may run, so on idag = frist + 1 it has passed. A frist
expires with the passage of time, so the two frist rules act only once a day has passed since the person
became known (`tilstand.kjent_fra`): a person registered with a frist already behind it is decided by the
next tick's sweep, after the vedtak, sluttmål and kommune avslutning registered with it have arrived.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from uuid import UUID

from services.regelmotor.domain.tilstand import Folkeregisterhendelse, Kategorifakta, Tilstand, Vedtaksfakta
from shared.events.avslutning import Regelgrunnlag
from shared.events.folkeregister import Folkeregisterart
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as K
from shared.kodeverk.avslutningsarsaker import Avslutningstype
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.vedtak import Vedtakstype
from shared.regelverk import fristgrunnlag
from shared.regelverk.frister import Fristberegning, IngenRegelverk, UkjentSluttmal, oppstartsfrist, versjon

# Fixed namespace: computed avslutning ids are uuid5(deltaker, rule, date), so a replay yields the same ids.
NAMESPACE = UUID("6f0d3c1a-52b8-4f7e-9d0b-0a6c1e2f7b41")


@dataclass(frozen=True)
class Regelutfall:
    """One rule's verdict: whether it demands an avslutning, with what it looked at."""

    regel: str  # stable id, e.g. "GJENNOMFORINGSFRIST_UTLOPT"
    oppfylt: bool
    forklaring: str
    arsak: K | None = None
    avslutningstype: Avslutningstype = Avslutningstype.ORDINAER
    dato: date | None = None
    datoer: dict[str, date] = field(default_factory=dict)
    event_ids: tuple[UUID, ...] = ()
    folkeregister_rot: str | None = None
    # A frist rule whose frist has passed but that waits for the day after the person became known: it will
    # demand an avslutning dated `venter_pa` on the next tick unless the facts change by then.
    venter_pa: date | None = None

    def sti(self) -> str:
        return f"{self.regel}: {'ja' if self.oppfylt else 'nei'} ({self.forklaring})"


@dataclass(frozen=True)
class OnsketAvslutning:
    """A computed avslutning the facts demand now."""

    avslutning_id: UUID
    arsak: K
    avslutningstype: Avslutningstype
    avslutningsdato: date
    regel: str
    grunnlag: Regelgrunnlag
    folkeregister_rot: str | None = None


@dataclass(frozen=True)
class Utledning:
    onsket: tuple[OnsketAvslutning, ...]
    utfall: tuple[Regelutfall, ...]
    kommuneavslutning_i_kraft: tuple[UUID, ...]  # event ids of the kommune avslutninger in force


def avslutning_id(deltaker_id: UUID, arsak: K, dato: date) -> UUID:
    return uuid.uuid5(NAMESPACE, f"{deltaker_id}|{arsak.value}|{dato.isoformat()}")


# ---------------------------------------------------------------- facts the rules share


def programvedtak(t: Tilstand) -> list[Vedtaksfakta]:
    return fristgrunnlag.programvedtak(t.vedtak.values())


def _vedtak(t: Tilstand) -> list[fristgrunnlag.Vedtak]:
    return [
        fristgrunnlag.Vedtak(vedtakstype=x.vedtakstype, fattet=x.fattet, fra=x.fra, til=x.til, event_id=x.event_id)
        for x in t.vedtak.values()
    ]


def programstart(t: Tilstand) -> tuple[date, UUID] | None:
    forste = fristgrunnlag.programstart(_vedtak(t))
    return None if forste is None else (forste.fra, forste.event_id)  # type: ignore[return-value]


def grunnlag(t: Tilstand) -> fristgrunnlag.Fristgrunnlag | None:
    """The frist's inputs (shared/regelverk/fristgrunnlag.py) from the facts seen; None without a programme."""
    if t.person is None:
        return None
    return fristgrunnlag.fristgrunnlag(
        t.person.lov,
        _vedtak(t),
        [
            fristgrunnlag.Sluttmal(
                sluttmal=s.sluttmal,
                fastsatt_dato=s.fastsatt_dato,
                rekkefolge=(s.recorded_at, s.event_id),
                event_id=s.event_id,
            )
            for s in t.sluttmal
        ],
        [
            fristgrunnlag.Fravaer(fravaerstype=x.fravaerstype, fra=x.fra, til=x.til, event_id=x.event_id)
            for x in t.fravaer.values()
        ],
    )


Fristsvar = tuple[Fristberegning | None, str, tuple[UUID, ...]]
# The last answer and the fact containers it came from. `utled` and `frister` each ask for the frist, on
# states that share these containers (tilstand.anvend replaces a changed container, never mutates one:
# old and new states share the rest), so one answer serves both. The entry holds its containers, so an
# identity seen here is never a new object at a reused address.
_sist: tuple[tuple[object, ...], Fristsvar] | None = None


def frist(t: Tilstand) -> Fristsvar:
    """The gjennomføringsfrist (shared/regelverk), or None with the reason it cannot be computed."""
    global _sist
    fakta = (t.person, t.vedtak, t.sluttmal, t.fravaer)
    if _sist is not None and all(a is b for a, b in zip(_sist[0], fakta, strict=True)):
        return _sist[1]
    svar = _frist(t)
    _sist = (fakta, svar)
    return svar


def _frist(t: Tilstand) -> Fristsvar:
    if t.person is None:
        return None, "personopplysninger mangler", ()
    g = grunnlag(t)
    if g is None:
        return None, "vedtak om program mangler", ()
    event_ids = (t.person.event_id, *g.event_ids)
    try:
        beregning = fristgrunnlag.beregn(g)
    except UkjentSluttmal as exc:
        # in programme without a sluttmål the regelverk knows: seed §12 (fristgrunnlag.SEED_12_UTEN_SLUTTMAL)
        reserve = fristgrunnlag.beregn_uten_gyldig_sluttmal(g)
        if reserve is None:
            return None, str(exc), event_ids
        hvorfor = f"{_regelverk(reserve)}; {exc}: lengste varighet, {fristgrunnlag.SEED_12_UTEN_SLUTTMAL}"
        return reserve, hvorfor, event_ids
    except IngenRegelverk as exc:
        return None, str(exc), event_ids
    return beregning, _regelverk(beregning), event_ids


def _regelverk(b: Fristberegning) -> str:
    """Which regelverk version decided the frist, and the date it applies from (issue #13 §4): the rule path
    shows it, so a frist can be traced to the configured ikrafttredelse (shared/regelverk/ikrafttredelse.yaml)."""
    v = versjon(b.regelverk)
    return f"regelverk {b.regelverk}" + (f" (gjelder fra {v.gjelder_fra.isoformat()})" if v else "")


def kommuneavslutninger_i_kraft(t: Tilstand) -> tuple[UUID, ...]:
    return tuple(sorted((x.event_id for x in t.kommuneavslutninger.values() if not x.slettet), key=str))


def _passert(t: Tilstand, dag: date) -> bool:
    return t.idag is not None and t.idag > dag


def fristdag(t: Tilstand, frist_: date) -> date:
    """The day after which a frist rule acts: the frist, but never before the day the person became known
    (a frist expires with the passage of time, so at least one day boundary must pass after registration)."""
    return frist_ if t.kjent_fra is None else max(frist_, t.kjent_fra)


def _tidsdatoer(t: Tilstand) -> dict[str, date]:
    return {**({"idag": t.idag} if t.idag else {}), **({"kjent_fra": t.kjent_fra} if t.kjent_fra else {})}


# ---------------------------------------------------------------- the eight rules (DOMAIN.md §5)


def regel_gjennomforingsfrist_utlopt(t: Tilstand) -> Regelutfall:
    """Seed §1 and §5: the frist has passed and the kommune has registered no avslutning → «Avslutningsårsak
    ikke registrert», dated the frist. (No kommune avslutning is checked in `utled` for every rule.) Seed §12 adds
    «(eller vedtak og slutt mål, som er forutsetning for å registrere avslutning)»: a person in programme without
    a sluttmål the regelverk knows gets the longest frist the version allows
    (fristgrunnlag.beregn_uten_gyldig_sluttmal) and is ended when it passes, never left in programme for ever. One
    with no sluttmål at all is usually ended earlier by «Utgått oppstartsfrist» (seed §12: vedtak om program og
    sluttmål by the oppstartsfrist); the earliest-dated rule wins (`utled`). The forklaring names the regelverk
    version that decided the frist and the date it applies from (issue #13 §4)."""
    r = "GJENNOMFORINGSFRIST_UTLOPT"
    beregning, hvorfor, event_ids = frist(t)
    if beregning is None:
        return Regelutfall(r, False, f"frist kan ikke beregnes: {hvorfor}", event_ids=event_ids)
    datoer = {"gjennomforingsfrist": beregning.frist, **_tidsdatoer(t)}
    if not _passert(t, beregning.frist):
        ikke_passert = f"fristen {beregning.frist.isoformat()} er ikke passert ({hvorfor})"
        return Regelutfall(r, False, ikke_passert, datoer=datoer, event_ids=event_ids)
    if not _passert(t, fristdag(t, beregning.frist)):
        return Regelutfall(
            r,
            False,
            f"fristen er passert, men personen ble kjent i dag: avgjøres neste døgn ({hvorfor})",
            datoer=datoer,
            event_ids=event_ids,
            venter_pa=beregning.frist,
        )
    return Regelutfall(
        r,
        True,
        f"fristen {beregning.frist.isoformat()} er passert ({hvorfor})",
        K.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
        dato=beregning.frist,
        datoer=datoer,
        event_ids=event_ids,
    )


@lru_cache(maxsize=8192)
def _oppstartsfrist(bosettingsdato: date) -> date:
    return oppstartsfrist(bosettingsdato).frist


def oppstartsfrist_gjelder(t: Tilstand) -> tuple[date, bool, tuple[UUID, ...]] | None:
    """(oppstartsfrist, whether vedtak om program and sluttmål were registered in time, sources)."""
    if t.person is None:
        return None
    grense = _oppstartsfrist(t.person.bosettingsdato)
    vedtak = [x for x in programvedtak(t) if x.vedtaksdato <= grense]
    sluttmal = [s for s in t.sluttmal if s.fastsatt_dato <= grense]
    trenger_sluttmal = t.person.lov is Lov.INTEGRERINGSLOVEN  # introduksjonsloven has no sluttmål
    i_tide = bool(vedtak) and (bool(sluttmal) or not trenger_sluttmal)
    event_ids = (t.person.event_id, *(x.event_id for x in vedtak), *(s.event_id for s in sluttmal))
    return grense, i_tide, event_ids


def regel_utgatt_oppstartsfrist(t: Tilstand) -> Regelutfall:
    """Seed §12: no vedtak om program and sluttmål by the oppstartsfrist → «Utgått oppstartsfrist», dated
    the oppstartsfrist. A vedtak/sluttmål counts when its own date (vedtaksdato, fastsatt_dato) is within it,
    so the outcome does not depend on when the event arrived."""
    r = "OPPSTARTSFRIST_UTGATT"
    g = oppstartsfrist_gjelder(t)
    if g is None:
        return Regelutfall(r, False, "personopplysninger mangler")
    grense, i_tide, event_ids = g
    datoer = {"oppstartsfrist": grense, **_tidsdatoer(t)}
    if i_tide:
        return Regelutfall(
            r, False, "vedtak om program og sluttmål registrert innen fristen", datoer=datoer, event_ids=event_ids
        )
    if not _passert(t, grense):
        return Regelutfall(r, False, "oppstartsfristen er ikke passert", datoer=datoer, event_ids=event_ids)
    if not _passert(t, fristdag(t, grense)):
        return Regelutfall(
            r,
            False,
            "oppstartsfristen er passert, men personen ble kjent i dag: avgjøres neste døgn",
            datoer=datoer,
            event_ids=event_ids,
            venter_pa=grense,
        )
    return Regelutfall(
        r,
        True,
        "oppstartsfristen er passert uten vedtak om program og sluttmål",
        K.UTGATT_OPPSTARTSFRIST,
        dato=grense,
        datoer=datoer,
        event_ids=event_ids,
    )


def i_program(t: Tilstand, dag: date) -> tuple[bool, str, dict[str, date], tuple[UUID, ...]]:
    """Whether `dag` lies within the programme period: from programme start up to the frist (open at the
    end while the frist cannot be computed)."""
    start = programstart(t)
    if start is None:
        return False, "ikke i program (vedtak om program mangler)", {}, ()
    beregning, _, event_ids = frist(t)
    datoer = {"programstart": start[0], **({"gjennomforingsfrist": beregning.frist} if beregning else {})}
    if dag < start[0]:
        return False, "før programstart", datoer, (start[1],)
    if beregning is not None and dag > beregning.frist:
        return False, "etter gjennomføringsfristen", datoer, event_ids
    return True, "i program", datoer, event_ids or (start[1],)


def regel_ikke_lenger_i_kategori(t: Tilstand) -> Regelutfall:
    """Seed §12: the person's kategori ends while in programme → «Ikke lenger i kategori», dated the day
    the kategori ended. The kategori history is a timeline by gjelder_fra (several facts on one day: the
    last recorded wins); the first end within the programme counts."""
    r = "IKKE_LENGER_I_KATEGORI"
    tidslinje: dict[date, Kategorifakta] = {}
    for x in sorted(t.kategorier, key=lambda x: (x.gjelder_fra, x.recorded_at, str(x.event_id))):
        tidslinje[x.gjelder_fra] = x
    forrige: Kategorifakta | None = None
    for dag, x in sorted(tidslinje.items()):
        if x.kategori is None and forrige is not None and forrige.kategori is not None:
            inne, _hvorfor, datoer, event_ids = i_program(t, dag)
            if inne:
                return Regelutfall(
                    r,
                    True,
                    f"kategorien opphørte {dag.isoformat()} i program",
                    K.IKKE_LENGER_I_KATEGORI,
                    dato=dag,
                    datoer={**datoer, "kategori_slutt": dag},
                    event_ids=(*event_ids, forrige.event_id, x.event_id),
                )
        forrige = x
    return Regelutfall(r, False, "kategorien har ikke opphørt i program")


def regel_person_avvist_program(t: Tilstand) -> Regelutfall:
    """Seed §12: it is registered that the person rejected the programme → «Person avvist program»."""
    r = "PERSON_AVVIST_PROGRAM"
    if not t.avvisninger:
        return Regelutfall(r, False, "ingen avvisning registrert")
    forste = min(t.avvisninger, key=lambda x: (x.avvist_dato, str(x.event_id)))
    return Regelutfall(
        r,
        True,
        "avvisning registrert",
        K.PERSON_AVVIST_PROGRAM,
        dato=forste.avvist_dato,
        datoer={"avvist_dato": forste.avvist_dato},
        event_ids=(forste.event_id,),
    )


def regel_permanent_stans(t: Tilstand) -> Regelutfall:
    """Seed §3 and §12, DOMAIN.md §4 rule 7: a vedtak om permanent stans → «Vedtak om permanent stans»,
    avslutningstype Stans, dated the stans date (the vedtak's periode.fra)."""
    r = "VEDTAK_OM_PERMANENT_STANS"
    stans = [x for x in t.vedtak.values() if x.vedtakstype is Vedtakstype.PERMANENT_STANS and x.fattet]
    if not stans:
        return Regelutfall(r, False, "ingen fattet vedtak om permanent stans")
    forste = min(stans, key=lambda x: (x.fra, str(x.event_id)))
    return Regelutfall(
        r,
        True,
        "vedtak om permanent stans fattet",
        K.VEDTAK_OM_PERMANENT_STANS,
        Avslutningstype.STANS,
        dato=forste.fra,
        datoer={"stansdato": forste.fra},
        event_ids=(forste.event_id,),
    )


def gjeldende_folkeregisterhendelser(t: Tilstand) -> dict[str, tuple[Folkeregisterhendelse, tuple[UUID, ...]]]:
    """Per original hendelse (the chain's root): the version in force after corrections and annulments,
    with the event ids of the chain. Annulling the original undoes the chain; annulling a correction falls
    back to the version before it."""

    def rot(h: Folkeregisterhendelse) -> str:
        sett = set()
        while h.korrigerer is not None and h.korrigerer in t.folkeregister and h.hendelse_id not in sett:
            sett.add(h.hendelse_id)
            h = t.folkeregister[h.korrigerer]
        return h.korrigerer if h.korrigerer is not None else h.hendelse_id

    kjeder: dict[str, list[Folkeregisterhendelse]] = {}
    for h in t.folkeregister.values():
        kjeder.setdefault(rot(h), []).append(h)
    resultat = {}
    for r, kjede in kjeder.items():
        if r in t.annulleringer:
            continue
        levende = [h for h in kjede if h.hendelse_id not in t.annulleringer]
        if not levende:
            continue
        gjeldende = max(levende, key=lambda h: (h.sekvensnummer, h.hendelse_id))
        resultat[r] = (gjeldende, tuple(h.event_id for h in sorted(kjede, key=lambda h: h.sekvensnummer)))
    return resultat


_FOLKEREGISTER = {
    Folkeregisterart.FLYTTING: ("FOLKEREGISTER_FLYTTET", K.FLYTTET, "flyttedato"),
    Folkeregisterart.UTVANDRING: ("FOLKEREGISTER_UTVANDRET", K.UTVANDRET, "utflyttingsdato"),
    Folkeregisterart.DODSFALL: ("FOLKEREGISTER_DODSFALL", K.DOD, "dodsdato"),
}


def er_flytting_til_annen_kommune(h: Folkeregisterhendelse) -> bool:
    """FOLKEREGISTER.md: a new kommunenummer is not a move; moving within the same kommune neither."""
    return h.fra_kommunenummer is None or h.fra_kommunenummer != h.til_kommunenummer


def regel_folkeregister(t: Tilstand, art: Folkeregisterart) -> Regelutfall:
    """Seed §11–12: flytting, utvandring or død in the Folkeregister while in programme (the date within
    the programme period) → «Flyttet», «Utvandret», «Død», dated the event's date."""
    r, arsak, datonavn = _FOLKEREGISTER[art]
    kandidater = []
    for rot, (h, event_ids) in gjeldende_folkeregisterhendelser(t).items():
        if h.art is not art or (art is Folkeregisterart.FLYTTING and not er_flytting_til_annen_kommune(h)):
            continue
        inne, _hvorfor, datoer, program_event_ids = i_program(t, h.dato)
        if inne:
            kandidater.append(
                Regelutfall(
                    r,
                    True,
                    f"{datonavn} {h.dato.isoformat()} i program",
                    arsak,
                    dato=h.dato,
                    datoer={**datoer, datonavn: h.dato},
                    event_ids=(*program_event_ids, *event_ids),
                    folkeregister_rot=rot,
                )
            )
    if not kandidater:
        return Regelutfall(r, False, f"ingen gjeldende {art.value.lower()} i program")
    return min(kandidater, key=lambda u: (u.dato, u.folkeregister_rot))


def regel_flyttet(t: Tilstand) -> Regelutfall:
    return regel_folkeregister(t, Folkeregisterart.FLYTTING)


def regel_utvandret(t: Tilstand) -> Regelutfall:
    return regel_folkeregister(t, Folkeregisterart.UTVANDRING)


def regel_dod(t: Tilstand) -> Regelutfall:
    return regel_folkeregister(t, Folkeregisterart.DODSFALL)


# In this order when two rules give the same date: the facts (death, emigration, move, decisions) before
# the deadlines.
REGLER = (
    regel_dod,
    regel_utvandret,
    regel_flyttet,
    regel_permanent_stans,
    regel_person_avvist_program,
    regel_ikke_lenger_i_kategori,
    regel_utgatt_oppstartsfrist,
    regel_gjennomforingsfrist_utlopt,
)


def utled(t: Tilstand) -> Utledning:
    """The computed avslutninger the facts demand: none while a kommune avslutning is in force (DOMAIN.md
    §5: the kommune's always wins); otherwise the earliest-dated avslutning any rule demands (a programme
    ends once: a later event finds the person no longer in programme). While a passed frist waits for the
    next tick, nothing dated after it is demanded either: the tick would replace it with the earlier one."""
    i_kraft = kommuneavslutninger_i_kraft(t)
    utfall = tuple(regel(t) for regel in REGLER)
    if i_kraft or t.person is None:
        return Utledning((), utfall, i_kraft)
    venter = [u.venter_pa for u in utfall if u.venter_pa is not None]
    grense = min(venter) if venter else None
    oppfylte = [
        (u.dato, i, u)
        for i, u in enumerate(utfall)
        if u.oppfylt and u.dato is not None and (grense is None or u.dato <= grense)
    ]
    if not oppfylte:
        return Utledning((), utfall, i_kraft)
    _, _, valgt = min(oppfylte, key=lambda x: (x[0], x[1]))
    assert valgt.arsak is not None and valgt.dato is not None
    grunnlag = Regelgrunnlag(
        regel=valgt.regel,
        regelsti=("KOMMUNEAVSLUTNING_I_KRAFT: nei", *(u.sti() for u in utfall)),
        datoer=valgt.datoer,
        kilde_event_ids=tuple(dict.fromkeys(valgt.event_ids)),
    )
    onsket = OnsketAvslutning(
        avslutning_id=avslutning_id(t.deltaker_id, valgt.arsak, valgt.dato),
        arsak=valgt.arsak,
        avslutningstype=valgt.avslutningstype,
        avslutningsdato=valgt.dato,
        regel=valgt.regel,
        grunnlag=grunnlag,
        folkeregister_rot=valgt.folkeregister_rot,
    )
    return Utledning((onsket,), utfall, i_kraft)


@dataclass(frozen=True)
class Frister:
    """What the deadline sweep indexes: the frister, and the next day on which time alone could change
    the outcome (None when none)."""

    gjennomforingsfrist: date | None
    oppstartsfrist: date | None
    neste_tidsfrist: date | None


def frister(t: Tilstand) -> Frister:
    beregning, _, _ = frist(t)
    g = oppstartsfrist_gjelder(t)
    gjf = beregning.frist if beregning else None
    osf = g[0] if g else None
    ventende = []  # the day after which each frist rule acts (a waiting one: the day the person became known)
    if not kommuneavslutninger_i_kraft(t):
        if gjf is not None and not _passert(t, fristdag(t, gjf)):
            ventende.append(fristdag(t, gjf))
        if g is not None and not g[1] and not _passert(t, fristdag(t, g[0])):
            ventende.append(fristdag(t, g[0]))
    return Frister(gjf, osf, min(ventende) if ventende else None)
