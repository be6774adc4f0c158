"""Avslutninger: the kommune's (from registrering) and the regelmotor's computed ones."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from shared.events.envelope import Brukerident, Bydelsnummer, Contract, DeltakerEvent, Kommunenummer, TimerPerUke
from shared.events.felttyper import Dato, Id, Kode, Tidspunkt
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype, avslutningsarsak


class Avslutning(Contract):
    """One version of a kommune avslutning (DOMAIN.md §2 «avslutning»)."""

    avslutning_id: Id
    versjon: int = Field(ge=1)
    avslutningstype: Kode[Avslutningstype]
    arsak: Kode[Avslutningsarsakkode]
    avslutningsdato: Dato
    timer_arbeid_per_uke: TimerPerUke | None = None
    registrert_av: Brukerident
    registrert_dato: Tidspunkt
    oppfolgingskommune: Kommunenummer
    bydel: Bydelsnummer | None = None

    @model_validator(mode="after")
    def _timer(self) -> Avslutning:
        if avslutningsarsak(self.arsak).krever_timer_arbeid_per_uke and self.timer_arbeid_per_uke is None:
            raise ValueError("antall timer arbeid per uke er påkrevd for denne avslutningsårsaken")
        return self


class AvslutningRegistrert(DeltakerEvent):
    type: Literal["AvslutningRegistrert"] = "AvslutningRegistrert"
    avslutning: Avslutning


class AvslutningEndret(DeltakerEvent):
    type: Literal["AvslutningEndret"] = "AvslutningEndret"
    avslutning: Avslutning


class AvslutningSlettet(DeltakerEvent):
    type: Literal["AvslutningSlettet"] = "AvslutningSlettet"
    avslutning_id: Id
    versjon: int = Field(ge=1)
    slettet_av: Brukerident


class Regelgrunnlag(Contract):
    """What a computed avslutning was derived from: the rule path and the inputs it used."""

    regel: str = Field(description="The rule that produced it, e.g. «§5 gjennomføringsfrist utløpt».")
    # tuples are JSON arrays: strict=False lets the parsed form (a list) in, as JSON validation does
    regelsti: tuple[str, ...] = Field(default=(), strict=False, description="Rules evaluated on the way, in order.")
    datoer: dict[str, Dato] = Field(default_factory=dict, description="e.g. gjennomforingsfrist, idag.")
    kilde_event_ids: tuple[Id, ...] = Field(default=(), strict=False, description="The events whose facts were used.")


class BeregnetAvslutningOpprettet(DeltakerEvent):
    type: Literal["BeregnetAvslutningOpprettet"] = "BeregnetAvslutningOpprettet"
    avslutning_id: Id
    avslutningstype: Kode[Avslutningstype]
    arsak: Kode[Avslutningsarsakkode]
    avslutningsdato: Dato
    oppfolgingskommune: Kommunenummer
    bydel: Bydelsnummer | None = None
    grunnlag: Regelgrunnlag


class Tilbaketrekkingsgrunn(StrEnum):
    KOMMUNE_AVSLUTNING = "KOMMUNE_AVSLUTNING"  # DOMAIN.md §4 rules 6–7: the kommune's own wins
    FAKTA_ENDRET = "FAKTA_ENDRET"  # e.g. a late permisjon moved the frist past today
    FOLKEREGISTER_ANNULLERT = "FOLKEREGISTER_ANNULLERT"
    FOLKEREGISTER_KORRIGERT = "FOLKEREGISTER_KORRIGERT"


class BeregnetAvslutningTrukketTilbake(DeltakerEvent):
    """The computed avslutning no longer holds; it shows as (slettet) in the history."""

    type: Literal["BeregnetAvslutningTrukketTilbake"] = "BeregnetAvslutningTrukketTilbake"
    avslutning_id: Id
    arsak: Kode[Avslutningsarsakkode]
    grunn: Kode[Tilbaketrekkingsgrunn]
    grunnlag: Regelgrunnlag
