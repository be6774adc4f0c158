"""One realistic example of every contract event (used by contract and integration tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.events import avslutning as a
from shared.events import deltaker as d
from shared.events import folkeregister as f
from shared.events import klokke as k
from shared.events import vedtak as v
from shared.events.envelope import Event, Periode
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.utdanning import Utdanningsbakgrunn
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype

NOW = datetime(2023, 11, 16, 8, 30, tzinfo=UTC)
DELTAKER = UUID("0b6f2c1e-6a4f-4d7e-9a51-3f1c2b7d9e10")
FNR = "15076500565"  # a well-known synthetic test number with valid check digits


def envelope(producer: str = "registrering", deltaker_id: UUID = DELTAKER) -> dict[str, Any]:
    return dict(occurred_at=NOW, recorded_at=NOW, correlation_id=uuid4(), producer=producer, deltaker_id=deltaker_id)


PERSON = d.Personopplysninger(
    duf_nummer="202312345678",
    fodselsnummer=FNR,
    fornavn="Amina",
    etternavn="Haddad",
    kjonn=d.Kjonn.KVINNE,
    fodselsdato=date(1995, 3, 2),
    lov=Lov.INTEGRERINGSLOVEN,
    bosettingsdato=date(2021, 9, 1),
    oppfolgingskommune="4223",
    bydel=None,
)


def kommune_avslutning(deltaker_id: UUID = DELTAKER) -> a.AvslutningRegistrert:
    return a.AvslutningRegistrert(
        **envelope(deltaker_id=deltaker_id),
        avslutning=a.Avslutning(
            avslutning_id=uuid4(),
            versjon=1,
            avslutningstype=Avslutningstype.ORDINAER,
            arsak=Avslutningsarsakkode.ARBEID,
            avslutningsdato=date(2023, 11, 15),
            timer_arbeid_per_uke=Decimal("30.0"),
            registrert_av="4223-CES",
            registrert_dato=NOW,
            oppfolgingskommune="4223",
        ),
    )


def all_examples() -> list[Event]:
    vedtak = v.Vedtak(
        vedtak_id=uuid4(),
        vedtakstype=Vedtakstype.DELTAKELSE,
        resultat=Vedtaksresultat.VEDTAK_FATTET,
        vedtaksdato=date(2021, 10, 1),
        periode=Periode(fra=date(2021, 11, 15), til=date(2023, 11, 14)),
    )
    tiltak = v.Tiltak(
        tiltak_id=uuid4(),
        tiltakskode="NORSKOPPLAERING",
        periode=Periode(fra=date(2021, 11, 15)),
        timer_per_uke=Decimal("22.5"),
    )
    grunnlag = a.Regelgrunnlag(
        regel="gjennomføringsfrist utløpt",
        regelsti=("kommune-avslutning finnes ikke",),
        datoer={"gjennomforingsfrist": date(2023, 11, 15), "idag": date(2023, 11, 16)},
        kilde_event_ids=(uuid4(),),
    )
    fr: dict[str, Any] = dict(sekvensnummer=1042)
    return [
        d.DeltakerRegistrert(**envelope(), person=PERSON),
        d.DeltakerOppdatert(**envelope(), person=PERSON.model_copy(update={"bydel": None})),
        d.IdentitetEndret(**envelope(), fodselsnummer=FNR, tidligere_fodselsnummer=None),
        d.KategoriEndret(**envelope(), kategori=Kategori.RETT_OG_PLIKT, gjelder_fra=date(2021, 9, 1)),
        d.UtdanningsbakgrunnRegistrert(**envelope(), utdanningsbakgrunn=Utdanningsbakgrunn.IKKE_VGO),
        v.VedtakRegistrert(**envelope(), vedtak=vedtak),
        v.VedtakEndret(**envelope(), vedtak=vedtak.model_copy(update={"gjeldende": False})),
        v.VedtakSlettet(**envelope(), vedtak_id=vedtak.vedtak_id),
        v.SluttmalRegistrert(
            **envelope(), sluttmal=Sluttmalkode.FULLFORE_VGO_UNDER_25, fastsatt_dato=date(2021, 10, 1)
        ),
        v.TiltakRegistrert(**envelope(), tiltak=tiltak),
        v.TiltakEndret(**envelope(), tiltak=tiltak.model_copy(update={"gjeldende": False})),
        v.FravaerRegistrert(
            **envelope(),
            fravaer=v.Fravaer(
                fravaer_id=uuid4(),
                fravaerstype=Fravaerstype.GYLDIG,
                periode=Periode(fra=date(2022, 2, 1), til=date(2022, 2, 3)),
            ),
        ),
        v.FravaerSlettet(**envelope(), fravaer_id=uuid4()),
        v.AvvisningRegistrert(**envelope(), avvist_dato=date(2021, 10, 2)),
        kommune_avslutning(),
        a.AvslutningEndret(**envelope(), avslutning=kommune_avslutning().avslutning.model_copy(update={"versjon": 2})),
        a.AvslutningSlettet(**envelope(), avslutning_id=uuid4(), versjon=3, slettet_av="4223-CES"),
        a.BeregnetAvslutningOpprettet(
            **envelope("regelmotor"),
            avslutning_id=uuid4(),
            avslutningstype=Avslutningstype.ORDINAER,
            arsak=Avslutningsarsakkode.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
            avslutningsdato=date(2023, 11, 15),
            oppfolgingskommune="4223",
            grunnlag=grunnlag,
        ),
        a.BeregnetAvslutningTrukketTilbake(
            **envelope("regelmotor"),
            avslutning_id=uuid4(),
            arsak=Avslutningsarsakkode.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
            grunn=a.Tilbaketrekkingsgrunn.KOMMUNE_AVSLUTNING,
            grunnlag=grunnlag,
        ),
        f.FlyttingRegistrert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-1",
            **fr,
            flytting=f.Flytting(til_kommunenummer="0301", fra_kommunenummer="4223", flyttedato=date(2022, 5, 1)),
        ),
        f.FlyttingKorrigert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-2",
            korrigerer_hendelse_id="fr-1",
            **fr,
            flytting=f.Flytting(til_kommunenummer="0301", flyttedato=date(2022, 5, 2)),
        ),
        f.UtvandringRegistrert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-3",
            **fr,
            utvandring=f.Utvandring(utflyttingsdato=date(2023, 4, 28), tilflyttingsland="SWE"),
        ),
        f.UtvandringKorrigert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-4",
            korrigerer_hendelse_id="fr-3",
            **fr,
            utvandring=f.Utvandring(utflyttingsdato=date(2023, 4, 29)),
        ),
        f.DodsfallRegistrert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-5",
            **fr,
            dodsfall=f.Dodsfall(dodsdato=date(2023, 1, 3)),
        ),
        f.DodsfallKorrigert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-6",
            korrigerer_hendelse_id="fr-5",
            **fr,
            dodsfall=f.Dodsfall(dodsdato=date(2023, 1, 4)),
        ),
        f.FolkeregisterhendelseAnnullert(
            **envelope("folkeregister_adapter"),
            hendelse_id="fr-7",
            annullerer_hendelse_id="fr-5",
            art=f.Folkeregisterart.DOD,
            **fr,
        ),
        k.DognPassert(
            occurred_at=NOW, recorded_at=NOW, correlation_id=uuid4(), producer="regelmotor", dato=date(2023, 11, 16)
        ),
    ]
