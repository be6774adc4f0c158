"""Facts about the deltaker as a person, published by registrering.

Data minimisation (issue #16 §3): the deltaker topic, which every service reads, carries no identities. The
DUF-nummer, the fødselsnummer/d-nummer, the names and the birth date are on their own compacted topic
(`IdentitetFastsatt` on nir.deltaker-identitet.v1), read only by the services that need them: the
folkeregister_adapter (the fødselsnummer, to match the Folkeregister's feed) and rapport (DUF-nummer and names
for the report and its search, the birth date for the age column). The birth date goes with the identities:
it is the first six digits of a fødselsnummer, and with kjønn and kommune it singles out most people; the
regelmotor's rules never use it (they count from bosettingsdato and the vedtak).
"""

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
    """What every consumer may know of the person (a full snapshot in every event, so consumers need no
    joins): no identities, no names, no birth date."""

    kjonn: Kode[Kjonn]
    lov: Kode[Lov]
    bosettingsdato: Dato
    oppfolgingskommune: Kommunenummer
    bydel: Bydelsnummer | None = None


class Identitet(Contract):
    """Who the person is: personal data, only on the identity topic."""

    duf_nummer: DufNummer
    fodselsnummer: Fodselsnummer | None = None
    fornavn: str
    etternavn: str
    fodselsdato: Dato


class DeltakerRegistrert(DeltakerEvent):
    type: Literal["DeltakerRegistrert"] = "DeltakerRegistrert"
    person: Personopplysninger


class DeltakerOppdatert(DeltakerEvent):
    type: Literal["DeltakerOppdatert"] = "DeltakerOppdatert"
    person: Personopplysninger


class IdentitetFastsatt(DeltakerEvent):
    """The person's identities as registrering holds them now: a full snapshot, published with the
    registration and whenever one of them changes (a new fødselsnummer/d-nummer, a corrected name). On the
    compacted topic the newest per deltaker is what remains. `tidligere_fodselsnummer` is the number this
    snapshot replaces, when it replaces one (e.g. d-nummer → fødselsnummer): the Folkeregister's feed may
    still name it for hendelser in flight."""

    type: Literal["IdentitetFastsatt"] = "IdentitetFastsatt"
    identitet: Identitet
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
