"""Kategori and lov computed by NIR from the opphold facts and age (issue #13 §1), table-driven; each row cites
the seed line or the public source of its rule (shared/regelverk/kategori.yaml, lov.py)."""

from __future__ import annotations

from datetime import date

import pytest

from shared.kodeverk.kategorier import Kategori, Lov
from shared.kodeverk.opphold import Oppholdsgrunnlag as G
from shared.regelverk.ikrafttredelse import ikrafttredelser
from shared.regelverk.kategori import alder, kategori_for
from shared.regelverk.lov import lov_for
from shared.regelverk.opphold import Opphold, Tillatelse

R, K = Kategori.RETT_OG_PLIKT, Kategori.KAN_TILBYS
INTEG, INTRO = Lov.INTEGRERINGSLOVEN, Lov.INTRODUKSJONSLOVEN
PROP81 = ikrafttredelser().prop81L.dato  # 2026-01-01 while the ikrafttredelse is an assumption


def _opphold(*tillatelser: tuple[G, date, date | None], ankomst: date | None = None) -> Opphold:
    return Opphold(tuple(Tillatelse(g, fra, til) for g, fra, til in tillatelser), ankomst)


# (source, fødselsdato, opphold, expected lov, kategori, fra, til, regelverk)
KATEGORI = [
    (
        "Prop. 81 L kap. 4.1: integreringsloven § 8 as enacted, «mellom 18 og 55 år», age at innvilgelse",
        date(1990, 5, 1),
        _opphold((G.FLYKTNING, date(2022, 3, 1), None)),
        INTEG,
        R,
        date(2022, 3, 1),
        None,
        "integreringsloven-8",
    ),
    (
        "Prop. 81 L kap. 4.1: «over 55 år» → kommunen kan tilby (§ 8 tredje ledd), as enacted",
        date(1964, 1, 1),
        _opphold((G.KOLLEKTIV_BESKYTTELSE, date(2023, 6, 1), None)),
        INTEG,
        K,
        date(2023, 6, 1),
        None,
        "integreringsloven-8",
    ),
    (
        "seed prop81L lines 15–17: «fra og med 18 til og med 60 år» rett og plikt (58 at innvilgelse)",
        date(1968, 2, 1),
        _opphold((G.FLYKTNING, PROP81, None)),
        INTEG,
        R,
        PROP81,
        None,
        "integreringsloven-8-prop81L",
    ),
    (
        "seed prop81L line 17: til og med 60 år: 60 on the innvilget day is still rett og plikt",
        date(PROP81.year - 60, PROP81.month, PROP81.day),
        _opphold((G.FLYKTNING, PROP81, None)),
        INTEG,
        R,
        PROP81,
        None,
        "integreringsloven-8-prop81L",
    ),
    (
        "seed prop81L lines 19–21: «Kommunen kan tilby … til innvandrere over 60 år»",
        date(PROP81.year - 61, 1, 1),
        _opphold((G.OVERFORINGSFLYKTNING, PROP81, None)),
        INTEG,
        K,
        PROP81,
        None,
        "integreringsloven-8-prop81L",
    ),
    (
        "Prop. 81 L kap. 4.1: 58 years on a tillatelse granted before Prop. 81 L applies → the 18–55 band",
        date(1967, 1, 1),
        _opphold((G.FLYKTNING, date(2025, 3, 1), None)),
        INTEG,
        K,
        date(2025, 3, 1),
        None,
        "integreringsloven-8",
    ),
    (
        "Prop. 81 L kap. 4.1 «mellom 18 og 55 år»: 17 at innvilgelse is outside the målgruppe",
        date(2005, 6, 1),
        _opphold((G.FLYKTNING, date(2022, 1, 1), None)),
        INTEG,
        None,
        None,
        None,
        "integreringsloven-8",
    ),
    (
        "IMDi målgruppe list: familieinnvandring med flyktning gives the kategori",
        date(1992, 1, 1),
        _opphold((G.FAMILIEGJENFORENT_MED_FLYKTNING, date(2021, 8, 1), None)),
        INTEG,
        R,
        date(2021, 8, 1),
        None,
        "integreringsloven-8",
    ),
    (
        "IMDi målgruppe list: arbeid/studier are not in § 9 → no kategori",
        date(1992, 1, 1),
        _opphold((G.ANNET, date(2021, 8, 1), None)),
        INTEG,
        None,
        None,
        None,
        None,
    ),
    (
        "introduksjonsloven § 2: tillatelse and arrival before 2021 → introduksjonsloven, 18–55",
        date(1980, 1, 1),
        _opphold((G.FLYKTNING, date(2019, 4, 1), None), ankomst=date(2018, 12, 1)),
        INTRO,
        R,
        date(2019, 4, 1),
        None,
        "introduksjonsloven-2",
    ),
    (
        "tillatelse opphørt: the kategori's last day is the day before (first day out = the opphør date)",
        date(1990, 1, 1),
        _opphold((G.FLYKTNING, date(2022, 1, 1), date(2023, 5, 1))),
        INTEG,
        R,
        date(2022, 1, 1),
        date(2023, 4, 30),
        "integreringsloven-8",
    ),
    (
        "a new tillatelse on another ground (arbeid) replaces the refugee one: out of kategori from its date",
        date(1990, 1, 1),
        _opphold((G.FLYKTNING, date(2022, 1, 1), None), (G.ANNET, date(2023, 9, 1), None)),
        INTEG,
        R,
        date(2022, 1, 1),
        date(2023, 8, 31),
        "integreringsloven-8",
    ),
    (
        "ASSUMPTION (kategori.yaml): permanent opphold after the refugee tillatelse keeps the kategori",
        date(1990, 1, 1),
        _opphold((G.FLYKTNING, date(2022, 1, 1), date(2025, 1, 1)), (G.PERMANENT_OPPHOLD, date(2025, 1, 1), None)),
        INTEG,
        R,
        date(2022, 1, 1),
        None,
        "integreringsloven-8",
    ),
]


@pytest.mark.parametrize(
    "kilde,fodt,opphold,lov,kategori,fra,til,versjon", KATEGORI, ids=[row[0][:60] for row in KATEGORI]
)
def test_kategori(kilde, fodt, opphold, lov, kategori, fra, til, versjon):
    b = kategori_for(opphold, fodt)
    assert (b.lov, b.kategori, b.fra, b.til) == (lov, kategori, fra, til), (kilde, b.begrunnelse)
    if versjon is not None:
        assert b.regelverk == versjon, kilde


# (source, opphold, expected lov)
LOV = [
    (
        "seed 2021 note line 65 «får opphold … etter 01.01.21» → integreringsloven; arrived before (an asylum "
        "seeker): the seed's «introduksjonsloven … opphold før 01.01.21» does not cover it (integreringsloven § 51)",
        _opphold((G.FLYKTNING, date(2021, 1, 1), None), ankomst=date(2020, 6, 1)),
        INTEG,
    ),
    (
        "seed 2021 note line 65 «introduksjonsloven fortsatt vil gjelde for de som har fått opphold før 01.01.21», "
        "also when the arrival is after (integreringsforskriften § 72 says integreringsloven: ASSUMPTION, README)",
        _opphold((G.OVERFORINGSFLYKTNING, date(2020, 11, 15), None), ankomst=date(2021, 2, 1)),
        INTRO,
    ),
    (
        "seed 2021 note: «introduksjonsloven fortsatt vil gjelde for de som har fått opphold før 01.01.21»",
        _opphold((G.FLYKTNING, date(2020, 12, 31), None), ankomst=date(2020, 1, 10)),
        INTRO,
    ),
    (
        "seed 2021 note: opphold and arrival after 01.01.21 → integreringsloven",
        _opphold((G.FLYKTNING, date(2021, 3, 1), None), ankomst=date(2021, 4, 1)),
        INTEG,
    ),
    (
        "introduksjonsloven when the arrival is unknown and the tillatelse before 2021",
        _opphold((G.FLYKTNING, date(2019, 1, 1), None)),
        INTRO,
    ),
    ("no tillatelse: no lov to derive", _opphold(), None),
]


@pytest.mark.parametrize("kilde,opphold,lov", LOV, ids=[row[0][:60] for row in LOV])
def test_lov_follows_from_the_dates(kilde, opphold, lov):
    assert lov_for(opphold) is lov, kilde


def test_age_in_whole_years():
    assert alder(date(1990, 5, 2), date(2020, 5, 1)) == 29
    assert alder(date(1990, 5, 2), date(2020, 5, 2)) == 30
    assert alder(date(2000, 2, 29), date(2018, 2, 28)) == 17


def test_the_prop81L_date_lives_in_one_place():
    """issue #13 §4: varighet.yaml and kategori.yaml both take the Prop. 81 L date from ikrafttredelse.yaml."""
    from shared.regelverk.frister import regelverk
    from shared.regelverk.kategoridata import kategoriregelverk

    varighet = [v for v in regelverk().versjoner if v.ikrafttredelse == "prop81L"]
    kategori = [v for v in kategoriregelverk().versjoner if v.ikrafttredelse == "prop81L"]
    assert varighet and kategori
    assert {v.gjelder_fra for v in (*varighet, *kategori)} == {PROP81}


def test_ikrafttredelse_is_validated():
    from pydantic import ValidationError

    from shared.regelverk.ikrafttredelse import Ikrafttredelser

    k = {"hjemmel": "x"}
    with pytest.raises(ValidationError, match="introduksjonsloven < integreringsloven < prop81L"):
        Ikrafttredelser.model_validate(
            {
                "introduksjonsloven": {**k, "dato": "2004-09-01"},
                "integreringsloven": {**k, "dato": "2021-01-01"},
                "prop81L": {**k, "dato": "2020-01-01"},
            }
        )
    with pytest.raises(ValueError, match="ukjent ikrafttredelse"):
        ikrafttredelser().dato("prop82L")
