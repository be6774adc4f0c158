"""The eight rules of DOMAIN.md §5 as pure functions, table-driven (seed nir-brukerveiledning-avslutning-2023
§1, §5, §12). Each case: the facts, the clock, and the one computed avslutning (or none) expected."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.regelmotor.domain import Tilstand, anvend, frister, utled
from services.regelmotor.domain.regler import REGLER, avslutning_id
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as K
from shared.kodeverk.avslutningsarsaker import Avslutningstype
from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Vedtaksresultat, Vedtakstype
from tests.support.hendelser import BOSATT, FRIST, PROGRAMSTART, Deltaker, dogn, person

OPPSTARTSFRIST = date(2023, 8, 31)  # bosatt 01.09.2021 + 2 years − 1 day (varighet.yaml, an assumption)


def tilstand(deltaker: Deltaker, events) -> Tilstand:
    t = Tilstand.ny(deltaker.deltaker_id)
    for e in events:
        t = anvend(t, e)
    return t


def ett(t: Tilstand):
    onsket = utled(t).onsket
    return None if not onsket else (onsket[0].arsak, onsket[0].avslutningsdato, onsket[0].avslutningstype)


def _p(f: Deltaker):
    return f.program()


CASES = [
    # --- «Avslutningsårsak ikke registrert» (seed §1, §5: Vennesla, 15.11.2023)
    (
        "§5 frist passert: ikke registrert, datert fristen",
        lambda f: _p(f) + [dogn(FRIST + timedelta(days=1))],
        (K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST),
    ),
    ("§5 på fristdagen er fristen ikke passert", lambda f: _p(f) + [dogn(FRIST)], None),
    ("§5 uten klokke beregnes ingenting", lambda f: _p(f), None),
    (
        "§6 gyldig fravær flytter fristen (3 dager)",
        lambda f: _p(f) + [f.fravaer(date(2022, 2, 1), date(2022, 2, 3)), dogn(FRIST + timedelta(days=1))],
        None,
    ),
    (
        "§6 permisjon flytter fristen, og når den er passert dateres avslutningen ny frist",
        lambda f: (
            _p(f)
            + [f.vedtak(Vedtakstype.PERMISJON, date(2022, 3, 1), date(2022, 3, 10)), dogn(FRIST + timedelta(days=11))]
        ),
        (K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST + timedelta(days=10)),
    ),
    (
        "§5 kommunens avslutning i kraft: ingen beregnet",
        lambda f: _p(f) + [f.kommune_avslutning(), dogn(FRIST + timedelta(days=1))],
        None,
    ),
    (
        "§5 vedtak som ikke er fattet starter ikke program",
        lambda f: [
            f.registrert(),
            f.vedtak(resultat=Vedtaksresultat.OPPHEVET),
            f.sluttmal(),
            dogn(FRIST + timedelta(days=1)),
        ],
        (K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST),
    ),
    # --- «Utgått oppstartsfrist» (seed §12)
    (
        "§12 oppstartsfrist passert uten vedtak og sluttmål",
        lambda f: [f.registrert(), dogn(OPPSTARTSFRIST + timedelta(days=1))],
        (K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST),
    ),
    (
        "§12 oppstartsfrist passert med vedtak men uten sluttmål (integreringsloven)",
        lambda f: [f.registrert(), f.vedtak(), dogn(OPPSTARTSFRIST + timedelta(days=1))],
        (K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST),
    ),
    (
        "§12 introduksjonsloven trenger ikke sluttmål",
        lambda f: [
            f.registrert(person(lov=Lov.INTRODUKSJONSLOVEN)),
            f.vedtak(),
            dogn(OPPSTARTSFRIST + timedelta(days=1)),
        ],
        None,
    ),
    (
        "§12 vedtak fattet etter oppstartsfristen teller ikke",
        lambda f: [
            f.registrert(),
            f.vedtak(fra=date(2023, 10, 1), vedtaksdato=date(2023, 9, 15)),
            f.sluttmal(fastsatt=date(2023, 9, 15)),
            dogn(OPPSTARTSFRIST + timedelta(days=1)),
        ],
        (K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST),
    ),
    ("§12 oppstartsfristen ikke passert", lambda f: [f.registrert(), dogn(OPPSTARTSFRIST)], None),
    # --- «Ikke lenger i kategori» (seed §12)
    (
        "§12 kategorien opphører i program",
        lambda f: _p(f) + [f.kategori(None, date(2022, 6, 1))],
        (K.IKKE_LENGER_I_KATEGORI, date(2022, 6, 1)),
    ),
    (
        "§12 kategorien opphører før programstart: ingenting",
        lambda f: _p(f) + [f.kategori(None, date(2021, 10, 1))],
        None,
    ),
    (
        "§12 kategorien opphører etter fristen: ingenting (programmet var slutt)",
        lambda f: _p(f) + [f.kategori(None, FRIST + timedelta(days=5))],
        None,
    ),
    (
        "§12 samme dag gjenopprettet (sist registrerte vinner): ingenting",
        lambda f: _p(f) + [f.kategori(None, date(2022, 6, 1)), f.kategori(Kategori.KAN_TILBYS, date(2022, 6, 1))],
        None,
    ),
    # --- «Person avvist program» (seed §12)
    (
        "§12 avvisning registrert",
        lambda f: [f.registrert(), f.avvist(date(2021, 10, 2))],
        (K.PERSON_AVVIST_PROGRAM, date(2021, 10, 2)),
    ),
    # --- «Vedtak om permanent stans» (seed §3, §12): type Stans, the stans date
    (
        "§12 permanent stans",
        lambda f: _p(f) + [f.vedtak(Vedtakstype.PERMANENT_STANS, date(2022, 9, 1))],
        (K.VEDTAK_OM_PERMANENT_STANS, date(2022, 9, 1), Avslutningstype.STANS),
    ),
    (
        "§12 midlertidig stans avslutter ikke",
        lambda f: _p(f) + [f.vedtak(Vedtakstype.MIDLERTIDIG_STANS, date(2022, 9, 1), date(2022, 10, 1))],
        None,
    ),
    # --- Folkeregister (seed §11–12): only while in programme
    ("§12 død i program", lambda f: _p(f) + [f.dod(date(2023, 1, 3))], (K.DOD, date(2023, 1, 3))),
    ("§12 utvandret i program", lambda f: _p(f) + [f.utvandret(date(2023, 4, 28))], (K.UTVANDRET, date(2023, 4, 28))),
    (
        "§12 flyttet til annen kommune i program",
        lambda f: _p(f) + [f.flyttet(date(2022, 5, 1))],
        (K.FLYTTET, date(2022, 5, 1)),
    ),
    (
        "FOLKEREGISTER.md: samme kommunenummer er ingen flytting",
        lambda f: _p(f) + [f.flyttet(date(2022, 5, 1), til="4223", fra="4223")],
        None,
    ),
    ("§12 død før programstart: ingenting", lambda f: _p(f) + [f.dod(date(2021, 10, 1))], None),
    ("§12 død uten program: ingenting", lambda f: [f.registrert(), f.dod(date(2022, 1, 1))], None),
    ("§12 død etter fristen: ingenting", lambda f: _p(f) + [f.dod(FRIST + timedelta(days=3))], None),
    (
        "§5 død etter en tidligere beregnet avslutning: den tidligste gjelder",
        lambda f: _p(f) + [f.vedtak(Vedtakstype.PERMANENT_STANS, date(2022, 9, 1)), f.dod(date(2023, 1, 3))],
        (K.VEDTAK_OM_PERMANENT_STANS, date(2022, 9, 1), Avslutningstype.STANS),
    ),
    (
        "§12 korrigert dødsdato gjelder",
        lambda f: _p(f) + [f.dod(date(2023, 1, 3), hendelse_id="d1"), f.dod_korrigert("d1", date(2023, 1, 4))],
        (K.DOD, date(2023, 1, 4)),
    ),
    (
        "§12 annullert død: ingenting",
        lambda f: _p(f) + [f.dod(date(2023, 1, 3), hendelse_id="d1"), f.annullert("d1")],
        None,
    ),
    (
        "§12 annullert korrigering: tilbake til originalen",
        lambda f: (
            _p(f)
            + [
                f.dod(date(2023, 1, 3), hendelse_id="d1"),
                f.dod_korrigert("d1", date(2023, 1, 4), hendelse_id="d2"),
                f.annullert("d2"),
            ]
        ),
        (K.DOD, date(2023, 1, 3)),
    ),
    ("§5 uten personopplysninger beregnes ingenting", lambda f: [f.avvist(date(2021, 10, 2))], None),
    # --- seed §12 «Avslutningsårsak ikke registrert … (eller vedtak og slutt mål, som er forutsetning for å
    # registrere avslutning)»: in programme without a sluttmål the regelverk of the start knows (here a 2021
    # code on a Prop. 81 L programme, as after the configured ikrafttredelse moved) the longest frist of the
    # version (60 months, fag- og yrkesopplæring) applies, and passing it ends the programme.
    (
        "§12 uten gyldig sluttmål: lengste frist i regelverket passert → ikke registrert",
        lambda f: [
            f.registrert(person(bosatt=date(2026, 1, 10))),
            f.vedtak(fra=date(2026, 2, 2), vedtaksdato=date(2026, 2, 1)),
            f.sluttmal(fastsatt=date(2026, 2, 1)),
            dogn(date(2031, 2, 2)),
        ],
        (K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2031, 2, 1)),
    ),
    (
        "§12 uten gyldig sluttmål: den lengste fristen er ikke passert",
        lambda f: [
            f.registrert(person(bosatt=date(2026, 1, 10))),
            f.vedtak(fra=date(2026, 2, 2), vedtaksdato=date(2026, 2, 1)),
            f.sluttmal(fastsatt=date(2026, 2, 1)),
            dogn(date(2031, 2, 1)),
        ],
        None,
    ),
]


@pytest.mark.parametrize("navn,events,forventet", CASES, ids=[c[0] for c in CASES])
def test_regel(navn, events, forventet):
    f = Deltaker()
    resultat = ett(tilstand(f, events(f)))
    if forventet is not None and len(forventet) == 2:
        forventet = (*forventet, Avslutningstype.ORDINAER)
    assert resultat == forventet


def test_grunnlaget_forklarer_regelen_og_kildene():
    """Issue #4 «Explainable»: the rule, the path, the dates and the source event ids."""
    f = Deltaker()
    events = f.program() + [dogn(FRIST + timedelta(days=1))]
    o = utled(tilstand(f, events)).onsket[0]
    assert o.grunnlag.regel == "GJENNOMFORINGSFRIST_UTLOPT"
    assert o.grunnlag.datoer == {"gjennomforingsfrist": FRIST, "idag": FRIST + timedelta(days=1)}
    assert len(o.grunnlag.regelsti) == 1 + len(REGLER)
    # person, vedtak om program and sluttmål were used
    assert {events[0].event_id, events[2].event_id, events[3].event_id} <= set(o.grunnlag.kilde_event_ids)
    assert o.avslutning_id == avslutning_id(f.deltaker_id, K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST)


def test_regelstien_viser_regelverket_som_avgjorde_fristen():
    """Issue #13 §4: the rule path names the regelverk version and the date it applies from."""
    f = Deltaker()
    t = tilstand(f, f.program() + [dogn(FRIST + timedelta(days=1))])
    sti = utled(t).onsket[0].grunnlag.regelsti
    assert any("regelverk integreringsloven-2021 (gjelder fra 2021-01-01)" in x for x in sti), sti
    f = Deltaker()
    start = date(2026, 2, 2)
    t = tilstand(
        f,
        [
            f.registrert(person(bosatt=date(2026, 1, 10))),
            f.vedtak(fra=start),
            f.sluttmal(Sluttmalkode.P14_ARBEID, fastsatt=start),
            dogn(start),
        ],
    )
    (u,) = [u for u in utled(t).utfall if u.regel == "GJENNOMFORINGSFRIST_UTLOPT"]
    assert "regelverk integreringsloven-prop81L (gjelder fra 2026-01-01)" in u.sti(), u.sti()


def test_frister_for_indeksen():
    """The daily sweep's index columns: the next day time alone can change the outcome."""
    f = Deltaker()
    t = tilstand(f, f.program())
    assert frister(t).gjennomforingsfrist == FRIST and frister(t).neste_tidsfrist == FRIST
    assert frister(anvend(t, dogn(FRIST + timedelta(days=1)))).neste_tidsfrist is None
    assert frister(anvend(t, f.kommune_avslutning())).neste_tidsfrist is None
    u = tilstand(f, [f.registrert()])
    assert frister(u).neste_tidsfrist == date(2023, 8, 31) and frister(u).oppstartsfrist == date(2023, 8, 31)
    assert date(2021, 9, 1) == BOSATT and date(2021, 11, 16) == PROGRAMSTART
