"""Builders of input events for the regelmotor's tests (and bench): the Vennesla case of seed
nir-brukerveiledning-avslutning-2023 §5 by default (frist 15.11.2023, oppfølgingskommune Vennesla 4223)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from services.regelmotor.domain import anvend, differanse
from services.regelmotor.domain.differanse import Utgaende
from services.regelmotor.domain.tilstand import Tilstand
from shared.events import avslutning as avslutningshendelser
from shared.events import deltaker as deltakerhendelser
from shared.events import folkeregister, klokke
from shared.events import vedtak as vedtakshendelser
from shared.events.eksempler import envelope
from shared.events.envelope import Periode
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype

T0 = datetime(2021, 10, 1, 8, 0, tzinfo=UTC)
VENNESLA = "4223"
PROGRAMSTART = date(2021, 11, 16)
FRIST = date(2023, 11, 15)  # 24 months for «Arbeid, person har ikke utdanning på videregående nivå»
BOSATT = date(2021, 9, 1)


class Fakta:
    """Events for one deltaker; each call makes a new event (new event_id)."""

    def __init__(self, deltaker_id: UUID | None = None) -> None:
        self.deltaker_id = deltaker_id or uuid.uuid4()
        self.n = 0

    def _env(self, producer: str = "registrering") -> dict:
        self.n += 1  # a microsecond apart: the order the events were made in
        return envelope(producer, self.deltaker_id, tidspunkt=T0.replace(microsecond=self.n))

    def registrert(
        self, *, lov: Lov = Lov.INTEGRERINGSLOVEN, bosatt: date = BOSATT, kommune: str = VENNESLA
    ) -> deltakerhendelser.DeltakerRegistrert:
        return deltakerhendelser.DeltakerRegistrert(
            **self._env(),
            person=deltakerhendelser.Personopplysninger(
                kjonn=deltakerhendelser.Kjonn.KVINNE,
                lov=lov,
                bosettingsdato=bosatt,
                oppfolgingskommune=kommune,
            ),
        )

    def kategori(self, kategori: Kategori | None, fra: date) -> deltakerhendelser.KategoriEndret:
        return deltakerhendelser.KategoriEndret(**self._env(), kategori=kategori, gjelder_fra=fra)

    def vedtak(
        self,
        type: Vedtakstype = Vedtakstype.DELTAKELSE,
        fra: date = PROGRAMSTART,
        til: date | None = None,
        *,
        vedtaksdato: date | None = None,
        vedtak_id: UUID | None = None,
        resultat: Vedtaksresultat = Vedtaksresultat.VEDTAK_FATTET,
    ) -> vedtakshendelser.VedtakRegistrert:
        return vedtakshendelser.VedtakRegistrert(
            **self._env(),
            vedtak=vedtakshendelser.Vedtak(
                vedtak_id=vedtak_id or uuid.uuid4(),
                vedtakstype=type,
                resultat=resultat,
                vedtaksdato=vedtaksdato or min(fra, date(2021, 10, 1)),
                periode=Periode(fra=fra, til=til),
            ),
        )

    def vedtak_slettet(self, vedtak_id: UUID) -> vedtakshendelser.VedtakSlettet:
        return vedtakshendelser.VedtakSlettet(**self._env(), vedtak_id=vedtak_id)

    def sluttmal(
        self, sluttmal: Sluttmalkode = Sluttmalkode.ARBEID_HAR_IKKE_VGO, fastsatt: date = date(2021, 10, 1)
    ) -> vedtakshendelser.SluttmalRegistrert:
        return vedtakshendelser.SluttmalRegistrert(**self._env(), sluttmal=sluttmal, fastsatt_dato=fastsatt)

    def fravaer(
        self, fra: date, til: date, type: Fravaerstype = Fravaerstype.GYLDIG
    ) -> vedtakshendelser.FravaerRegistrert:
        return vedtakshendelser.FravaerRegistrert(
            **self._env(),
            fravaer=vedtakshendelser.Fravaer(
                fravaer_id=uuid.uuid4(), fravaerstype=type, periode=Periode(fra=fra, til=til)
            ),
        )

    def avvist(self, dato: date) -> vedtakshendelser.AvvisningRegistrert:
        return vedtakshendelser.AvvisningRegistrert(**self._env(), avvist_dato=dato)

    def kommune_avslutning(
        self, dato: date = FRIST, *, avslutning_id: UUID | None = None, versjon: int = 1
    ) -> avslutningshendelser.AvslutningRegistrert:
        return avslutningshendelser.AvslutningRegistrert(
            **self._env(),
            avslutning=avslutningshendelser.Avslutning(
                avslutning_id=avslutning_id or uuid.uuid4(),
                versjon=versjon,
                avslutningstype=Avslutningstype.ORDINAER,
                arsak=Avslutningsarsakkode.ARBEID,
                avslutningsdato=dato,
                timer_arbeid_per_uke=Decimal("30.0"),
                registrert_av="4223-CES",
                registrert_dato=T0,
                oppfolgingskommune=VENNESLA,
            ),
        )

    def kommune_avslutning_slettet(
        self, avslutning_id: UUID, versjon: int = 2
    ) -> avslutningshendelser.AvslutningSlettet:
        return avslutningshendelser.AvslutningSlettet(
            **self._env(), avslutning_id=avslutning_id, versjon=versjon, slettet_av="4223-CES"
        )

    def _fr(self, hendelse_id: str | None, sekvens: int) -> dict:
        return dict(
            **self._env("folkeregister_adapter"),
            hendelse_id=hendelse_id or f"fr-{uuid.uuid4().hex[:8]}",
            sekvensnummer=sekvens,
        )

    def dod(self, dato: date, *, hendelse_id: str | None = None, sekvens: int = 1) -> folkeregister.DodsfallRegistrert:
        return folkeregister.DodsfallRegistrert(
            **self._fr(hendelse_id, sekvens), dodsfall=folkeregister.Dodsfall(dodsdato=dato)
        )

    def dod_korrigert(
        self, korrigerer: str, dato: date, *, hendelse_id: str | None = None, sekvens: int = 2
    ) -> folkeregister.DodsfallKorrigert:
        return folkeregister.DodsfallKorrigert(
            **self._fr(hendelse_id, sekvens),
            korrigerer_hendelse_id=korrigerer,
            dodsfall=folkeregister.Dodsfall(dodsdato=dato),
        )

    def utvandret(
        self, dato: date, *, hendelse_id: str | None = None, sekvens: int = 1
    ) -> folkeregister.UtvandringRegistrert:
        return folkeregister.UtvandringRegistrert(
            **self._fr(hendelse_id, sekvens), utvandring=folkeregister.Utvandring(utflyttingsdato=dato)
        )

    def flyttet(
        self,
        dato: date,
        til: str = "0301",
        fra: str | None = VENNESLA,
        *,
        hendelse_id: str | None = None,
        sekvens: int = 1,
    ) -> folkeregister.FlyttingRegistrert:
        return folkeregister.FlyttingRegistrert(
            **self._fr(hendelse_id, sekvens),
            flytting=folkeregister.Flytting(til_kommunenummer=til, fra_kommunenummer=fra, flyttedato=dato),
        )

    def annullert(
        self,
        hendelse_id: str,
        art: folkeregister.Folkeregisterart = folkeregister.Folkeregisterart.DODSFALL,
        sekvens: int = 3,
    ) -> folkeregister.FolkeregisterhendelseAnnullert:
        return folkeregister.FolkeregisterhendelseAnnullert(
            **self._fr(None, sekvens), annullerer_hendelse_id=hendelse_id, art=art
        )

    def program(self) -> list:
        """Vennesla: registered, in kategori, vedtak om program from 16.11.2021, sluttmål → frist 15.11.2023."""
        return [self.registrert(), self.kategori(Kategori.RETT_OG_PLIKT, BOSATT), self.vedtak(), self.sluttmal()]


def dogn(dato: date) -> klokke.DognPassert:
    t = datetime(dato.year, dato.month, dato.day, tzinfo=UTC)
    return klokke.DognPassert(
        event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"dogn:{dato}"),
        occurred_at=t,
        recorded_at=t,
        correlation_id=uuid.uuid5(uuid.NAMESPACE_URL, f"dogn:{dato}"),
        producer="regelmotor",
        dato=dato,
    )


def kjor(events, t: Tilstand | None = None, deltaker_id: UUID | None = None) -> tuple[Tilstand, list]:
    """anvend → differanse one event at a time, as the service does (from `t`, or a new deltaker's empty
    state); returns (state, output)."""
    if t is None:
        assert deltaker_id is not None, "a new deltaker's state needs its id"
        t = Tilstand.ny(deltaker_id)
    ut: list[Utgaende] = []
    for e in events:
        r = differanse(anvend(t, e), e)
        t = r.tilstand
        ut.extend(r.hendelser)
    return t, ut
