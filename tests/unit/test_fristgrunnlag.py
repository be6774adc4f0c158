"""The gjennomføringsfrist's inputs from a person's facts (DOMAIN.md §6; §2 «vedtak»), in
shared/regelverk/fristgrunnlag.py — the one derivation registrering, the regelmotor and rapport use."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import Sluttmalkode as S
from shared.kodeverk.vedtak import Fravaerstype as F
from shared.kodeverk.vedtak import Vedtakstype as T
from shared.regelverk import fristgrunnlag as fg

START = date(2022, 1, 10)


def vedtak(typ: T, fra: date, til: date | None = None, *, fattet: bool = True, event_id: int = 0) -> fg.Vedtak:
    eid = UUID(int=event_id) if event_id else None
    return fg.Vedtak(vedtakstype=typ, fattet=fattet, fra=fra, til=til, event_id=eid)


def test_6_programme_start_is_the_earliest_fattet_vedtak_om_deltakelse():
    """§6 «programme start (vedtak om program)»: an opphevet vedtak or another type never starts it."""
    alle = [
        vedtak(T.DELTAKELSE, date(2021, 12, 1), fattet=False),
        vedtak(T.PERMISJON, date(2021, 11, 1)),
        vedtak(T.DELTAKELSE, date(2022, 3, 1)),
        vedtak(T.DELTAKELSE, START),
    ]
    assert fg.programstart(alle) == alle[3]
    assert fg.fristgrunnlag(Lov.INTRODUKSJONSLOVEN, alle[:2], [], []) is None  # no programme, no frist


def test_6_same_day_starts_name_the_same_source_in_any_order():
    a, b = vedtak(T.DELTAKELSE, START, event_id=2), vedtak(T.DELTAKELSE, START, event_id=1)
    assert fg.programstart([a, b]) == fg.programstart([b, a]) == b


def test_6_the_sluttmal_in_force_is_the_one_fastsatt_last_then_registered_last():
    tidlig = fg.Sluttmal(S.ARBEID_HAR_VGO, date(2022, 2, 1), rekkefolge=(2,))
    sent = fg.Sluttmal(S.ARBEID_HAR_IKKE_VGO, date(2022, 3, 1), rekkefolge=(1,))
    samme_dag = fg.Sluttmal(S.GRUNNSKOLE, date(2022, 3, 1), rekkefolge=(3,))
    assert fg.gjeldende_sluttmal([sent, tidlig]) == sent  # registered first, fastsatt later: still in force
    assert fg.gjeldende_sluttmal([samme_dag, sent, tidlig]) == samme_dag
    assert fg.gjeldende_sluttmal([]) is None


def test_6_what_extends_the_frist_fattet_forlengelse_closed_permisjon_and_closed_gyldig_fravaer():
    """§6: forlengelse (open or closed), approved permisjon and gyldig fravær; an open permisjon or fravær has
    no number of days yet, and ugyldig fravær never extends."""
    g = fg.fristgrunnlag(
        Lov.INTEGRERINGSLOVEN,
        [
            vedtak(T.DELTAKELSE, START, event_id=1),
            vedtak(T.FORLENGELSE, date(2023, 1, 1), event_id=2),
            vedtak(T.FORLENGELSE, date(2023, 1, 1), date(2024, 6, 1), event_id=3),
            vedtak(T.PERMISJON, date(2022, 5, 1), date(2022, 5, 10), event_id=4),
            vedtak(T.PERMISJON, date(2022, 6, 1)),
            vedtak(T.PERMISJON, date(2022, 7, 1), date(2022, 7, 2), fattet=False),
            vedtak(T.MIDLERTIDIG_STANS, date(2022, 8, 1), date(2022, 8, 30)),
        ],
        [fg.Sluttmal(S.ARBEID_HAR_IKKE_VGO, START, event_id=UUID(int=5))],
        [
            fg.Fravaer(F.GYLDIG, date(2022, 9, 1), date(2022, 9, 3), event_id=UUID(int=6)),
            fg.Fravaer(F.GYLDIG, date(2022, 10, 1), None),
            fg.Fravaer(F.UGYLDIG, date(2022, 11, 1), date(2022, 11, 2)),
        ],
    )
    assert g is not None
    assert (g.programstart, g.sluttmal) == (START, S.ARBEID_HAR_IKKE_VGO)
    assert g.forlengelser == ((date(2023, 1, 1), date(2024, 6, 1)), (date(2023, 1, 1), None))  # open one last
    assert g.permisjoner == ((date(2022, 5, 1), date(2022, 5, 10)),)
    assert g.gyldig_fravaer == ((date(2022, 9, 1), date(2022, 9, 3)),)
    assert g.event_ids == tuple(UUID(int=i) for i in (1, 5, 2, 3, 4, 6))  # start, sluttmål, then in the order given
    # the forlengelse's 01.06.2024, then 10 days of permisjon and 3 of gyldig fravær
    assert fg.beregn(g).frist == date(2024, 6, 1) + timedelta(days=10 + 3)


def test_6_equal_facts_in_another_order_give_an_equal_grunnlag():
    v = [
        vedtak(T.DELTAKELSE, START),
        vedtak(T.PERMISJON, date(2022, 6, 1), date(2022, 6, 5)),
        vedtak(T.PERMISJON, date(2022, 5, 1), date(2022, 5, 5)),
    ]
    lov = Lov.INTRODUKSJONSLOVEN
    assert fg.fristgrunnlag(lov, v, [], []) == fg.fristgrunnlag(lov, v[::-1], [], [])


def test_12_uten_gyldig_sluttmal_the_longest_frist_of_the_version():
    """Seed §12 «Avslutningsårsak ikke registrert … (eller vedtak og slutt mål, som er forutsetning for å
    registrere avslutning)»: without a sluttmål the regelverk of the start knows, the frist is the longest the
    version allows (integreringsloven 2021: 36 months, FULLFORE_VGO_*), so no sluttmål could still let it run;
    the introduksjonsloven has no sluttmål, and a known sluttmål needs no reserve."""
    start = date(2022, 1, 10)
    for sluttmal in (None, S.P14_ARBEID):  # none registered; one of the Prop. 81 L generation
        g = fg.Fristgrunnlag(Lov.INTEGRERINGSLOVEN, start, sluttmal, (), (), ())
        b = fg.beregn_uten_gyldig_sluttmal(g)
        assert b is not None and b.frist == date(2025, 1, 9), b
        assert fg.SEED_12_UTEN_SLUTTMAL in b.steg[0].beskrivelse
    assert fg.beregn_uten_gyldig_sluttmal(fg.Fristgrunnlag(Lov.INTRODUKSJONSLOVEN, start, None, (), (), ())) is None
