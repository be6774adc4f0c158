"""Request and response bodies of the HTTP API (/api/v1). Field-level validation lives here, so a malformed
DUF-nummer, a fødselsnummer failing mod-11, an unknown code or kommune, or a til-dato before the fra-dato is a
422 naming the field before any rule or table is touched.

Input bodies are strict (shared/events/felttyper.py): a date is only a "YYYY-MM-DD" string, a code only one of
its values, a text only a string; a number of hours a JSON number or a decimal string with a point ("30.5", as
our responses write it). FastAPI validates the parsed body (validate_python), which is why the types JSON has no
literal for come from felttyper rather than from pydantic's strict mode alone."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.events.deltaker import Kjonn
from shared.events.envelope import Periode, TimerPerUke
from shared.events.felttyper import Dato, Desimal, Kode
from shared.identer import DufNummer, Fodselsnummer
from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype


def _kjent_kommune(nr: str) -> str:
    if nr not in geografi.kommuner():
        raise ValueError(f"ukjent kommunenummer {nr}")
    return nr


def _kjent_bydel(nr: str) -> str:
    if nr not in geografi.bydeler():
        raise ValueError(f"ukjent bydelsnummer {nr}")
    return nr


def _uten_kontrolltegn(tekst: str) -> str:
    # PostgreSQL text cannot hold NUL, and no name or code needs a control character
    if any(ord(c) < 32 or ord(c) == 127 for c in tekst):
        raise ValueError("teksten kan ikke inneholde kontrolltegn")
    return tekst


Kommunenummer = Annotated[str, Field(pattern=r"^\d{4}$"), AfterValidator(_kjent_kommune)]
Bydelsnummer = Annotated[str, Field(pattern=r"^\d{6}$"), AfterValidator(_kjent_bydel)]
Navn = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_uten_kontrolltegn)]


class _Inn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Person(_Inn):
    fornavn: Navn
    etternavn: Navn
    kjonn: Kode[Kjonn]
    fodselsdato: Dato
    lov: Kode[Lov]
    bosettingsdato: Dato
    oppfolgingskommune: Kommunenummer
    bydel: Bydelsnummer | None = None
    kategori: Kode[Kategori] | None = None
    kategori_periode: Periode | None = Field(
        default=None, description="The period the kategori applies; til = the last day in the kategori."
    )

    @model_validator(mode="after")
    def _sammenheng(self) -> _Person:
        if self.bydel is not None and geografi.bydeler()[self.bydel].kommunenummer != self.oppfolgingskommune:
            raise ValueError(f"bydel {self.bydel} ligger ikke i kommune {self.oppfolgingskommune}")
        if (self.kategori is None) != (self.kategori_periode is None):
            raise ValueError("kategori og kategori_periode oppgis sammen")
        return self  # dates against the fødselsdato: regler.personens_datoer (one home, naming the field)


class DeltakerInn(_Person):
    duf_nummer: DufNummer
    fodselsnummer: Fodselsnummer | None = None


class DeltakerOppdatering(_Person):
    """Everything but the identities (DUF-nummer never changes; fødselsnummer via /identitet)."""


class SokInn(_Inn):
    """Find a person by an identifier, in the body so it never lands in a URL or an access log."""

    duf_nummer: DufNummer | None = None
    fodselsnummer: Fodselsnummer | None = None

    @model_validator(mode="after")
    def _en(self) -> SokInn:
        if (self.duf_nummer is None) == (self.fodselsnummer is None):
            raise ValueError("oppgi enten duf_nummer eller fodselsnummer")
        return self


class IdentitetInn(_Inn):
    fodselsnummer: Fodselsnummer


class DeltakerUt(BaseModel):
    deltaker_id: UUID
    duf_nummer: str
    fodselsnummer: str | None
    fornavn: str
    etternavn: str
    kjonn: Kjonn
    fodselsdato: Dato
    lov: Lov
    bosettingsdato: Dato
    oppfolgingskommune: str
    bydel: str | None
    kategori: Kategori | None
    kategori_periode: Periode | None


class VedtakInn(_Inn):
    vedtakstype: Kode[Vedtakstype]
    resultat: Kode[Vedtaksresultat] = Vedtaksresultat.VEDTAK_FATTET
    vedtaksdato: Dato
    periode: Periode = Field(
        description="DELTAKELSE: programstart and planned end; FORLENGELSE/PERMISJON: the "
        "period granted; PERMANENT_STANS: fra = the stans date."
    )


class VedtakUt(BaseModel):
    vedtak_id: UUID
    vedtakstype: Vedtakstype
    resultat: Vedtaksresultat
    vedtaksdato: Dato
    periode: Periode
    gjeldende: bool


class SluttmalInn(_Inn):
    sluttmal: Kode[Sluttmalkode]
    fastsatt_dato: Dato


class SluttmalUt(BaseModel):
    sluttmal: Sluttmalkode
    navn: str
    fastsatt_dato: Dato
    registrert_av: str
    gjeldende: bool


class TiltakInn(_Inn):
    tiltakskode: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_uten_kontrolltegn)]
    periode: Periode
    timer_per_uke: TimerPerUke


class TiltakUt(BaseModel):
    tiltak_id: UUID
    tiltakskode: str
    periode: Periode
    timer_per_uke: Decimal
    gjeldende: bool


class FravaerInn(_Inn):
    fravaerstype: Kode[Fravaerstype]
    periode: Periode


class FravaerUt(BaseModel):
    fravaer_id: UUID
    fravaerstype: Fravaerstype
    periode: Periode


class AvvisningInn(_Inn):
    avvist_dato: Dato


class Opprettet(BaseModel):
    id: UUID


class AvslutningInn(_Inn):
    arsak: Kode[Avslutningsarsakkode]
    avslutningsdato: Dato
    # bounds and decimals are DOMAIN.md §4 rule 3 in regler.timer_arbeid_per_uke (one message for all of them)
    timer_arbeid_per_uke: Desimal | None = Field(
        default=None,
        description="Required for Arbeid: > 0, at most one "
        "decimal, as a JSON number (30.5) or a string with a decimal point "
        '("30.5").',
    )


class Arsak(BaseModel):
    kode: Avslutningsarsakkode
    navn: str


class AvslutningsversjonUt(BaseModel):
    avslutning_id: UUID
    versjon: int
    kilde: str
    avslutningstype: Avslutningstype
    arsak: Arsak
    timer_arbeid_per_uke: Decimal | None
    avslutningsdato: Dato
    registrert_av: str
    registrert_dato: datetime
    oppfolgingskommune: str
    bydel: str | None
    slettet: bool
    visning: str = Field(description="As the history shows it, e.g. «Stans (slettet)».")


class AvslutningerUt(BaseModel):
    gjeldende: AvslutningsversjonUt | None
    historikk: list[AvslutningsversjonUt]
    venter_paa_kommunens_arsak: bool = Field(
        description="DOMAIN.md §4 rule 7: a permanent stans awaits the kommune's avslutningsårsak."
    )


class AvslutningLagret(BaseModel):
    avslutning: AvslutningsversjonUt
    ikke_gjeldende_vedtak: list[UUID] = []
    ikke_gjeldende_tiltak: list[UUID] = []


class Steg(BaseModel):
    beskrivelse: str
    dato: Dato


class Frist(BaseModel):
    frist: Dato
    regelverk: str
    beregningslogg: list[Steg]


class FristerUt(BaseModel):
    gjennomforingsfrist: Frist | None
    gjennomforingsfrist_mangler: str | None = None
    oppstartsfrist: Frist


class Feil(BaseModel):
    detail: Any
