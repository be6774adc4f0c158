"""Events as registrering and the regelmotor publish them, small and explicit, for the rapport tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from uuid import UUID, uuid4

from shared.events import avslutning as avslutningshendelser
from shared.events import deltaker as deltakerhendelser
from shared.events import vedtak as vedtakshendelser
from shared.events.eksempler import envelope
from shared.events.envelope import DeltakerEvent, Periode
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.avslutningsarsaker import Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype

T0 = datetime(2023, 11, 1, 9, 0, tzinfo=UTC)


def env(deltaker_id: UUID, t: datetime, producer: str = "registrering") -> dict:
    return envelope(producer, deltaker_id, tidspunkt=t)


class Person(NamedTuple):
    """A person as registrering publishes it: the facts on the deltaker topic, the identities on their own."""

    person: deltakerhendelser.Personopplysninger
    identitet: deltakerhendelser.Identitet


def person(
    duf: str,
    fornavn: str = "Åse",
    etternavn: str = "Øvrebø",
    *,
    kommune: str = "4223",
    bydel: str | None = None,
    lov: Lov = Lov.INTEGRERINGSLOVEN,
    kjonn: deltakerhendelser.Kjonn = deltakerhendelser.Kjonn.KVINNE,
    fodselsdato: date = date(1990, 6, 15),
) -> Person:
    return Person(
        deltakerhendelser.Personopplysninger(
            kjonn=kjonn, lov=lov, bosettingsdato=date(2021, 9, 1), oppfolgingskommune=kommune, bydel=bydel
        ),
        deltakerhendelser.Identitet(duf_nummer=duf, fornavn=fornavn, etternavn=etternavn, fodselsdato=fodselsdato),
    )


def registrert(did: UUID, p: Person, t: datetime = T0) -> deltakerhendelser.DeltakerRegistrert:
    return deltakerhendelser.DeltakerRegistrert(**env(did, t), person=p.person)


def oppdatert(did: UUID, p: Person, t: datetime) -> deltakerhendelser.DeltakerOppdatert:
    return deltakerhendelser.DeltakerOppdatert(**env(did, t), person=p.person)


def identitet(did: UUID, p: Person, t: datetime = T0) -> deltakerhendelser.IdentitetFastsatt:
    return deltakerhendelser.IdentitetFastsatt(**env(did, t), identitet=p.identitet)


def registrering(did: UUID, p: Person, t: datetime = T0) -> list[DeltakerEvent]:
    """What registrering publishes for a new deltaker: DeltakerRegistrert and its IdentitetFastsatt."""
    return [registrert(did, p, t), identitet(did, p, t)]


def oppdatering(did: UUID, p: Person, t: datetime) -> list[DeltakerEvent]:
    return [oppdatert(did, p, t), identitet(did, p, t)]


def kategori(did: UUID, k: Kategori | None, fra: date, t: datetime = T0) -> deltakerhendelser.KategoriEndret:
    return deltakerhendelser.KategoriEndret(**env(did, t), kategori=k, gjelder_fra=fra)


def deltakelse(did: UUID, start: date, t: datetime = T0, vid: UUID | None = None) -> vedtakshendelser.VedtakRegistrert:
    return vedtakshendelser.VedtakRegistrert(
        **env(did, t),
        vedtak=vedtakshendelser.Vedtak(
            vedtak_id=vid or uuid4(),
            vedtakstype=Vedtakstype.DELTAKELSE,
            resultat=Vedtaksresultat.VEDTAK_FATTET,
            vedtaksdato=start - timedelta(days=10),
            periode=Periode(fra=start, til=start + timedelta(days=700)),
        ),
    )


def permisjon(did: UUID, fra: date, til: date, t: datetime = T0) -> vedtakshendelser.VedtakRegistrert:
    return vedtakshendelser.VedtakRegistrert(
        **env(did, t),
        vedtak=vedtakshendelser.Vedtak(
            vedtak_id=uuid4(),
            vedtakstype=Vedtakstype.PERMISJON,
            resultat=Vedtaksresultat.VEDTAK_FATTET,
            vedtaksdato=fra,
            periode=Periode(fra=fra, til=til),
        ),
    )


def gyldig_fravaer(did: UUID, fra: date, til: date, t: datetime = T0) -> vedtakshendelser.FravaerRegistrert:
    return vedtakshendelser.FravaerRegistrert(
        **env(did, t),
        fravaer=vedtakshendelser.Fravaer(
            fravaer_id=uuid4(), fravaerstype=Fravaerstype.GYLDIG, periode=Periode(fra=fra, til=til)
        ),
    )


def sluttmal(did: UUID, s: Sluttmalkode, fastsatt: date, t: datetime = T0) -> vedtakshendelser.SluttmalRegistrert:
    return vedtakshendelser.SluttmalRegistrert(**env(did, t), sluttmal=s, fastsatt_dato=fastsatt)


def kommune_avslutning(
    did: UUID,
    arsak: Kode,
    dato: date,
    t: datetime,
    *,
    aid: UUID | None = None,
    versjon: int = 1,
    av: str = "4223-CES",
    kommune: str = "4223",
    bydel: str | None = None,
    timer: Decimal | None = None,
) -> avslutningshendelser.AvslutningRegistrert | avslutningshendelser.AvslutningEndret:
    if arsak is Kode.ARBEID and timer is None:
        timer = Decimal("30.0")
    cls = avslutningshendelser.AvslutningRegistrert if versjon == 1 else avslutningshendelser.AvslutningEndret
    return cls(
        **env(did, t),
        avslutning=avslutningshendelser.Avslutning(
            avslutning_id=aid or uuid4(),
            versjon=versjon,
            avslutningstype=Avslutningstype.ORDINAER,
            arsak=arsak,
            avslutningsdato=dato,
            timer_arbeid_per_uke=timer,
            registrert_av=av,
            registrert_dato=t,
            oppfolgingskommune=kommune,
            bydel=bydel,
        ),
    )


def slettet(
    did: UUID, aid: UUID, versjon: int, t: datetime, av: str = "4223-CES"
) -> avslutningshendelser.AvslutningSlettet:
    return avslutningshendelser.AvslutningSlettet(**env(did, t), avslutning_id=aid, versjon=versjon, slettet_av=av)


def beregnet(
    did: UUID,
    arsak: Kode,
    dato: date,
    t: datetime,
    *,
    aid: UUID | None = None,
    kommune: str = "4223",
    bydel: str | None = None,
) -> avslutningshendelser.BeregnetAvslutningOpprettet:
    typ = Avslutningstype.STANS if arsak is Kode.VEDTAK_OM_PERMANENT_STANS else Avslutningstype.ORDINAER
    return avslutningshendelser.BeregnetAvslutningOpprettet(
        **env(did, t, "regelmotor"),
        avslutning_id=aid or uuid4(),
        avslutningstype=typ,
        arsak=arsak,
        avslutningsdato=dato,
        oppfolgingskommune=kommune,
        bydel=bydel,
        grunnlag=avslutningshendelser.Regelgrunnlag(regel="test", datoer={"idag": t.date()}),
    )


def trukket(
    did: UUID,
    aid: UUID,
    arsak: Kode,
    t: datetime,
    grunn: avslutningshendelser.Tilbaketrekkingsgrunn = avslutningshendelser.Tilbaketrekkingsgrunn.KOMMUNE_AVSLUTNING,
) -> avslutningshendelser.BeregnetAvslutningTrukketTilbake:
    return avslutningshendelser.BeregnetAvslutningTrukketTilbake(
        **env(did, t, "regelmotor"),
        avslutning_id=aid,
        arsak=arsak,
        grunn=grunn,
        grunnlag=avslutningshendelser.Regelgrunnlag(regel="test"),
    )


def kommunens_avsluttede(
    kommune: str,
    antall: int,
    fornavn: str,
    etternavn: str,
    *,
    regelmotorens: int,
    regelmotorens_dato: date,
    arsak: Kode,
    bruker: str,
) -> list[tuple[UUID, list]]:
    """A kommune's `antall` ended persons «<etternavn>NN» (DUF-nummer <kommune><NN padded>): the one numbered
    `regelmotorens` ended by the regelmotor («ikke registrert») on `regelmotorens_dato`, the others by the
    kommune with `arsak`, on 01.01.2023 + their number of days. Returns each person's id and events."""
    personer = []
    for i in range(antall):
        did = uuid4()
        evs: list = [*registrering(did, person(f"{kommune}{i:08d}", fornavn, f"{etternavn}{i:02d}", kommune=kommune))]
        if i == regelmotorens:
            evs.append(beregnet(did, Kode.AVSLUTNINGSARSAK_IKKE_REGISTRERT, regelmotorens_dato, T0, kommune=kommune))
        else:
            evs.append(
                kommune_avslutning(did, arsak, date(2023, 1, 1) + timedelta(days=i), T0, av=bruker, kommune=kommune)
            )
        personer.append((did, evs))
    return personer


def forlengelse(did: UUID, fra: date, til: date, t: datetime = T0) -> vedtakshendelser.VedtakRegistrert:
    return vedtakshendelser.VedtakRegistrert(
        **env(did, t),
        vedtak=vedtakshendelser.Vedtak(
            vedtak_id=uuid4(),
            vedtakstype=Vedtakstype.FORLENGELSE,
            resultat=Vedtaksresultat.VEDTAK_FATTET,
            vedtaksdato=fra,
            periode=Periode(fra=fra, til=til),
        ),
    )
