"""One realistic example of every contract event: the AsyncAPI documents show them
(services/plumbing/asyncapi.py), and the contract and integration tests use them.

Synthetic people only: the fødselsnummer is a well-known test number, the names are made up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from shared.events import avslutning as avslutningshendelser
from shared.events import deltaker, folkeregister, klokke
from shared.events import vedtak as vedtakshendelser
from shared.events.envelope import Event, Periode
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.utdanning import Utdanningsbakgrunn
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype

NOW = datetime(2023, 11, 16, 8, 30, tzinfo=UTC)
DELTAKER = UUID("0b6f2c1e-6a4f-4d7e-9a51-3f1c2b7d9e10")
FNR = "15076500565"  # a well-known synthetic test number with valid check digits


def envelope(
    producer: str = "registrering",
    deltaker_id: UUID = DELTAKER,
    ny_id: Callable[[], UUID] = uuid4,
    tidspunkt: datetime = NOW,
) -> dict[str, Any]:
    """The envelope fields of an event (shared/events/envelope.py): the one way the examples, the tests' event
    builders (tests/support/hendelser.py) and the harnesses make them."""
    return dict(
        event_id=ny_id(),
        occurred_at=tidspunkt,
        recorded_at=tidspunkt,
        correlation_id=ny_id(),
        producer=producer,
        deltaker_id=deltaker_id,
    )


PERSON = deltaker.Personopplysninger(
    kjonn=deltaker.Kjonn.KVINNE,
    lov=Lov.INTEGRERINGSLOVEN,
    bosettingsdato=date(2021, 9, 1),
    oppfolgingskommune="4223",
    bydel=None,
)
IDENTITET = deltaker.Identitet(
    duf_nummer="202312345678",
    fodselsnummer=FNR,
    fornavn="Amina",
    etternavn="Haddad",
    fodselsdato=date(1995, 3, 2),
)


def kommune_avslutning(
    deltaker_id: UUID = DELTAKER, ny_id: Callable[[], UUID] = uuid4
) -> avslutningshendelser.AvslutningRegistrert:
    return avslutningshendelser.AvslutningRegistrert(
        **envelope(deltaker_id=deltaker_id, ny_id=ny_id),
        avslutning=avslutningshendelser.Avslutning(
            avslutning_id=ny_id(),
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


def all_examples(ny_id: Callable[[], UUID] = uuid4) -> list[Event]:
    """One event of every type; `ny_id` makes every id in them (deterministic ones for a document)."""

    vedtak = vedtakshendelser.Vedtak(
        vedtak_id=ny_id(),
        vedtakstype=Vedtakstype.DELTAKELSE,
        resultat=Vedtaksresultat.VEDTAK_FATTET,
        vedtaksdato=date(2021, 10, 1),
        periode=Periode(fra=date(2021, 11, 15), til=date(2023, 11, 14)),
    )
    tiltak = vedtakshendelser.Tiltak(
        tiltak_id=ny_id(),
        tiltakskode="NORSKOPPLAERING",
        periode=Periode(fra=date(2021, 11, 15)),
        timer_per_uke=Decimal("22.5"),
    )
    grunnlag = avslutningshendelser.Regelgrunnlag(
        regel="gjennomføringsfrist utløpt",
        regelsti=("kommune-avslutning finnes ikke",),
        datoer={"gjennomforingsfrist": date(2023, 11, 15), "idag": date(2023, 11, 16)},
        kilde_event_ids=(ny_id(),),
    )
    fr: dict[str, Any] = dict(sekvensnummer=1042)
    return [
        deltaker.DeltakerRegistrert(**envelope(ny_id=ny_id), person=PERSON),
        deltaker.DeltakerOppdatert(**envelope(ny_id=ny_id), person=PERSON.model_copy(update={"bydel": None})),
        deltaker.IdentitetFastsatt(**envelope(ny_id=ny_id), identitet=IDENTITET, tidligere_fodselsnummer="55076500044"),
        deltaker.KategoriEndret(**envelope(ny_id=ny_id), kategori=Kategori.RETT_OG_PLIKT, gjelder_fra=date(2021, 9, 1)),
        deltaker.UtdanningsbakgrunnRegistrert(**envelope(ny_id=ny_id), utdanningsbakgrunn=Utdanningsbakgrunn.IKKE_VGO),
        vedtakshendelser.VedtakRegistrert(**envelope(ny_id=ny_id), vedtak=vedtak),
        vedtakshendelser.VedtakEndret(**envelope(ny_id=ny_id), vedtak=vedtak.model_copy(update={"gjeldende": False})),
        vedtakshendelser.VedtakSlettet(**envelope(ny_id=ny_id), vedtak_id=vedtak.vedtak_id),
        vedtakshendelser.SluttmalRegistrert(
            **envelope(ny_id=ny_id), sluttmal=Sluttmalkode.FULLFORE_VGO_UNDER_25, fastsatt_dato=date(2021, 10, 1)
        ),
        vedtakshendelser.TiltakRegistrert(**envelope(ny_id=ny_id), tiltak=tiltak),
        vedtakshendelser.TiltakEndret(**envelope(ny_id=ny_id), tiltak=tiltak.model_copy(update={"gjeldende": False})),
        vedtakshendelser.TiltakSlettet(**envelope(ny_id=ny_id), tiltak_id=tiltak.tiltak_id),
        vedtakshendelser.FravaerRegistrert(
            **envelope(ny_id=ny_id),
            fravaer=vedtakshendelser.Fravaer(
                fravaer_id=ny_id(),
                fravaerstype=Fravaerstype.GYLDIG,
                periode=Periode(fra=date(2022, 2, 1), til=date(2022, 2, 3)),
            ),
        ),
        vedtakshendelser.FravaerSlettet(**envelope(ny_id=ny_id), fravaer_id=ny_id()),
        vedtakshendelser.AvvisningRegistrert(**envelope(ny_id=ny_id), avvist_dato=date(2021, 10, 2)),
        kommune_avslutning(ny_id=ny_id),
        avslutningshendelser.AvslutningEndret(
            **envelope(ny_id=ny_id),
            avslutning=kommune_avslutning(ny_id=ny_id).avslutning.model_copy(update={"versjon": 2}),
        ),
        avslutningshendelser.AvslutningSlettet(
            **envelope(ny_id=ny_id), avslutning_id=ny_id(), versjon=3, slettet_av="4223-CES"
        ),
        avslutningshendelser.BeregnetAvslutningOpprettet(
            **envelope("regelmotor", ny_id=ny_id),
            avslutning_id=ny_id(),
            avslutningstype=Avslutningstype.ORDINAER,
            arsak=Avslutningsarsakkode.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
            avslutningsdato=date(2023, 11, 15),
            oppfolgingskommune="4223",
            grunnlag=grunnlag,
        ),
        avslutningshendelser.BeregnetAvslutningTrukketTilbake(
            **envelope("regelmotor", ny_id=ny_id),
            avslutning_id=ny_id(),
            arsak=Avslutningsarsakkode.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
            grunn=avslutningshendelser.Tilbaketrekkingsgrunn.KOMMUNE_AVSLUTNING,
            grunnlag=grunnlag,
        ),
        folkeregister.FlyttingRegistrert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-1",
            **fr,
            flytting=folkeregister.Flytting(
                til_kommunenummer="0301", fra_kommunenummer="4223", flyttedato=date(2022, 5, 1)
            ),
        ),
        folkeregister.FlyttingKorrigert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-2",
            korrigerer_hendelse_id="fr-1",
            **fr,
            flytting=folkeregister.Flytting(til_kommunenummer="0301", flyttedato=date(2022, 5, 2)),
        ),
        folkeregister.UtvandringRegistrert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-3",
            **fr,
            utvandring=folkeregister.Utvandring(utflyttingsdato=date(2023, 4, 28), tilflyttingsland="SWE"),
        ),
        folkeregister.UtvandringKorrigert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-4",
            korrigerer_hendelse_id="fr-3",
            **fr,
            utvandring=folkeregister.Utvandring(utflyttingsdato=date(2023, 4, 29)),
        ),
        folkeregister.DodsfallRegistrert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-5",
            **fr,
            dodsfall=folkeregister.Dodsfall(dodsdato=date(2023, 1, 3)),
        ),
        folkeregister.DodsfallKorrigert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-6",
            korrigerer_hendelse_id="fr-5",
            **fr,
            dodsfall=folkeregister.Dodsfall(dodsdato=date(2023, 1, 4)),
        ),
        folkeregister.FolkeregisterhendelseAnnullert(
            **envelope("folkeregister_adapter", ny_id=ny_id),
            hendelse_id="fr-7",
            annullerer_hendelse_id="fr-5",
            art=folkeregister.Folkeregisterart.DODSFALL,
            **fr,
        ),
        klokke.DognPassert(
            event_id=ny_id(),
            occurred_at=NOW,
            recorded_at=NOW,
            correlation_id=ny_id(),
            producer="regelmotor",
            dato=date(2023, 11, 16),
        ),
    ]
