"""The programme's facts, published by registrering on the vedtak topic: vedtak (all types, permisjon
included), sluttmål, tiltak, fravær and avvisning."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.events.envelope import Contract, DeltakerEvent, Periode, TimerPerUke
from shared.events.felttyper import Dato, Id, Kode
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype


class Vedtak(Contract):
    """One vedtak. For DELTAKELSE the periode is programme start and planned end; for FORLENGELSE and
    PERMISJON the period granted; for PERMANENT_STANS `periode.fra` is the stans date."""

    vedtak_id: Id
    vedtakstype: Kode[Vedtakstype]
    resultat: Kode[Vedtaksresultat]
    vedtaksdato: Dato
    periode: Periode
    gjeldende: bool = Field(default=True, description="False once an avslutning made it «ikke gjeldende».")


class VedtakRegistrert(DeltakerEvent):
    type: Literal["VedtakRegistrert"] = "VedtakRegistrert"
    vedtak: Vedtak


class VedtakEndret(DeltakerEvent):
    """A full snapshot of the vedtak after the change (also when it was set ikke gjeldende)."""

    type: Literal["VedtakEndret"] = "VedtakEndret"
    vedtak: Vedtak


class VedtakSlettet(DeltakerEvent):
    type: Literal["VedtakSlettet"] = "VedtakSlettet"
    vedtak_id: Id


class SluttmalRegistrert(DeltakerEvent):
    """The sluttmål in force from now on (a later one replaces an earlier)."""

    type: Literal["SluttmalRegistrert"] = "SluttmalRegistrert"
    sluttmal: Kode[Sluttmalkode]
    fastsatt_dato: Dato


class Tiltak(Contract):
    tiltak_id: Id
    tiltakskode: str = Field(min_length=1, max_length=64)
    periode: Periode
    timer_per_uke: TimerPerUke
    gjeldende: bool = True


class TiltakRegistrert(DeltakerEvent):
    type: Literal["TiltakRegistrert"] = "TiltakRegistrert"
    tiltak: Tiltak


class TiltakEndret(DeltakerEvent):
    """A full snapshot of the tiltak after the change (also when it was set ikke gjeldende)."""

    type: Literal["TiltakEndret"] = "TiltakEndret"
    tiltak: Tiltak


class TiltakSlettet(DeltakerEvent):
    """A tiltak registered by mistake, deleted by the kommune (kept in registrering, marked slettet)."""

    type: Literal["TiltakSlettet"] = "TiltakSlettet"
    tiltak_id: Id


class Fravaer(Contract):
    fravaer_id: Id
    fravaerstype: Kode[Fravaerstype]
    periode: Periode


class FravaerRegistrert(DeltakerEvent):
    type: Literal["FravaerRegistrert"] = "FravaerRegistrert"
    fravaer: Fravaer


class FravaerSlettet(DeltakerEvent):
    type: Literal["FravaerSlettet"] = "FravaerSlettet"
    fravaer_id: Id


class AvvisningRegistrert(DeltakerEvent):
    """The person rejected the programme (seed prop81L: «Avvisning», not a vedtak)."""

    type: Literal["AvvisningRegistrert"] = "AvvisningRegistrert"
    avvist_dato: Dato
