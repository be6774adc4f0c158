"""Normalised Folkeregister facts for NIR's deltakere, published by the folkeregister_adapter.

`hendelse_id` is the feed's own identity of the hendelse (dokumentidentifikator), so a correction or an
annulment can name the hendelse it replaces (FOLKEREGISTER.md: «De-duplicate by event identity»).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.events.envelope import Contract, DeltakerEvent, Kommunenummer
from shared.events.felttyper import Dato, Kode

Hendelsesidentifikator = str


class Folkeregisterart(StrEnum):
    FLYTTING = "FLYTTING"
    UTVANDRING = "UTVANDRING"
    DODSFALL = "DODSFALL"


class _Folkeregisterhendelse(DeltakerEvent):
    hendelse_id: Hendelsesidentifikator = Field(min_length=1)
    sekvensnummer: int = Field(ge=0, description="The feed position it was read at.")


class Flytting(Contract):
    til_kommunenummer: Kommunenummer
    fra_kommunenummer: Kommunenummer | None = None
    flyttedato: Dato


class Utvandring(Contract):
    utflyttingsdato: Dato
    tilflyttingsland: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 3166 alpha-3")


class Dodsfall(Contract):
    dodsdato: Dato


class FlyttingRegistrert(_Folkeregisterhendelse):
    type: Literal["FlyttingRegistrert"] = "FlyttingRegistrert"
    flytting: Flytting


class FlyttingKorrigert(_Folkeregisterhendelse):
    type: Literal["FlyttingKorrigert"] = "FlyttingKorrigert"
    korrigerer_hendelse_id: Hendelsesidentifikator
    flytting: Flytting


class UtvandringRegistrert(_Folkeregisterhendelse):
    type: Literal["UtvandringRegistrert"] = "UtvandringRegistrert"
    utvandring: Utvandring


class UtvandringKorrigert(_Folkeregisterhendelse):
    type: Literal["UtvandringKorrigert"] = "UtvandringKorrigert"
    korrigerer_hendelse_id: Hendelsesidentifikator
    utvandring: Utvandring


class DodsfallRegistrert(_Folkeregisterhendelse):
    type: Literal["DodsfallRegistrert"] = "DodsfallRegistrert"
    dodsfall: Dodsfall


class DodsfallKorrigert(_Folkeregisterhendelse):
    type: Literal["DodsfallKorrigert"] = "DodsfallKorrigert"
    korrigerer_hendelse_id: Hendelsesidentifikator
    dodsfall: Dodsfall


class FolkeregisterhendelseAnnullert(_Folkeregisterhendelse):
    """An annulment carries no payload in the feed; it names the hendelse it undoes."""

    type: Literal["FolkeregisterhendelseAnnullert"] = "FolkeregisterhendelseAnnullert"
    annullerer_hendelse_id: Hendelsesidentifikator
    art: Kode[Folkeregisterart]
