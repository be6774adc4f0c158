"""One feed page decided, purely: given what was read (the parsed entries, NIR's identifiers, which hendelser
are new, the facts known, the person documents), what the page does — events to publish, facts and
identifiers to save, counts and log lines. No I/O: feedlytter.py reads before and saves after.

An identity change early on a page can make a later entry NIR's that was not read up front (its number was
not known yet). The decision then names that entry in `mangler`; the caller reads it (parses it, records the
hendelse, loads the person's facts) and decides the page again from the start, so the outcome is the one a
single pass over a fully read page gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from uuid import UUID

from services.folkeregister_adapter.domain import KJENTE_TYPER, KjenteFakta, NyIdent, vurder
from services.folkeregister_adapter.folkeregisterkilde import (
    Feedhendelse,
    Identifikasjonsnummer,
    Innslag,
    Persondokument,
    UgyldigInnslag,
)
from services.folkeregister_adapter.hendelser import til_event
from shared.events.envelope import Event


def identer_i(h: Feedhendelse) -> list[str]:
    """Every identifier a hendelse names: an identity change names the old number too."""
    return [h.ident, *(e.opplysning.ident for e in h.egenskaper if isinstance(e.opplysning, Identifikasjonsnummer))]


def deltaker_for(identer: Iterable[str], kjente: dict[str, UUID]) -> UUID | None:
    return next((kjente[i] for i in identer if i in kjente), None)


@dataclass(frozen=True)
class Sidegrunnlag:
    """What the page is decided on: read under the pointer's lock (except the person documents, fetched
    before it: no network call while holding the lock)."""

    lest: dict[int, Feedhendelse | UgyldigInnslag]  # by sekvensnummer: the entries parsed in full
    kjente: dict[str, UUID]  # identifier → deltaker_id
    nye: frozenset[str]  # hendelse_ids not handled before (recorded as handled in this transaction)
    fakta: dict[UUID, KjenteFakta]  # every deltaker loaded (KjenteFakta() when nothing is known yet)
    dokumenter: dict[str, Persondokument | None]  # by hendelse_id


@dataclass(frozen=True)
class Loggpost:
    """A handled hendelse, for the log: ids and rule only (the identifiers are fødselsnumre)."""

    sekvensnummer: int
    hendelse_id: str
    deltaker_id: UUID
    hendelsestype: str
    regel: str
    utfall: list[str]


@dataclass
class Sidevurdering:
    mangler: tuple[Innslag, UUID] | None = None  # read this entry (for this deltaker) and decide again
    events: list[Event] = field(default_factory=list)
    fakta: dict[UUID, KjenteFakta] = field(default_factory=dict)  # changed facts only
    nye_identer: list[tuple[str, UUID]] = field(default_factory=list)
    tellere: Counter[str] = field(default_factory=Counter)
    ugyldige: list[UgyldigInnslag] = field(default_factory=list)
    logg: list[Loggpost] = field(default_factory=list)


def vurder_side(innslag: Sequence[Innslag | UgyldigInnslag], g: Sidegrunnlag) -> Sidevurdering:
    ut = Sidevurdering()
    kjente = dict(g.kjente)
    nye = set(g.nye)
    fakta = dict(g.fakta)
    for i in innslag:
        if isinstance(i, UgyldigInnslag):
            ut.ugyldige.append(i)
            continue
        if i.hendelsestype not in KJENTE_TYPER:
            ut.tellere["unknown_type"] += 1
        # Looked up in the page's own map: an identity change earlier on the page may have taught us this number.
        d = deltaker_for(i.identer, kjente)
        if d is None:
            ut.tellere["ikke_nir"] += 1
            continue
        if i.sekvensnummer not in g.lest or (d not in fakta and isinstance(g.lest[i.sekvensnummer], Feedhendelse)):
            return Sidevurdering(mangler=(i, d))
        h = g.lest[i.sekvensnummer]
        if isinstance(h, UgyldigInnslag):
            ut.ugyldige.append(h)
            continue
        if h.hendelse_id not in nye:
            ut.tellere["duplikat"] += 1
            continue
        nye.discard(h.hendelse_id)  # the same hendelse twice on one page counts once
        v = vurder(h, fakta.get(d) or KjenteFakta(), g.dokumenter.get(h.hendelse_id))
        if v.trenger_persondokument:
            ut.tellere["person_ikke_funnet"] += 1
            continue
        if v.kjent != fakta.get(d):
            fakta[d] = ut.fakta[d] = v.kjent
        for u in v.utfall:
            if isinstance(u, NyIdent):
                for ident in (u.ny, *u.tidligere):
                    ut.nye_identer.append((ident, d))
                    kjente[ident] = d
            elif (e := til_event(u, h, d)) is not None:
                ut.events.append(e)
        publisert = any(not isinstance(u, NyIdent) for u in v.utfall)
        ut.tellere["publisert" if publisert else "ny_ident" if v.utfall else "ingen_endring"] += 1
        ut.logg.append(
            Loggpost(h.sekvensnummer, h.hendelse_id, d, h.hendelsestype, v.regel, [type(u).__name__ for u in v.utfall])
        )
    ut.tellere["ugyldig"] += len(ut.ugyldige)
    if not ut.tellere["ugyldig"]:
        del ut.tellere["ugyldig"]
    return ut
