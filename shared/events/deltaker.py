"""Facts about the deltaker as a person, published by registrering on the deltaker topic."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from shared.events.envelope import Bydelsnummer, Contract, DeltakerEvent, Kommunenummer
from shared.events.felttyper import Dato, Kode
from shared.identer import DufNummer, Fodselsnummer
from shared.kodeverk.kategorier import Kategori, Lov


class Kjonn(StrEnum):
    KVINNE = "K"
    MANN = "M"


class Personopplysninger(Contract):
    """What registrering knows of the person (a full snapshot in every event, so consumers need no joins)."""

    duf_nummer: DufNummer
    fodselsnummer: Fodselsnummer | None = None
    fornavn: str
    etternavn: str
    kjonn: Kode[Kjonn]
    fodselsdato: Dato
    lov: Kode[Lov]
    bosettingsdato: Dato
    oppfolgingskommune: Kommunenummer
    bydel: Bydelsnummer | None = None


class DeltakerRegistrert(DeltakerEvent):
    type: Literal["DeltakerRegistrert"] = "DeltakerRegistrert"
    person: Personopplysninger


class DeltakerOppdatert(DeltakerEvent):
    type: Literal["DeltakerOppdatert"] = "DeltakerOppdatert"
    person: Personopplysninger


class IdentitetEndret(DeltakerEvent):
    """The person got a new fødselsnummer/d-nummer (e.g. d-nummer → fødselsnummer)."""

    type: Literal["IdentitetEndret"] = "IdentitetEndret"
    fodselsnummer: Fodselsnummer
    tidligere_fodselsnummer: Fodselsnummer | None = None


class KategoriEndret(DeltakerEvent):
    """The person's kategori: `kategori` None from `gjelder_fra` means the person left the kategori."""

    type: Literal["KategoriEndret"] = "KategoriEndret"
    kategori: Kode[Kategori] | None
    gjelder_fra: Dato
