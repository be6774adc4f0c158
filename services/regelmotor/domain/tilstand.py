"""Per-deltaker state: the facts the regelmotor has seen, and `anvend(tilstand, event)` that folds one
event into it. Pure: no I/O, no clock. Facts are kept as maps/sets keyed by their own ids (vedtak_id,
avslutning_id, hendelse_id, …) so that the state after a set of events does not depend on the order in
which events from different topics arrived (DOMAIN.md §5)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.events import avslutning, deltaker, folkeregister, klokke, vedtak
from shared.events.envelope import Event
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype


class _Fakta(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(_Fakta):
    lov: Lov
    bosettingsdato: date
    oppfolgingskommune: str
    bydel: str | None = None
    event_id: UUID


class Kategorifakta(_Fakta):
    kategori: Kategori | None
    gjelder_fra: date
    recorded_at: datetime
    event_id: UUID


class Vedtaksfakta(_Fakta):
    vedtakstype: Vedtakstype
    resultat: Vedtaksresultat
    vedtaksdato: date
    fra: date
    til: date | None
    event_id: UUID

    @property
    def fattet(self) -> bool:
        return self.resultat is Vedtaksresultat.VEDTAK_FATTET


class Sluttmalfakta(_Fakta):
    sluttmal: Sluttmalkode
    fastsatt_dato: date
    recorded_at: datetime
    event_id: UUID


class Fravaersfakta(_Fakta):
    fravaerstype: Fravaerstype
    fra: date
    til: date | None
    event_id: UUID


class Avvisningsfakta(_Fakta):
    avvist_dato: date
    event_id: UUID


class Kommuneavslutning(_Fakta):
    """The newest version seen of one kommune avslutning (versions may arrive more than once)."""

    versjon: int
    arsak: Avslutningsarsakkode
    avslutningsdato: date
    slettet: bool = False
    event_id: UUID


class Folkeregisterhendelse(_Fakta):
    hendelse_id: str
    art: folkeregister.Folkeregisterart
    dato: date
    til_kommunenummer: str | None = None
    fra_kommunenummer: str | None = None
    sekvensnummer: int
    korrigerer: str | None = None
    event_id: UUID


class Annullering(_Fakta):
    hendelse_id: str
    event_id: UUID


class Utsendt(_Fakta):
    """A computed avslutning the regelmotor has published and not retracted."""

    avslutning_id: UUID
    regel: str
    arsak: Avslutningsarsakkode
    avslutningstype: Avslutningstype
    avslutningsdato: date
    folkeregister_rot: str | None = None  # the hendelse chain it came from, to name a retraction's grunn
    # The id it was published under: the rule's id the first time, a new one after a retraction (consumers
    # keep a retracted avslutning as (slettet) for good, so a re-created one must be a new avslutning).
    publisert_id: UUID | None = None


class Tilstand(_Fakta):
    deltaker_id: UUID
    person: Person | None = None
    kategorier: list[Kategorifakta] = Field(default_factory=list)
    vedtak: dict[UUID, Vedtaksfakta] = Field(default_factory=dict)
    slettede_vedtak: dict[UUID, UUID] = Field(default_factory=dict)  # vedtak_id -> the VedtakSlettet event
    sluttmal: list[Sluttmalfakta] = Field(default_factory=list)
    fravaer: dict[UUID, Fravaersfakta] = Field(default_factory=dict)
    slettet_fravaer: dict[UUID, UUID] = Field(default_factory=dict)
    avvisninger: list[Avvisningsfakta] = Field(default_factory=list)
    kommuneavslutninger: dict[UUID, Kommuneavslutning] = Field(default_factory=dict)
    folkeregister: dict[str, Folkeregisterhendelse] = Field(default_factory=dict)
    annulleringer: dict[str, Annullering] = Field(default_factory=dict)  # annulled hendelse_id -> annulment
    idag: date | None = None  # from the latest DognPassert: the only notion of «now» the rules have
    # The idag on which the personopplysninger first arrived: a frist rule acts only once a day has passed
    # since then (domain/regler.py). None = before the clock, or a row stored before this field existed:
    # known long ago, so nothing waits.
    kjent_fra: date | None = None
    utsendte: dict[UUID, Utsendt] = Field(default_factory=dict)
    tilbaketrekkinger: dict[UUID, int] = Field(default_factory=dict)  # rule id -> how often it was retracted

    @classmethod
    def ny(cls, deltaker_id: UUID) -> Tilstand:
        return cls(deltaker_id=deltaker_id)


class UkjentHendelse(ValueError):
    """An event type the regelmotor has no use for (it is skipped and counted, never an error)."""


IGNORERTE = (
    deltaker.UtdanningsbakgrunnRegistrert,  # registrering checks the sluttmål against it; no rule of §5 uses it
    vedtak.TiltakRegistrert,
    vedtak.TiltakEndret,
    vedtak.TiltakSlettet,
    avslutning.BeregnetAvslutningOpprettet,
    avslutning.BeregnetAvslutningTrukketTilbake,
)


def _vedtak(e: vedtak.VedtakRegistrert | vedtak.VedtakEndret) -> Vedtaksfakta:
    x = e.vedtak
    return Vedtaksfakta(
        vedtakstype=x.vedtakstype,
        resultat=x.resultat,
        vedtaksdato=x.vedtaksdato,
        fra=x.periode.fra,
        til=x.periode.til,
        event_id=e.event_id,
    )


def _kommuneavslutning(t: Tilstand, avslutning_id: UUID, ny: Kommuneavslutning) -> None:
    gammel = t.kommuneavslutninger.get(avslutning_id)
    # A deletion of version n wins over version n itself; an older version never replaces a newer one.
    if gammel is None or (ny.versjon, ny.slettet) >= (gammel.versjon, gammel.slettet):
        t.kommuneavslutninger = {**t.kommuneavslutninger, avslutning_id: ny}


def anvend(tilstand: Tilstand, e: Event, siste_dag: date | None = None) -> Tilstand:
    """The state with one more fact. Returns a new Tilstand; the argument is not changed (a shallow copy
    whose changed container is replaced, never mutated: fact objects are never changed in place, and a deep
    copy cost more than half the engine's time).

    `siste_dag` is the latest day the clock has announced: idag, or a newer tick still waiting for the facts
    published before it (services/regelmotor/innhenting.py). A person first seen now may have been registered
    after that tick, so it is known from that day, not from idag: otherwise applying the waiting tick would
    arm its frist rules before its vedtak (published after the tick) has been read."""
    t = tilstand.model_copy()
    match e:
        case deltaker.DeltakerRegistrert() | deltaker.DeltakerOppdatert():
            if t.person is None:
                # the caller moves the clock first (forbruker.anvend_fakta)
                t.kjent_fra = max((x for x in (t.idag, siste_dag) if x is not None), default=None)
            p = e.person
            t.person = Person(
                lov=p.lov,
                bosettingsdato=p.bosettingsdato,
                oppfolgingskommune=p.oppfolgingskommune,
                bydel=p.bydel,
                event_id=e.event_id,
            )
        case deltaker.KategoriEndret():
            if all(x.event_id != e.event_id for x in t.kategorier):
                t.kategorier = [
                    *t.kategorier,
                    Kategorifakta(
                        kategori=e.kategori, gjelder_fra=e.gjelder_fra, recorded_at=e.recorded_at, event_id=e.event_id
                    ),
                ]
        case vedtak.VedtakRegistrert() | vedtak.VedtakEndret():
            if e.vedtak.vedtak_id not in t.slettede_vedtak:
                t.vedtak = {**t.vedtak, e.vedtak.vedtak_id: _vedtak(e)}
        case vedtak.VedtakSlettet():
            t.vedtak = {k: x for k, x in t.vedtak.items() if k != e.vedtak_id}
            t.slettede_vedtak = {**t.slettede_vedtak, e.vedtak_id: e.event_id}
        case vedtak.SluttmalRegistrert():
            if all(x.event_id != e.event_id for x in t.sluttmal):
                t.sluttmal = [
                    *t.sluttmal,
                    Sluttmalfakta(
                        sluttmal=e.sluttmal,
                        fastsatt_dato=e.fastsatt_dato,
                        recorded_at=e.recorded_at,
                        event_id=e.event_id,
                    ),
                ]
        case vedtak.FravaerRegistrert():
            if e.fravaer.fravaer_id not in t.slettet_fravaer:
                t.fravaer = {
                    **t.fravaer,
                    e.fravaer.fravaer_id: Fravaersfakta(
                        fravaerstype=e.fravaer.fravaerstype,
                        fra=e.fravaer.periode.fra,
                        til=e.fravaer.periode.til,
                        event_id=e.event_id,
                    ),
                }
        case vedtak.FravaerSlettet():
            t.fravaer = {k: x for k, x in t.fravaer.items() if k != e.fravaer_id}
            t.slettet_fravaer = {**t.slettet_fravaer, e.fravaer_id: e.event_id}
        case vedtak.AvvisningRegistrert():
            if all(x.event_id != e.event_id for x in t.avvisninger):
                t.avvisninger = [*t.avvisninger, Avvisningsfakta(avvist_dato=e.avvist_dato, event_id=e.event_id)]
        case avslutning.AvslutningRegistrert() | avslutning.AvslutningEndret():
            x = e.avslutning
            _kommuneavslutning(
                t,
                x.avslutning_id,
                Kommuneavslutning(
                    versjon=x.versjon, arsak=x.arsak, avslutningsdato=x.avslutningsdato, event_id=e.event_id
                ),
            )
        case avslutning.AvslutningSlettet():
            gammel = t.kommuneavslutninger.get(e.avslutning_id)
            _kommuneavslutning(
                t,
                e.avslutning_id,
                Kommuneavslutning(
                    versjon=e.versjon,
                    arsak=gammel.arsak if gammel else Avslutningsarsakkode.UKJENT,
                    avslutningsdato=gammel.avslutningsdato if gammel else date.min,
                    slettet=True,
                    event_id=e.event_id,
                ),
            )
        case folkeregister.FlyttingRegistrert() | folkeregister.FlyttingKorrigert():
            t.folkeregister = {
                **t.folkeregister,
                e.hendelse_id: Folkeregisterhendelse(
                    hendelse_id=e.hendelse_id,
                    art=folkeregister.Folkeregisterart.FLYTTING,
                    dato=e.flytting.flyttedato,
                    til_kommunenummer=e.flytting.til_kommunenummer,
                    fra_kommunenummer=e.flytting.fra_kommunenummer,
                    sekvensnummer=e.sekvensnummer,
                    korrigerer=getattr(e, "korrigerer_hendelse_id", None),
                    event_id=e.event_id,
                ),
            }
        case folkeregister.UtvandringRegistrert() | folkeregister.UtvandringKorrigert():
            t.folkeregister = {
                **t.folkeregister,
                e.hendelse_id: Folkeregisterhendelse(
                    hendelse_id=e.hendelse_id,
                    art=folkeregister.Folkeregisterart.UTVANDRING,
                    dato=e.utvandring.utflyttingsdato,
                    sekvensnummer=e.sekvensnummer,
                    korrigerer=getattr(e, "korrigerer_hendelse_id", None),
                    event_id=e.event_id,
                ),
            }
        case folkeregister.DodsfallRegistrert() | folkeregister.DodsfallKorrigert():
            t.folkeregister = {
                **t.folkeregister,
                e.hendelse_id: Folkeregisterhendelse(
                    hendelse_id=e.hendelse_id,
                    art=folkeregister.Folkeregisterart.DODSFALL,
                    dato=e.dodsfall.dodsdato,
                    sekvensnummer=e.sekvensnummer,
                    korrigerer=getattr(e, "korrigerer_hendelse_id", None),
                    event_id=e.event_id,
                ),
            }
        case folkeregister.FolkeregisterhendelseAnnullert():
            t.annulleringer = {
                **t.annulleringer,
                e.annullerer_hendelse_id: Annullering(hendelse_id=e.hendelse_id, event_id=e.event_id),
            }
        case klokke.DognPassert():
            t.idag = e.dato if t.idag is None else max(t.idag, e.dato)
        case _ if isinstance(e, IGNORERTE):
            pass  # facts the rules do not use
        case _:
            raise UkjentHendelse(type(e).__name__)
    return t


def med_idag(tilstand: Tilstand, idag: date | None) -> Tilstand:
    """The state with the clock moved to `idag` (never backwards)."""
    if idag is None or (tilstand.idag is not None and tilstand.idag >= idag):
        return tilstand
    return tilstand.model_copy(update={"idag": idag})
