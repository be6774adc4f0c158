"""Facts about the deltaker as a person, published by registrering on the deltaker topic."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from shared.events.envelope import Bydelsnummer, Contract, DeltakerEvent, Kommunenummer
from shared.events.felttyper import Dato, Kode
from shared.identer import DufNummer, Fodselsnummer
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.utdanning import Utdanningsbakgrunn


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
    """The person's kategori, computed by NIR from IMDi's opphold facts and the person's age
    (shared/regelverk/kategori.py): `kategori` None from `gjelder_fra` means the person left the kategori on that
    day (the first day out of it)."""

    type: Literal["KategoriEndret"] = "KategoriEndret"
    kategori: Kode[Kategori] | None
    gjelder_fra: Dato


class UtdanningsbakgrunnRegistrert(DeltakerEvent):
    """The kommune registered the person's utdanningsbakgrunn (seed nir-ny-integreringslov-endringer-2021), which
    decides integreringsloven § 13 or § 14 and so the sluttmål allowed (shared/kodeverk/utdanning.py)."""

    type: Literal["UtdanningsbakgrunnRegistrert"] = "UtdanningsbakgrunnRegistrert"
    utdanningsbakgrunn: Kode[Utdanningsbakgrunn]
