"""Gjennomføringsfrist and oppstartsfrist (DOMAIN.md §6), table-driven; each row cites its source."""

from __future__ import annotations

from datetime import date

import pytest

from shared.events.envelope import Periode
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import SLUTTMALNAVN
from shared.kodeverk.sluttmal import Sluttmalkode as S
from shared.regelverk.frister import (
    IngenRegelverk,
    UkjentSluttmal,
    gjeldende_versjon,
    gjennomforingsfrist,
    legg_til_maaneder,
    oppstartsfrist,
    regelverk,
)

INTEG, INTRO = Lov.INTEGRERINGSLOVEN, Lov.INTRODUKSJONSLOVEN

# (source, lov, programstart, sluttmål, expected frist without forlengelse or leave)
MAKS_VARIGHET = [
    ("varighet-2018: «Den øvre grensen for å delta er to år»", INTRO, date(2019, 3, 1), None, date(2021, 2, 28)),
    (
        "IMDi 2021 table: 3–6 mnd for deltakere med videregående",
        INTEG,
        date(2021, 5, 10),
        S.ARBEID_HAR_VGO,
        date(2021, 11, 9),
    ),
    (
        "IMDi 2021 table: 3–6 mnd, høyere utdanning",
        INTEG,
        date(2022, 1, 1),
        S.HOYERE_UTDANNING_HAR_VGO,
        date(2022, 6, 30),
    ),
    (
        "IMDi 2021 table: under 25, fullføre vgo, 3 år",
        INTEG,
        date(2021, 6, 1),
        S.FULLFORE_VGO_UNDER_25,
        date(2024, 5, 31),
    ),
    (
        "IMDi 2021 table: over 25, fullføre vgo, 3 år",
        INTEG,
        date(2022, 8, 15),
        S.FULLFORE_VGO_OVER_25,
        date(2025, 8, 14),
    ),
    ("IMDi 2021 table: øvrige, 2 år", INTEG, date(2021, 11, 16), S.ARBEID_HAR_IKKE_VGO, date(2023, 11, 15)),
    ("IMDi 2021 table: øvrige (grunnskole), 2 år", INTEG, date(2023, 2, 1), S.GRUNNSKOLE, date(2025, 1, 31)),
    ("prop81L § 13: Arbeid, inntil 12 måneder", INTEG, date(2026, 1, 5), S.P13_ARBEID, date(2027, 1, 4)),
    (
        "prop81L § 13: Forberede for utdanning, 12 måneder",
        INTEG,
        date(2026, 3, 1),
        S.P13_FORBEREDE_UTDANNING,
        date(2027, 2, 28),
    ),
    ("prop81L § 14: Arbeid, inntil 2 år", INTEG, date(2026, 2, 1), S.P14_ARBEID, date(2028, 1, 31)),
    (
        "prop81L § 14: studieforberedende, inntil 4 år",
        INTEG,
        date(2026, 8, 17),
        S.P14_VGO_STUDIEFORBEREDENDE,
        date(2030, 8, 16),
    ),
    (
        "prop81L § 14: fag- og yrkesopplæring, inntil 5 år",
        INTEG,
        date(2026, 8, 17),
        S.P14_VGO_FAG_OG_YRKE,
        date(2031, 8, 16),
    ),
    ("prop81L § 14: deler av vgo, inntil 3 år", INTEG, date(2026, 1, 1), S.P14_DELER_AV_VGO, date(2028, 12, 31)),
]


@pytest.mark.parametrize("kilde,lov,start,sluttmal,frist", MAKS_VARIGHET, ids=[r[0] for r in MAKS_VARIGHET])
def test_maksimal_varighet(kilde, lov, start, sluttmal, frist):
    assert gjennomforingsfrist(lov=lov, programstart=start, sluttmal=sluttmal).frist == frist


# (source, sluttmål, start, forlengelse til, expected frist)
FORLENGELSE = [
    (
        "varighet-2018: «forlenges med inntil ett ekstra år»",
        None,
        date(2019, 3, 1),
        date(2021, 8, 31),
        date(2021, 8, 31),
    ),
    ("varighet-2018: never beyond one year", None, date(2019, 3, 1), date(2023, 1, 1), date(2022, 2, 28)),
    (
        "IMDi 2021: short programme + 6 mnd at most",
        S.ARBEID_HAR_VGO,
        date(2021, 5, 10),
        date(2022, 12, 1),
        date(2022, 5, 9),
    ),
    (
        "prop81L: studieforberedende «Inntil 1 år»",
        S.P14_VGO_STUDIEFORBEREDENDE,
        date(2026, 8, 17),
        date(2031, 6, 20),
        date(2031, 6, 20),
    ),
    ("prop81L: Arbeid «Forlengelse Nei»", S.P14_ARBEID, date(2026, 2, 1), date(2028, 6, 30), date(2028, 1, 31)),
    (
        "forlengelse ending before the frist changes nothing",
        S.GRUNNSKOLE,
        date(2023, 2, 1),
        date(2024, 1, 1),
        date(2025, 1, 31),
    ),
]


@pytest.mark.parametrize("kilde,sluttmal,start,til,frist", FORLENGELSE, ids=[r[0] for r in FORLENGELSE])
def test_forlengelse_up_to_the_allowed_maximum(kilde, sluttmal, start, til, frist):
    lov = INTRO if sluttmal is None else INTEG
    r = gjennomforingsfrist(lov=lov, programstart=start, sluttmal=sluttmal, forlengelser=[Periode(fra=start, til=til)])
    assert r.frist == frist


def test_permisjon_extends_the_frist_day_for_day():
    # varighet-2018: «to år, i tillegg til godkjent permisjon»; 10 days of permisjon → 10 days later.
    r = gjennomforingsfrist(
        lov=INTRO,
        programstart=date(2019, 3, 1),
        sluttmal=None,
        permisjoner=[Periode(fra=date(2019, 6, 1), til=date(2019, 6, 10))],
    )
    assert r.frist == date(2021, 3, 10)


def test_gyldig_fravaer_extends_under_integreringsloven_but_not_introduksjonsloven():
    # nir-ny-integreringslov-2021: «utvides med permisjoner og gyldig fravær» (integreringsloven);
    # varighet-2018 names only «godkjent permisjon» for introduksjonsloven.
    fravaer = [Periode(fra=date(2022, 2, 1), til=date(2022, 2, 3))]
    integ = gjennomforingsfrist(
        lov=INTEG, programstart=date(2021, 11, 16), sluttmal=S.ARBEID_HAR_IKKE_VGO, gyldig_fravaer=fravaer
    )
    intro = gjennomforingsfrist(lov=INTRO, programstart=date(2019, 3, 1), sluttmal=None, gyldig_fravaer=fravaer)
    assert integ.frist == date(2023, 11, 18)
    assert intro.frist == date(2021, 2, 28)


def test_overlapping_permisjon_and_fravaer_count_each_day_once():
    r = gjennomforingsfrist(
        lov=INTEG,
        programstart=date(2021, 11, 16),
        sluttmal=S.ARBEID_HAR_IKKE_VGO,
        permisjoner=[Periode(fra=date(2022, 1, 1), til=date(2022, 1, 10))],
        gyldig_fravaer=[Periode(fra=date(2022, 1, 5), til=date(2022, 1, 12))],
    )
    assert r.frist == date(2023, 11, 27)  # 12 distinct days


def test_leave_that_began_after_the_programme_ended_extends_nothing():
    r = gjennomforingsfrist(
        lov=INTEG,
        programstart=date(2021, 11, 16),
        sluttmal=S.ARBEID_HAR_IKKE_VGO,
        permisjoner=[Periode(fra=date(2023, 12, 1), til=date(2023, 12, 31))],
    )
    assert r.frist == date(2023, 11, 15)


def test_late_permisjon_moves_the_vennesla_frist_past_the_regelmotor_date():
    # Seed §5: the regelmotor ended the programme on the frist 15.11.2023; a permisjon registered afterwards
    # (issue #7 case 4) gives a later frist, so the computed avslutning must be retracted.
    uten = gjennomforingsfrist(lov=INTEG, programstart=date(2021, 11, 16), sluttmal=S.ARBEID_HAR_IKKE_VGO)
    med = gjennomforingsfrist(
        lov=INTEG,
        programstart=date(2021, 11, 16),
        sluttmal=S.ARBEID_HAR_IKKE_VGO,
        permisjoner=[Periode(fra=date(2023, 3, 1), til=date(2023, 3, 31))],
    )
    assert uten.frist == date(2023, 11, 15)
    assert med.frist == date(2023, 12, 16)


def test_the_result_explains_itself():
    r = gjennomforingsfrist(
        lov=INTEG,
        programstart=date(2021, 6, 1),
        sluttmal=S.FULLFORE_VGO_UNDER_25,
        forlengelser=[Periode(fra=date(2024, 6, 1), til=date(2026, 1, 1))],
        permisjoner=[Periode(fra=date(2022, 1, 1), til=date(2022, 1, 10))],
    )
    assert r.regelverk == "integreringsloven-2021"
    assert [s.dato for s in r.steg] == [date(2021, 6, 1), date(2024, 5, 31), date(2025, 5, 31), date(2025, 6, 10)]
    assert "begrenset til 12 måneder" in r.steg[2].beskrivelse
    assert SLUTTMALNAVN[S.FULLFORE_VGO_UNDER_25] in r.steg[1].beskrivelse


def test_the_regelverk_in_force_at_programme_start_applies():
    # DOMAIN.md §6: programmes that started before Prop. 81 L applies keep the rules in force at their start.
    assert gjeldende_versjon(INTEG, date(2025, 12, 31)).id == "integreringsloven-2021"
    assert gjeldende_versjon(INTEG, date(2026, 1, 1)).id == "integreringsloven-prop81L"
    with pytest.raises(UkjentSluttmal, match="P14_ARBEID finnes ikke i regelverket integreringsloven-2021"):
        gjennomforingsfrist(lov=INTEG, programstart=date(2025, 6, 1), sluttmal=S.P14_ARBEID)
    with pytest.raises(UkjentSluttmal, match="ARBEID_HAR_VGO finnes ikke"):
        gjennomforingsfrist(lov=INTEG, programstart=date(2026, 6, 1), sluttmal=S.ARBEID_HAR_VGO)


def test_missing_sluttmal_or_regelverk_is_an_error_not_a_default():
    # DOMAIN.md §6: «A sluttmål the regelverk does not know is a validation error, not a silent default.»
    with pytest.raises(UkjentSluttmal, match="sluttmål mangler"):
        gjennomforingsfrist(lov=INTEG, programstart=date(2022, 1, 1), sluttmal=None)
    with pytest.raises(IngenRegelverk):
        gjennomforingsfrist(lov=INTEG, programstart=date(2020, 12, 31), sluttmal=S.GRUNNSKOLE)


def test_every_version_names_its_source_and_every_sluttmal_has_a_name():
    for v in regelverk().versjoner:
        assert v.hjemmel.strip()
        assert all(s in SLUTTMALNAVN for s in v.sluttmal)


def test_oppstartsfrist_two_years_after_bosetting():
    # ASSUMPTION recorded in varighet.yaml (integreringsloven § 8: «bodd i en norsk kommune i mindre enn 2 år»).
    r = oppstartsfrist(date(2023, 2, 15))
    assert r.frist == date(2025, 2, 14)
    assert [s.dato for s in r.steg] == [date(2023, 2, 15), date(2025, 2, 14)]


@pytest.mark.parametrize(
    "d,n,expected",
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2021, 11, 16), 24, date(2023, 11, 16)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
    ],
)
def test_calendar_months(d, n, expected):
    assert legg_til_maaneder(d, n) == expected
