"""Building the events registrering publishes: one envelope per request (its correlation id, its time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import asyncpg

from services.registrering.domain.modell import Avslutningsversjon
from shared.events import avslutning as avslutningshendelser
from shared.events import vedtak as vedtakshendelser
from shared.events.envelope import Periode

PRODUCER = "registrering"
NORGE = ZoneInfo("Europe/Oslo")  # «today» for the date rules is the day in Norway, not in UTC


@dataclass(frozen=True)
class Kontekst:
    """Who asks, and when: registrert_av is the token's sub, registrert_dato is `naa`."""

    brukerident: str
    naa: datetime
    correlation_id: UUID

    @classmethod
    def ny(cls, brukerident: str, correlation_id: UUID | None = None) -> Kontekst:
        return cls(brukerident=brukerident, naa=datetime.now(UTC), correlation_id=correlation_id or uuid4())

    @property
    def idag(self) -> date:
        return self.naa.astimezone(NORGE).date()

    def envelope(self, deltaker_id: UUID) -> dict:
        return dict(
            occurred_at=self.naa,
            recorded_at=self.naa,
            correlation_id=self.correlation_id,
            producer=PRODUCER,
            deltaker_id=deltaker_id,
        )


def vedtak(r: asyncpg.Record) -> vedtakshendelser.Vedtak:
    return vedtakshendelser.Vedtak(
        vedtak_id=r["vedtak_id"],
        vedtakstype=r["vedtakstype"],
        resultat=r["resultat"],
        vedtaksdato=r["vedtaksdato"],
        periode=Periode(fra=r["fra"], til=r["til"]),
        gjeldende=r["gjeldende"],
    )


def tiltak(r: asyncpg.Record) -> vedtakshendelser.Tiltak:
    return vedtakshendelser.Tiltak(
        tiltak_id=r["tiltak_id"],
        tiltakskode=r["tiltakskode"],
        periode=Periode(fra=r["fra"], til=r["til"]),
        timer_per_uke=r["timer_per_uke"],
        gjeldende=r["gjeldende"],
    )


def avslutning(versjon: Avslutningsversjon) -> avslutningshendelser.Avslutning:
    return avslutningshendelser.Avslutning(
        avslutning_id=versjon.avslutning_id,
        versjon=versjon.versjon,
        avslutningstype=versjon.avslutningstype,
        arsak=versjon.arsak,
        avslutningsdato=versjon.avslutningsdato,
        timer_arbeid_per_uke=versjon.timer_arbeid_per_uke,
        registrert_av=versjon.registrert_av,
        registrert_dato=versjon.registrert_dato,
        oppfolgingskommune=versjon.oppfolgingskommune,
        bydel=versjon.bydel,
    )
