"""The rapport's pure rules (services/rapport/domain.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from services.rapport import domain
from shared.kodeverk.avslutningsarsaker import Maaloppnaaelsesgruppe as G


def test_maaloppnaaelse_counting_tabell_2():
    """Seed imdi-2007 Tabell 2 (footnote **: jobb + utdanning = jobb eller utdanning but for rounding);
    DOMAIN.md §7: gruppe «Inngår ikke i tallgrunnlaget» is left out of the base."""
    assert domain.telling(G.ARBEID) == domain.Telling(True, True, False)
    assert domain.telling(G.ARBEID_OG_UTDANNING) == domain.Telling(True, True, False)  # once, as jobb
    assert domain.telling(G.UTDANNING_VGO) == domain.Telling(True, False, True)
    assert domain.telling(G.UTDANNING_HOY_FAGSKOLE) == domain.Telling(True, False, True)
    assert domain.telling(G.ANNET) == domain.Telling(True, False, False)
    assert domain.telling(G.INNGAR_IKKE) == domain.Telling(False, False, False)
    assert domain.andel(1, 0) is None and domain.andel(18, 25) == 0.72


def test_norwegian_alphabetical_order_as_bytes():
    navn = ["Åse", "Ærlig", "Øvrebø", "Zahra", "ola", "Ölund", "Ängel", "Éric", "Bjørn"]
    assert sorted(navn, key=domain.sorteringsnokkel) == [
        "Bjørn",
        "Éric",
        "ola",
        "Zahra",
        "Ängel",
        "Ærlig",
        "Ölund",
        "Øvrebø",
        "Åse",
    ]


def test_alder_on_the_avslutningsdato():
    assert domain.alder(date(1990, 11, 16), date(2023, 11, 15)) == 32
    assert domain.alder(date(1990, 11, 16), date(2023, 11, 16)) == 33
    assert domain.alder(date(2000, 2, 29), date(2023, 2, 28)) == 22


def test_kommune_wins_and_latest_version_counts():
    """DOMAIN.md §4 rules 5–7."""
    t = datetime(2023, 1, 1, tzinfo=UTC)

    def v(kilde, aid, versjon=1, dag=1):
        return domain.Avslutningsversjon(
            aid,
            versjon,
            kilde,
            "Ordinær avslutning",
            "ARBEID",
            date(2023, 1, dag),
            None,
            "x",
            t.replace(day=dag),
            "4223",
            None,
        )

    rm, ka = uuid4(), uuid4()
    versjoner = [v("regelmotor", rm, dag=9), v("kommune", ka, dag=2), v("kommune", ka, 2, dag=3)]
    assert domain.gjeldende_avslutning(versjoner, []) == versjoner[2]
    assert domain.gjeldende_avslutning(versjoner, [domain.Sletting(ka, "x", t)]) == versjoner[0]
    assert domain.gjeldende_avslutning(versjoner, [domain.Sletting(ka, "x", t), domain.Sletting(rm, "R", t)]) is None


def test_frist_needs_a_vedtak_om_deltakelse_and_a_known_sluttmal():
    """DOMAIN.md §6: a sluttmål the regelverk does not know gives no frist, never a default."""
    start = domain.Vedtaksfakta("DELTAKELSE", "VEDTAK_FATTET", date(2021, 11, 16), None)
    assert domain.frist_for_gjennomforing("integreringsloven", "ARBEID_HAR_IKKE_VGO", [start], []) == date(2023, 11, 15)
    assert domain.frist_for_gjennomforing("integreringsloven", "P14_ARBEID", [start], []) is None  # 2026 sluttmål
    assert domain.frist_for_gjennomforing("integreringsloven", "ARBEID_HAR_IKKE_VGO", [], []) is None
    opphevet = domain.Vedtaksfakta("DELTAKELSE", "OPPHEVET", date(2021, 11, 16), None)
    assert domain.frist_for_gjennomforing("introduksjonsloven", None, [opphevet], []) is None


def test_frister_aa_folge_oppstartsfrist_until_vedtak_and_sluttmal():
    """Seed §12 «Utgått oppstartsfrist»: «kommunen ikke har registrert vedtak om program og slutt mål innen fristen
    for oppstart»; introduksjonsloven has no sluttmål (the regelmotor's oppstartsfrist_gjelder). An avsluttet
    person has no frist left to meet."""
    bosatt = date(2021, 9, 1)
    deltakelse = [domain.Vedtaksfakta("DELTAKELSE", "VEDTAK_FATTET", date(2022, 1, 10), None)]
    avslag = [domain.Vedtaksfakta("DELTAKELSE", "AVSLAG", date(2022, 1, 10), None)]

    def folg(lov="integreringsloven", sluttmal=None, vedtak=(), avsluttet=False):
        return domain.frister_aa_folge(
            avsluttet=avsluttet, lov=lov, bosettingsdato=bosatt, sluttmal=sluttmal, vedtak=list(vedtak), fravaer=[]
        )

    assert folg().oppstartsfrist == date(2023, 8, 31)  # varighet.yaml: 24 months − 1 day
    assert folg(vedtak=deltakelse).oppstartsfrist == date(2023, 8, 31)  # no sluttmål yet
    assert folg(sluttmal="ARBEID_HAR_IKKE_VGO", vedtak=avslag).oppstartsfrist == date(2023, 8, 31)  # not fattet
    med_alt = folg(sluttmal="ARBEID_HAR_IKKE_VGO", vedtak=deltakelse)
    assert med_alt.oppstartsfrist is None and med_alt.gjennomforingsfrist == date(2024, 1, 9)
    assert folg(lov="introduksjonsloven", vedtak=deltakelse).oppstartsfrist is None
    assert folg(sluttmal="ARBEID_HAR_IKKE_VGO", vedtak=deltakelse, avsluttet=True) == domain.FristerAaFolge(None, None)
