"""The tests' one vocabulary for building events: a `Deltaker` makes each event one person's facts give rise to, as
registrering, the regelmotor and the Folkeregister adapter publish them. One realistic example of every event (the
AsyncAPI documents' examples) is in shared/events/eksempler.py; both make their envelope with its `envelope`.

By default the Vennesla case of seed nir-brukerveiledning-avslutning-2023 §5: bosatt 01.09.2021, programstart
16.11.2021, sluttmål «Arbeid, person har ikke utdanning på videregående nivå», frist 15.11.2023, in Vennesla (4223).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID

from shared.events import avslutning as avslutningshendelser
from shared.events import deltaker as deltakerhendelser
from shared.events import folkeregister, klokke
from shared.events import vedtak as vedtakshendelser
from shared.events.avslutning import Tilbaketrekkingsgrunn
from shared.events.eksempler import envelope
from shared.events.envelope import DeltakerEvent, Periode
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype

T0 = datetime(2023, 11, 1, 9, 0, tzinfo=UTC)  # when the events are made, unless a test says otherwise
VENNESLA = "4223"
BOSATT = date(2021, 9, 1)
PROGRAMSTART = date(2021, 11, 16)
FRIST = date(2023, 11, 15)  # 24 months for «Arbeid, person har ikke utdanning på videregående nivå»
SAKSBEHANDLER = "4223-CES"


class Person(NamedTuple):
    """A person as registrering publishes it: the facts on the deltaker topic, the identity on its own topic."""

    person: deltakerhendelser.Personopplysninger
    identitet: deltakerhendelser.Identitet


def person(
    duf: str = "202100000001",
    fornavn: str = "Åse",
    etternavn: str = "Øvrebø",
    *,
    kommune: str = VENNESLA,
    bydel: str | None = None,
    lov: Lov = Lov.INTEGRERINGSLOVEN,
    kjonn: deltakerhendelser.Kjonn = deltakerhendelser.Kjonn.KVINNE,
    fodselsdato: date = date(1990, 6, 15),
    bosatt: date = BOSATT,
) -> Person:
    return Person(
        deltakerhendelser.Personopplysninger(
            kjonn=kjonn, lov=lov, bosettingsdato=bosatt, oppfolgingskommune=kommune, bydel=bydel
        ),
        deltakerhendelser.Identitet(duf_nummer=duf, fornavn=fornavn, etternavn=etternavn, fodselsdato=fodselsdato),
    )


class Deltaker:
    """One deltaker's events; each call makes a new event (a new event_id). An event is made at `t` when given,
    else `steg` after the one before, from `t0`: the order the test made them in."""

    def __init__(self, deltaker_id: UUID | None = None, *, t0: datetime = T0, steg: timedelta | None = None) -> None:
        self.deltaker_id = deltaker_id or uuid.uuid4()
        self.t0 = t0
        self.steg = steg or timedelta(microseconds=1)
        self.antall = 0

    def envelope(self, producer: str = "registrering", *, t: datetime | None = None) -> dict:
        self.antall += 1
        return envelope(producer, self.deltaker_id, tidspunkt=t or self.t0 + self.antall * self.steg)

    # registrering: the person

    def registrert(self, p: Person | None = None, *, t: datetime | None = None) -> deltakerhendelser.DeltakerRegistrert:
        return deltakerhendelser.DeltakerRegistrert(**self.envelope(t=t), person=(p or person()).person)

    def oppdatert(self, p: Person, *, t: datetime | None = None) -> deltakerhendelser.DeltakerOppdatert:
        return deltakerhendelser.DeltakerOppdatert(**self.envelope(t=t), person=p.person)

    def identitet(self, p: Person | None = None, *, t: datetime | None = None) -> deltakerhendelser.IdentitetFastsatt:
        return deltakerhendelser.IdentitetFastsatt(**self.envelope(t=t), identitet=(p or person()).identitet)

    def registrering(self, p: Person | None = None, *, t: datetime | None = None) -> list[DeltakerEvent]:
        """What registrering publishes for a new deltaker: DeltakerRegistrert and its IdentitetFastsatt."""
        return [self.registrert(p, t=t), self.identitet(p, t=t)]

    def oppdatering(self, p: Person, *, t: datetime | None = None) -> list[DeltakerEvent]:
        return [self.oppdatert(p, t=t), self.identitet(p, t=t)]

    def kategori(
        self, kategori: Kategori | None, fra: date, *, t: datetime | None = None
    ) -> deltakerhendelser.KategoriEndret:
        return deltakerhendelser.KategoriEndret(**self.envelope(t=t), kategori=kategori, gjelder_fra=fra)

    # registrering: vedtak, sluttmål, fravær, avvisning

    def vedtak(
        self,
        type: Vedtakstype = Vedtakstype.DELTAKELSE,
        fra: date = PROGRAMSTART,
        til: date | None = None,
        *,
        vedtaksdato: date | None = None,
        vedtak_id: UUID | None = None,
        resultat: Vedtaksresultat = Vedtaksresultat.VEDTAK_FATTET,
        t: datetime | None = None,
    ) -> vedtakshendelser.VedtakRegistrert:
        return vedtakshendelser.VedtakRegistrert(
            **self.envelope(t=t),
            vedtak=vedtakshendelser.Vedtak(
                vedtak_id=vedtak_id or uuid.uuid4(),
                vedtakstype=type,
                resultat=resultat,
                vedtaksdato=vedtaksdato or min(fra, date(2021, 10, 1)),
                periode=Periode(fra=fra, til=til),
            ),
        )

    def vedtak_slettet(self, vedtak_id: UUID, *, t: datetime | None = None) -> vedtakshendelser.VedtakSlettet:
        return vedtakshendelser.VedtakSlettet(**self.envelope(t=t), vedtak_id=vedtak_id)

    def sluttmal(
        self,
        sluttmal: Sluttmalkode = Sluttmalkode.ARBEID_HAR_IKKE_VGO,
        fastsatt: date = date(2021, 10, 1),
        *,
        t: datetime | None = None,
    ) -> vedtakshendelser.SluttmalRegistrert:
        return vedtakshendelser.SluttmalRegistrert(**self.envelope(t=t), sluttmal=sluttmal, fastsatt_dato=fastsatt)

    def fravaer(
        self,
        fra: date,
        til: date | None,
        type: Fravaerstype = Fravaerstype.GYLDIG,
        *,
        fravaer_id: UUID | None = None,
        t: datetime | None = None,
    ) -> vedtakshendelser.FravaerRegistrert:
        return vedtakshendelser.FravaerRegistrert(
            **self.envelope(t=t),
            fravaer=vedtakshendelser.Fravaer(
                fravaer_id=fravaer_id or uuid.uuid4(), fravaerstype=type, periode=Periode(fra=fra, til=til)
            ),
        )

    def fravaer_slettet(self, fravaer_id: UUID, *, t: datetime | None = None) -> vedtakshendelser.FravaerSlettet:
        return vedtakshendelser.FravaerSlettet(**self.envelope(t=t), fravaer_id=fravaer_id)

    def avvist(self, dato: date, *, t: datetime | None = None) -> vedtakshendelser.AvvisningRegistrert:
        return vedtakshendelser.AvvisningRegistrert(**self.envelope(t=t), avvist_dato=dato)

    # registrering: the kommune's avslutning

    def kommune_avslutning(
        self,
        dato: date = FRIST,
        arsak: Avslutningsarsakkode = Avslutningsarsakkode.ARBEID,
        *,
        avslutning_id: UUID | None = None,
        versjon: int = 1,
        av: str = SAKSBEHANDLER,
        kommune: str = VENNESLA,
        bydel: str | None = None,
        timer: Decimal | None = None,
        t: datetime | None = None,
    ) -> avslutningshendelser.AvslutningRegistrert | avslutningshendelser.AvslutningEndret:
        """Version 1 is AvslutningRegistrert, a later version AvslutningEndret; «Arbeid» has 30 timer a week
        unless `timer` says otherwise."""
        if arsak is Avslutningsarsakkode.ARBEID and timer is None:
            timer = Decimal("30.0")
        felles = self.envelope(t=t)
        avslutning = avslutningshendelser.Avslutning(
            avslutning_id=avslutning_id or uuid.uuid4(),
            versjon=versjon,
            avslutningstype=Avslutningstype.ORDINAER,
            arsak=arsak,
            avslutningsdato=dato,
            timer_arbeid_per_uke=timer,
            registrert_av=av,
            registrert_dato=felles["recorded_at"],
            oppfolgingskommune=kommune,
            bydel=bydel,
        )
        if versjon == 1:
            return avslutningshendelser.AvslutningRegistrert(**felles, avslutning=avslutning)
        return avslutningshendelser.AvslutningEndret(**felles, avslutning=avslutning)

    def kommune_avslutning_slettet(
        self, avslutning_id: UUID, versjon: int = 2, *, av: str = SAKSBEHANDLER, t: datetime | None = None
    ) -> avslutningshendelser.AvslutningSlettet:
        return avslutningshendelser.AvslutningSlettet(
            **self.envelope(t=t), avslutning_id=avslutning_id, versjon=versjon, slettet_av=av
        )

    # the regelmotor's computed avslutninger

    def beregnet_avslutning(
        self,
        arsak: Avslutningsarsakkode,
        dato: date,
        *,
        avslutning_id: UUID | None = None,
        kommune: str = VENNESLA,
        bydel: str | None = None,
        t: datetime | None = None,
    ) -> avslutningshendelser.BeregnetAvslutningOpprettet:
        felles = self.envelope("regelmotor", t=t)
        stans = arsak is Avslutningsarsakkode.VEDTAK_OM_PERMANENT_STANS
        return avslutningshendelser.BeregnetAvslutningOpprettet(
            **felles,
            avslutning_id=avslutning_id or uuid.uuid4(),
            avslutningstype=Avslutningstype.STANS if stans else Avslutningstype.ORDINAER,
            arsak=arsak,
            avslutningsdato=dato,
            oppfolgingskommune=kommune,
            bydel=bydel,
            grunnlag=avslutningshendelser.Regelgrunnlag(regel="test", datoer={"idag": felles["recorded_at"].date()}),
        )

    def beregnet_trukket(
        self,
        avslutning_id: UUID,
        arsak: Avslutningsarsakkode,
        grunn: Tilbaketrekkingsgrunn = Tilbaketrekkingsgrunn.KOMMUNE_AVSLUTNING,
        *,
        t: datetime | None = None,
    ) -> avslutningshendelser.BeregnetAvslutningTrukketTilbake:
        return avslutningshendelser.BeregnetAvslutningTrukketTilbake(
            **self.envelope("regelmotor", t=t),
            avslutning_id=avslutning_id,
            arsak=arsak,
            grunn=grunn,
            grunnlag=avslutningshendelser.Regelgrunnlag(regel="test"),
        )

    # the Folkeregister adapter

    def _folkeregister(self, hendelse_id: str | None, sekvens: int, t: datetime | None) -> dict:
        return dict(
            **self.envelope("folkeregister_adapter", t=t),
            hendelse_id=hendelse_id or f"fr-{uuid.uuid4().hex[:8]}",
            sekvensnummer=sekvens,
        )

    def dod(
        self, dato: date, *, hendelse_id: str | None = None, sekvens: int = 1, t: datetime | None = None
    ) -> folkeregister.DodsfallRegistrert:
        return folkeregister.DodsfallRegistrert(
            **self._folkeregister(hendelse_id, sekvens, t), dodsfall=folkeregister.Dodsfall(dodsdato=dato)
        )

    def dod_korrigert(
        self,
        korrigerer: str,
        dato: date,
        *,
        hendelse_id: str | None = None,
        sekvens: int = 2,
        t: datetime | None = None,
    ) -> folkeregister.DodsfallKorrigert:
        return folkeregister.DodsfallKorrigert(
            **self._folkeregister(hendelse_id, sekvens, t),
            korrigerer_hendelse_id=korrigerer,
            dodsfall=folkeregister.Dodsfall(dodsdato=dato),
        )

    def utvandret(
        self, dato: date, *, hendelse_id: str | None = None, sekvens: int = 1, t: datetime | None = None
    ) -> folkeregister.UtvandringRegistrert:
        return folkeregister.UtvandringRegistrert(
            **self._folkeregister(hendelse_id, sekvens, t), utvandring=folkeregister.Utvandring(utflyttingsdato=dato)
        )

    def flyttet(
        self,
        dato: date,
        til: str = "0301",
        fra: str | None = VENNESLA,
        *,
        hendelse_id: str | None = None,
        sekvens: int = 1,
        t: datetime | None = None,
    ) -> folkeregister.FlyttingRegistrert:
        return folkeregister.FlyttingRegistrert(
            **self._folkeregister(hendelse_id, sekvens, t),
            flytting=folkeregister.Flytting(til_kommunenummer=til, fra_kommunenummer=fra, flyttedato=dato),
        )

    def annullert(
        self,
        hendelse_id: str,
        art: folkeregister.Folkeregisterart = folkeregister.Folkeregisterart.DODSFALL,
        sekvens: int = 3,
        *,
        t: datetime | None = None,
    ) -> folkeregister.FolkeregisterhendelseAnnullert:
        return folkeregister.FolkeregisterhendelseAnnullert(
            **self._folkeregister(None, sekvens, t), annullerer_hendelse_id=hendelse_id, art=art
        )

    def program(self) -> list:
        """Vennesla: registered, in kategori, vedtak om program from 16.11.2021, sluttmål → frist 15.11.2023."""
        return [self.registrert(), self.kategori(Kategori.RETT_OG_PLIKT, BOSATT), self.vedtak(), self.sluttmal()]


def dogn(dato: date) -> klokke.DognPassert:
    """The regelmotor's tick for `dato`, with the id the clock gives it (one per day)."""
    t = datetime(dato.year, dato.month, dato.day, tzinfo=UTC)
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"dogn:{dato}")
    return klokke.DognPassert(
        event_id=ident, occurred_at=t, recorded_at=t, correlation_id=ident, producer="regelmotor", dato=dato
    )
