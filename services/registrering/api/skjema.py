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

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from shared.events.deltaker import Kjonn
from shared.events.envelope import Periode, TimerPerUke
from shared.events.felttyper import Dato, Desimal, Kode
from shared.identer import DufNummer, Fodselsnummer
from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.opphold import Oppholdsgrunnlag
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.utdanning import Utdanningsbakgrunn
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


# the schema lists the numbers the validators know, so a schema-valid number is a known one (issue #16 §1)
Kommunenummer = Annotated[
    str,
    Field(pattern=r"^[0-9]{4}$", json_schema_extra={"enum": sorted(geografi.kommuner())}),
    AfterValidator(_kjent_kommune),
]
Bydelsnummer = Annotated[
    str,
    Field(pattern=r"^[0-9]{6}$", json_schema_extra={"enum": sorted(geografi.bydeler())}),
    AfterValidator(_kjent_bydel),
]
# the schema says what _uten_kontrolltegn refuses (the validator keeps its own message)
UTEN_KONTROLLTEGN = {"pattern": r"^[^\x00-\x1f\x7f]*$"}
Navn = Annotated[
    str, Field(min_length=1, max_length=100, json_schema_extra=UTEN_KONTROLLTEGN), AfterValidator(_uten_kontrolltegn)
]


class _Inn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _med(eksempel: dict[str, Any], **skjema: Any) -> ConfigDict:
    """A model's example in the document, and what its validators check across fields, as JSON Schema."""
    return ConfigDict(json_schema_extra={"examples": [eksempel], **skjema})


# Hours per week as the guard of shared/events/felttyper.py takes them (a JSON number, or digits with a decimal
# point), with DOMAIN.md §4 rule 3's bounds; pydantic's own schema for a Decimal string admits more ("+.5", "1e3")
_TIMER = [
    {"type": "number", "exclusiveMinimum": 0, "maximum": 168},
    # 0.1–168 with at most one decimal, as digits
    {
        "type": "string",
        "pattern": r"^(0\.[1-9]|[1-9][0-9]?(\.[0-9])?|1[0-5][0-9](\.[0-9])?|16[0-7](\.[0-9])?|168(\.0)?)$",
    },
]
_TIMER_BESKRIVELSE = (
    "Større enn 0 og høyst 168, med høyst én desimal, som et JSON-tall (30.5) eller en tekst med desimalpunktum "
    '("30.5"); desimalkomma («30,5») avvises.'
)


# _Person._sammenheng as JSON Schema: a bydel only with its own kommune, kategori and kategori_periode together
# (null is «not given», as the validators take it)
_PERSON_SAMMENHENG = {
    "allOf": [
        {
            "anyOf": [
                {"properties": {"bydel": {"type": "null"}}},
                *(
                    {
                        "required": ["bydel"],
                        "properties": {
                            "oppfolgingskommune": {"const": kommune},
                            "bydel": {"enum": sorted(b.bydelsnummer for b in geografi.bydeler_i(kommune))},
                        },
                    }
                    for kommune in sorted({b.kommunenummer for b in geografi.bydeler().values()})
                ),
            ]
        },
        {
            "anyOf": [
                {"properties": {"kategori": {"type": "null"}, "kategori_periode": {"type": "null"}}},
                {
                    "required": ["kategori", "kategori_periode"],
                    "properties": {"kategori": {"type": "string"}, "kategori_periode": {"type": "object"}},
                },
            ]
        },
    ]
}
_PERSON = {
    "fornavn": "Amina",
    "etternavn": "Haddad",
    "kjonn": "K",
    "fodselsdato": "1995-03-02",
    "lov": "integreringsloven",
    "bosettingsdato": "2021-09-01",
    "oppfolgingskommune": "0301",
    "bydel": "030102",
    "kategori": "RETT_OG_PLIKT",
    "kategori_periode": {"fra": "2021-09-01", "til": None},
}


class _Person(_Inn):
    fornavn: Navn
    etternavn: Navn
    kjonn: Kode[Kjonn]
    fodselsdato: Dato
    lov: Kode[Lov] | None = Field(
        default=None,
        description="Følger av oppholdet IMDi har meldt (datoen for tillatelsen): da kan den utelates, og en lov "
        "som strider mot datoene avvises. Påkrevd til IMDi har meldt opphold.",
    )
    bosettingsdato: Dato
    oppfolgingskommune: Kommunenummer
    bydel: Bydelsnummer | None = None
    # Computed by NIR from IMDi's opphold facts and the age (issue #13 §1): never the kommune's input. Declared
    # only so that a client still sending them learns why, in Norwegian, on the field (not «extra inputs»).
    kategori: SkipJsonSchema[None] = None
    kategori_periode: SkipJsonSchema[None] = None

    @field_validator("kategori", "kategori_periode", mode="before")
    @classmethod
    def _beregnes_av_nir(cls, verdi: object) -> None:
        if verdi is not None:
            raise PydanticCustomError(
                "kategori_beregnes",
                "kategori beregnes av NIR fra oppholdsgrunnlaget IMDi har registrert og personens alder, og kan "
                "ikke oppgis av kommunen",
            )
        return None

    @model_validator(mode="after")
    def _sammenheng(self) -> _Person:
        if self.bydel is not None and geografi.bydeler()[self.bydel].kommunenummer != self.oppfolgingskommune:
            raise ValueError(f"bydel {self.bydel} ligger ikke i kommune {self.oppfolgingskommune}")
        return self  # dates against the fødselsdato: regler.personens_datoer (one home, naming the field)


class DeltakerInn(_Person):
    model_config = _med({"duf_nummer": "202312345678", "fodselsnummer": "02039512303", **_PERSON}, **_PERSON_SAMMENHENG)

    duf_nummer: DufNummer
    fodselsnummer: Fodselsnummer | None = None


class DeltakerOppdatering(_Person):
    """Everything but the identities (DUF-nummer never changes; fødselsnummer via /identitet)."""

    model_config = _med(
        _PERSON,
        description="Alt unntatt identitetene (DUF-nummeret endres aldri; fødselsnummer via …/identitet).",
        **_PERSON_SAMMENHENG,
    )


class SokInn(_Inn):
    """Find a person by an identifier, in the body so it never lands in a URL or an access log."""

    model_config = _med(
        {"duf_nummer": "202312345678"},
        description="Nøyaktig ett av duf_nummer og fodselsnummer.",
        oneOf=[
            {
                "required": ["duf_nummer"],
                "properties": {"duf_nummer": {"type": "string"}, "fodselsnummer": {"type": "null"}},
            },
            {
                "required": ["fodselsnummer"],
                "properties": {"fodselsnummer": {"type": "string"}, "duf_nummer": {"type": "null"}},
            },
        ],
    )

    duf_nummer: DufNummer | None = None
    fodselsnummer: Fodselsnummer | None = None

    @model_validator(mode="after")
    def _en(self) -> SokInn:
        if (self.duf_nummer is None) == (self.fodselsnummer is None):
            raise ValueError("oppgi enten duf_nummer eller fodselsnummer")
        return self


class IdentitetInn(_Inn):
    model_config = _med({"fodselsnummer": "02039512494"})

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
    kategori: Kategori | None = Field(description="Beregnet av NIR fra oppholdet IMDi har meldt og personens alder.")
    kategori_periode: Periode | None
    utdanningsbakgrunn: Utdanningsbakgrunn | None = None


class TillatelseInn(_Inn):
    oppholdsgrunnlag: Kode[Oppholdsgrunnlag]
    innvilget: Dato
    opphort: Dato | None = Field(default=None, description="Første dag tillatelsen ikke lenger gjelder.")

    @model_validator(mode="after")
    def _rekkefolge(self) -> TillatelseInn:
        if self.opphort is not None and self.opphort <= self.innvilget:
            raise ValueError("opphort må være etter innvilget")
        return self


class OppholdInn(_Inn):
    """IMDi's opphold facts for one person (from UDI through IMDi's bosetting): the full list of
    oppholdstillatelser (each report replaces the one before) and the arrival in Norway."""

    model_config = _med(
        {
            "duf_nummer": "202312345678",
            "ankomstdato": "2021-08-20",
            "tillatelser": [{"oppholdsgrunnlag": "FLYKTNING", "innvilget": "2021-09-01"}],
        }
    )

    duf_nummer: DufNummer
    ankomstdato: Dato | None = None
    tillatelser: list[TillatelseInn] = Field(min_length=1, max_length=50)


class OppholdLagret(BaseModel):
    deltakere_oppdatert: int = Field(description="Deltakere (steder for oppfølging) der lov eller kategori endret seg.")
    deltakere: int = Field(description="Deltakere registrert med dette DUF-nummeret.")


class UtdanningsbakgrunnInn(_Inn):
    model_config = _med({"utdanningsbakgrunn": "IKKE_VGO"})

    utdanningsbakgrunn: Kode[Utdanningsbakgrunn] = Field(
        description="Om personen har utdanning på videregående nivå eller høyere (GSU-listen; unntaket for "
        "Ukraina regnes som videregående). Dokumentasjon kreves ikke."
    )


class VedtakInn(_Inn):
    model_config = _med(
        {
            "vedtakstype": "DELTAKELSE",
            "resultat": "VEDTAK_FATTET",
            "vedtaksdato": "2022-01-03",
            "periode": {"fra": "2022-01-10", "til": "2024-01-09"},
        }
    )

    vedtakstype: Kode[Vedtakstype]
    resultat: Kode[Vedtaksresultat] = Vedtaksresultat.VEDTAK_FATTET
    vedtaksdato: Dato
    periode: Periode = Field(
        description="DELTAKELSE: programstart og planlagt slutt; FORLENGELSE/PERMISJON: perioden som er innvilget; "
        "PERMANENT_STANS: fra er stansdatoen."
    )


class VedtakUt(BaseModel):
    vedtak_id: UUID
    vedtakstype: Vedtakstype
    resultat: Vedtaksresultat
    vedtaksdato: Dato
    periode: Periode
    gjeldende: bool


class SluttmalInn(_Inn):
    model_config = _med({"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": "2022-01-03"})

    sluttmal: Kode[Sluttmalkode]
    fastsatt_dato: Dato


class SluttmalUt(BaseModel):
    sluttmal: Sluttmalkode
    navn: str
    fastsatt_dato: Dato
    registrert_av: str
    gjeldende: bool


class TiltakInn(_Inn):
    model_config = _med(
        {"tiltakskode": "NORSKOPPLAERING", "periode": {"fra": "2022-01-10", "til": "2022-12-31"}, "timer_per_uke": 15}
    )

    tiltakskode: Annotated[
        str, Field(min_length=1, max_length=64, json_schema_extra=UTEN_KONTROLLTEGN), AfterValidator(_uten_kontrolltegn)
    ]
    periode: Periode
    timer_per_uke: Annotated[TimerPerUke, WithJsonSchema({"anyOf": _TIMER, "description": _TIMER_BESKRIVELSE})]


class TiltakUt(BaseModel):
    tiltak_id: UUID
    tiltakskode: str
    periode: Periode
    timer_per_uke: Decimal
    gjeldende: bool


class FravaerInn(_Inn):
    model_config = _med({"fravaerstype": "GYLDIG", "periode": {"fra": "2022-05-01", "til": "2022-05-10"}})

    fravaerstype: Kode[Fravaerstype]
    periode: Periode


class FravaerUt(BaseModel):
    fravaer_id: UUID
    fravaerstype: Fravaerstype
    periode: Periode


class AvvisningInn(_Inn):
    model_config = _med({"avvist_dato": "2022-01-05"})

    avvist_dato: Dato


class Opprettet(BaseModel):
    id: UUID


class AvslutningInn(_Inn):
    model_config = _med({"arsak": "ARBEID", "avslutningsdato": "2023-06-01", "timer_arbeid_per_uke": 30})

    arsak: Kode[Avslutningsarsakkode]
    avslutningsdato: Dato
    # bounds and decimals are DOMAIN.md §4 rule 3 in regler.timer_arbeid_per_uke (one message for all of them)
    # documented here, checked by regler.timer_arbeid_per_uke (one message for all of them)
    timer_arbeid_per_uke: Annotated[
        Desimal | None,
        WithJsonSchema(
            {
                "anyOf": [*_TIMER, {"type": "null"}],
                "description": "Påkrevd for Arbeid, ellers tom. " + _TIMER_BESKRIVELSE,
            }
        ),
    ] = None


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
    visning: str = Field(description="Slik historikken viser den, f.eks. «Stans (slettet)».")


class AvslutningerUt(BaseModel):
    gjeldende: AvslutningsversjonUt | None
    historikk: list[AvslutningsversjonUt]
    venter_paa_kommunens_arsak: bool = Field(
        description="Et vedtak om permanent stans venter på kommunens avslutningsårsak."
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
    regelverk: str = Field(description="Regelverksversjonen som avgjorde fristen.")
    regelverk_gjelder_fra: Dato | None = Field(default=None, description="Datoen den versjonen gjelder fra.")
    beregningslogg: list[Steg]


class FristerUt(BaseModel):
    gjennomforingsfrist: Frist | None
    gjennomforingsfrist_mangler: str | None = None
    oppstartsfrist: Frist
