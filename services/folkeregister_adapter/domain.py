"""What a Folkeregister hendelse means for a NIR deltaker: pure decisions, no I/O (docs/FOLKEREGISTER.md).

`vurder(hendelse, kjent, person)` takes one feed hendelse for a person NIR knows, what the adapter already
published for that deltaker (`KjenteFakta`), and — for `personErOppdatert` — the person document, and
returns the outcomes (publish a registered/corrected/annulled fact, learn a new identifier, or nothing, with
the rule that decided) and the facts known afterwards. Corrections and annulments reference the hendelse_id
of the original fact NIR was told about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from services.folkeregister_adapter.folkeregisterkilde import (
    Bostedsadresse,
    Dodsfallsopplysning,
    Feedhendelse,
    Identifikasjonsnummer,
    Persondokument,
    UtflyttingFraNorge,
)
from services.folkeregister_adapter.kommunereform import samme_kommune_omnummerert
from shared.events.folkeregister import Dodsfall, Flytting, Folkeregisterart, Utvandring

DOED = ("personErDoed", "endringIDoedsfall")
UTFLYTTET = ("personErUtflyttet", "endringIUtflytting")
FLYTTET = ("endringIBostedsadresse",)
OMNUMMERERT = "endringIBostedsadresseUtenFlytting"
NY_IDENT = "endringIIdentifikasjonsnummer"
OPPDATERT = "personErOppdatert"
KJENTE_TYPER = (*DOED, *UTFLYTTET, *FLYTTET, OMNUMMERERT, NY_IDENT, OPPDATERT)

Verdi = Flytting | Utvandring | Dodsfall
# The opplysninger vurder_opplysning reads one value from.
_O = TypeVar("_O", Dodsfallsopplysning, UtflyttingFraNorge)


class KjenteFakta(BaseModel):
    """What NIR has been told about one deltaker: the current fact of each art and the hendelse that first
    told it (what corrections and annulments reference), and the kommunenummer last seen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dodsfall: Dodsfall | None = None
    dodsfall_hendelse_id: str | None = None
    utvandring: Utvandring | None = None
    utvandring_hendelse_id: str | None = None
    flytting: Flytting | None = None
    flytting_hendelse_id: str | None = None
    kommunenummer: str | None = None

    def gjeldende(self, art: Folkeregisterart) -> tuple[Verdi | None, str | None]:
        felt = _FELT[art]
        return getattr(self, felt), getattr(self, f"{felt}_hendelse_id")

    def med(self, art: Folkeregisterart, verdi: Verdi | None, hendelse_id: str | None) -> KjenteFakta:
        felt = _FELT[art]
        return self.model_copy(update={felt: verdi, f"{felt}_hendelse_id": hendelse_id})


_FELT = {
    Folkeregisterart.DODSFALL: "dodsfall",
    Folkeregisterart.UTVANDRING: "utvandring",
    Folkeregisterart.FLYTTING: "flytting",
}


# -- outcomes ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Registrert:
    art: Folkeregisterart
    verdi: Verdi


@dataclass(frozen=True)
class Korrigert:
    art: Folkeregisterart
    verdi: Verdi
    korrigerer_hendelse_id: str


@dataclass(frozen=True)
class Annullert:
    art: Folkeregisterart
    annullerer_hendelse_id: str


@dataclass(frozen=True)
class NyIdent:
    """The person has a new identifier; NIR should find the deltaker by it too."""

    ny: str
    tidligere: tuple[str, ...]


Utfall = Registrert | Korrigert | Annullert | NyIdent


@dataclass(frozen=True)
class Vurdering:
    utfall: tuple[Utfall, ...]
    kjent: KjenteFakta
    regel: str  # the rule that decided, for logs, metrics and tests
    trenger_persondokument: bool = False
    ukjent_type: bool = False


# -- rules -------------------------------------------------------------------------------------------------
def fakta_endret(
    art: Folkeregisterart, ny: Verdi | None, hendelse_id: str, kjent: KjenteFakta, *, korrigering: bool
) -> Vurdering:
    """A fact of `art` is now `ny` (None: it no longer holds). Registrert when NIR knew none, Korrigert when
    NIR knew another value, Annullert when it no longer holds, nothing when NIR already knows exactly this."""
    gammel, original = kjent.gjeldende(art)
    if ny is None:
        if gammel is None or original is None:
            return Vurdering((), kjent, "annullerer noe NIR ikke er fortalt")
        return Vurdering((Annullert(art, original),), kjent.med(art, None, None), "annullert")
    if gammel is None or original is None:
        regel = "korrigering uten kjent original: registreres" if korrigering else "registrert"
        return Vurdering((Registrert(art, ny),), kjent.med(art, ny, hendelse_id), regel)
    if gammel == ny:
        return Vurdering((), kjent, "allerede kjent")
    return Vurdering((Korrigert(art, ny, original),), kjent.med(art, ny, original), "korrigert")


def er_flytting(fra: str | None, til: str | None, flyttedato: date | None) -> tuple[bool, str]:
    """A real move to another kommune (FOLKEREGISTER.md: a new kommunenummer is not a move)."""
    if til is None:
        return False, "ukjent bosted: ingen ny kommune"
    if flyttedato is None:
        return False, "ingen flyttedato: ikke en flytting"
    if fra == til:
        return False, "flytting innen samme kommune"
    if fra is not None and samme_kommune_omnummerert(fra, til):
        return False, "samme kommune med nytt kommunenummer: ikke en flytting"
    return True, "flytting til annen kommune"


def _dodsfall(o: Dodsfallsopplysning) -> Dodsfall | None:
    return Dodsfall(dodsdato=o.dodsdato) if o.dodsdato else None


def _utvandring(o: UtflyttingFraNorge) -> Utvandring | None:
    return (
        Utvandring(utflyttingsdato=o.utflyttingsdato, tilflyttingsland=o.tilflyttingsland)
        if o.utflyttingsdato
        else None
    )


def vurder_opplysning(
    h: Feedhendelse, kjent: KjenteFakta, art: Folkeregisterart, typ: type[_O], til_verdi: Callable[[_O], Verdi | None]
) -> Vurdering:
    utfall: list[Utfall] = []
    regler = []
    for e in h.egenskaper:
        if e.entitetsendring == "annullere" and e.opplysning is None:
            v = fakta_endret(art, None, h.hendelse_id, kjent, korrigering=True)
        elif isinstance(e.opplysning, typ) and not e.opplysning.opphoert:
            verdi = til_verdi(e.opplysning)
            if verdi is None:
                regler.append("opplysning uten dato: ignorert")
                continue
            v = fakta_endret(art, verdi, h.hendelse_id, kjent, korrigering=e.entitetsendring != "registrereNy")
        else:
            continue
        utfall += v.utfall
        kjent = v.kjent
        regler.append(v.regel)
    return Vurdering(tuple(utfall), kjent, "; ".join(regler) or "ingen opplysning NIR bruker")


def vurder_bosted(h: Feedhendelse, kjent: KjenteFakta) -> Vurdering:
    adresser = [(e.entitetsendring, e.opplysning) for e in h.egenskaper if isinstance(e.opplysning, Bostedsadresse)]
    # The old half of an address change (opphørt) is not another move; it only says where the person came from.
    opphort = [a for _, a in adresser if a.opphoert]
    fra = opphort[0].kommunenummer if opphort else kjent.kommunenummer
    utfall: list[Utfall] = []
    regler = []
    if any(e.entitetsendring == "annullere" and e.opplysning is None for e in h.egenskaper):
        v = fakta_endret(Folkeregisterart.FLYTTING, None, h.hendelse_id, kjent, korrigering=True)
        tilbake = kjent.flytting.fra_kommunenummer if kjent.flytting else kjent.kommunenummer
        return Vurdering(v.utfall, v.kjent.model_copy(update={"kommunenummer": tilbake}), v.regel)
    for entitetsendring, a in adresser:
        if a.opphoert:
            continue
        if entitetsendring == "registrereNy":
            flytting, regel = er_flytting(fra, a.kommunenummer, a.flyttedato)
            regler.append(regel)
            if flytting:
                assert a.kommunenummer is not None and a.flyttedato is not None  # er_flytting: a move has both
                verdi = Flytting(til_kommunenummer=a.kommunenummer, fra_kommunenummer=fra, flyttedato=a.flyttedato)
                v = fakta_endret(
                    Folkeregisterart.FLYTTING,
                    verdi,
                    h.hendelse_id,
                    kjent.med(Folkeregisterart.FLYTTING, None, None),
                    korrigering=False,
                )
                utfall += v.utfall
                kjent = v.kjent
        elif kjent.flytting is not None and a.kommunenummer and a.flyttedato:
            # A correction of the move NIR was told about (new date or kommune).
            verdi = Flytting(
                til_kommunenummer=a.kommunenummer,
                fra_kommunenummer=kjent.flytting.fra_kommunenummer,
                flyttedato=a.flyttedato,
            )
            v = fakta_endret(Folkeregisterart.FLYTTING, verdi, h.hendelse_id, kjent, korrigering=True)
            utfall += v.utfall
            kjent = v.kjent
            regler.append(v.regel)
        else:
            flytting, regel = er_flytting(fra, a.kommunenummer, a.flyttedato)
            regler.append(f"korrigert adresse: {regel}")
            if flytting:
                assert a.kommunenummer is not None and a.flyttedato is not None  # er_flytting: a move has both
                verdi = Flytting(til_kommunenummer=a.kommunenummer, fra_kommunenummer=fra, flyttedato=a.flyttedato)
                v = fakta_endret(Folkeregisterart.FLYTTING, verdi, h.hendelse_id, kjent, korrigering=True)
                utfall += v.utfall
                kjent = v.kjent
        if a.kommunenummer:
            kjent = kjent.model_copy(update={"kommunenummer": a.kommunenummer})
    if not adresser:
        regler.append("ingen bostedsadresse i hendelsen")
    elif all(a.opphoert for _, a in adresser):
        regler.append("bare opphørt adresse: ikke en ny flytting")
    return Vurdering(tuple(utfall), kjent, "; ".join(regler))


def vurder_omnummerering(h: Feedhendelse, kjent: KjenteFakta) -> Vurdering:
    """endringIBostedsadresseUtenFlytting: the kommune got a new number; nobody moved. Nothing to publish,
    but remember the number so the next real move has the right fra-kommune."""
    for e in h.egenskaper:
        if isinstance(e.opplysning, Bostedsadresse) and not e.opplysning.opphoert and e.opplysning.kommunenummer:
            kjent = kjent.model_copy(update={"kommunenummer": e.opplysning.kommunenummer})
    return Vurdering((), kjent, "nytt kommunenummer uten flytting")


def vurder_ny_ident(h: Feedhendelse, kjent: KjenteFakta) -> Vurdering:
    identer = [e.opplysning for e in h.egenskaper if isinstance(e.opplysning, Identifikasjonsnummer)]
    i_bruk = [i.ident for i in identer if not i.opphoert] or [h.ident]
    tidligere = tuple(i.ident for i in identer if i.opphoert)
    return Vurdering((NyIdent(i_bruk[0], tidligere),), kjent, "ny folkeregisteridentifikator")


def vurder_persondokument(h: Feedhendelse, kjent: KjenteFakta, person: Persondokument) -> Vurdering:
    """personErOppdatert: the feed says nothing but «look again»; the person document is the truth. Each art
    NIR publishes is compared with what NIR was told; a vanished death or emigration is annulled."""
    utfall: list[Utfall] = []
    regler = []
    verdi: Verdi | None
    for art, verdi in (
        (Folkeregisterart.DODSFALL, _dodsfall(person.dodsfall) if person.dodsfall else None),
        (Folkeregisterart.UTVANDRING, _utvandring(person.utflytting) if person.utflytting else None),
    ):
        v = fakta_endret(art, verdi, h.hendelse_id, kjent, korrigering=True)
        if v.utfall:
            regler.append(f"{art.value}: {v.regel}")
        utfall += v.utfall
        kjent = v.kjent
    b = person.bosted
    if b is not None and b.kommunenummer and b.kommunenummer != kjent.kommunenummer:
        flytting, regel = er_flytting(kjent.kommunenummer, b.kommunenummer, b.flyttedato)
        regler.append(regel)
        if flytting and kjent.kommunenummer is not None:
            assert b.flyttedato is not None  # er_flytting: a move has a date
            verdi = Flytting(
                til_kommunenummer=b.kommunenummer, fra_kommunenummer=kjent.kommunenummer, flyttedato=b.flyttedato
            )
            v = fakta_endret(
                Folkeregisterart.FLYTTING,
                verdi,
                h.hendelse_id,
                kjent.med(Folkeregisterart.FLYTTING, None, None),
                korrigering=False,
            )
            utfall += v.utfall
            kjent = v.kjent
        kjent = kjent.model_copy(update={"kommunenummer": b.kommunenummer})
    return Vurdering(tuple(utfall), kjent, "; ".join(regler) or "persondokumentet sier det NIR vet")


def vurder(h: Feedhendelse, kjent: KjenteFakta, person: Persondokument | None = None) -> Vurdering:
    """The one entry point: what `h` means for a deltaker NIR knows (see the module docstring)."""
    t = h.hendelsestype
    if t in DOED:
        return vurder_opplysning(h, kjent, Folkeregisterart.DODSFALL, Dodsfallsopplysning, _dodsfall)
    if t in UTFLYTTET:
        return vurder_opplysning(h, kjent, Folkeregisterart.UTVANDRING, UtflyttingFraNorge, _utvandring)
    if t in FLYTTET:
        return vurder_bosted(h, kjent)
    if t == OMNUMMERERT:
        return vurder_omnummerering(h, kjent)
    if t == NY_IDENT:
        return vurder_ny_ident(h, kjent)
    if t == OPPDATERT:
        if person is None:
            return Vurdering((), kjent, "trenger persondokumentet", trenger_persondokument=True)
        return vurder_persondokument(h, kjent, person)
    return Vurdering((), kjent, f"ukjent hendelsestype {t}", ukjent_type=True)


def trenger_persondokument(h: Feedhendelse) -> bool:
    return h.hendelsestype == OPPDATERT


__all__ = [
    "Annullert",
    "KjenteFakta",
    "Korrigert",
    "NyIdent",
    "Registrert",
    "Vurdering",
    "er_flytting",
    "fakta_endret",
    "trenger_persondokument",
    "vurder",
]
