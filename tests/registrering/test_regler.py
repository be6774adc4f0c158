"""The registration rules as pure functions (services/registrering/domain/regler.py), table-driven. Each test
names the DOMAIN.md section (and seed nir-brukerveiledning-avslutning-2023 section) it checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from services.registrering.domain import regler
from services.registrering.domain.modell import Avslutningsversjon, Fravaer, Program, Tiltak, Vedtak
from services.registrering.domain.regler import Bruddtype
from shared.kodeverk.avslutningsarsaker import AVSLUTNINGSARSAKER, Avslutningstype, Kilde
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as A
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import Sluttmalkode as S
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat
from shared.kodeverk.vedtak import Vedtakstype as T
from shared.tilgang import Omfang, Rolle

START = date(2022, 1, 10)
FODT = date(1995, 3, 2)
IDAG = date(2024, 6, 1)
PERSON = dict(fodselsdato=FODT, idag=IDAG)  # the person and «today» a registration is judged against
FATTET = Vedtaksresultat.VEDTAK_FATTET


def vedtak(
    typ: T = T.DELTAKELSE,
    fra: date = START,
    til: date | None = date(2024, 1, 9),
    *,
    resultat: Vedtaksresultat = FATTET,
    gjeldende: bool = True,
) -> Vedtak:
    return Vedtak(uuid4(), typ, resultat, fra, til, gjeldende)


def program(
    *vedtak_: Vedtak,
    sluttmal: S | None = S.ARBEID_HAR_IKKE_VGO,
    lov: Lov = Lov.INTEGRERINGSLOVEN,
    tiltak: tuple[Tiltak, ...] = (),
    fravaer: tuple[Fravaer, ...] = (),
    avslutninger: tuple[Avslutningsversjon, ...] = (),
) -> Program:
    return Program(
        lov=lov,
        bosettingsdato=date(2021, 9, 1),
        oppfolgingskommune="4223",
        vedtak=vedtak_ if vedtak_ else (vedtak(),),
        sluttmal=sluttmal,
        tiltak=tiltak,
        fravaer=fravaer,
        avslutningsversjoner=avslutninger,
    )


def versjon(
    arsak: A = A.ARBEID,
    *,
    kilde: Kilde = Kilde.KOMMUNE,
    kommune: str = "4223",
    versjon_: int = 1,
    slettet: bool = False,
    id_: UUID | None = None,
    naa: datetime | None = None,
    bydel: str | None = None,
) -> Avslutningsversjon:
    return Avslutningsversjon(
        avslutning_id=id_ or uuid4(),
        kilde=kilde,
        versjon=versjon_,
        avslutningstype=AVSLUTNINGSARSAKER[arsak].avslutningstype,
        arsak=arsak,
        avslutningsdato=date(2023, 6, 1),
        timer_arbeid_per_uke=Decimal("30.0") if arsak is A.ARBEID else None,
        registrert_av="Regelmotor" if kilde is Kilde.REGELMOTOR else "4223-CES",
        registrert_dato=naa or datetime(2023, 6, 2, tzinfo=UTC),
        oppfolgingskommune=kommune,
        bydel=bydel,
        slettet=slettet,
    )


# --- DOMAIN.md §4 rule 1 (seed §2): vedtak om program and sluttmål -------------------------------------------


@pytest.mark.parametrize(
    "prog,oppfylt,melding",
    [
        (program(), True, ""),
        (program(vedtak(T.PERMISJON)), False, "vedtak om deltakelse"),
        (program(vedtak(resultat=Vedtaksresultat.OPPHEVET)), False, "vedtak om deltakelse"),
        (program(sluttmal=None), False, "sluttmål"),
        (program(sluttmal=None, lov=Lov.INTRODUKSJONSLOVEN), True, ""),  # introduksjonsloven has no sluttmål
    ],
)
def test_rule_4_1_avslutning_requires_vedtak_om_program_and_sluttmal(prog, oppfylt, melding):
    u = regler.krever_vedtak_om_program_og_sluttmal(prog)
    assert u.oppfylt is oppfylt and melding in u.melding
    assert u.regel.startswith("DOMAIN.md §4.1")
    if not oppfylt:
        assert u.bruddtype is Bruddtype.KONFLIKT


# --- DOMAIN.md §4 rule 2 (seed §5 tips: etterregistrering) -------------------------------------------------


# ARBEID_HAR_IKKE_VGO under integreringsloven-2021: 24 months → frist 2024-01-09.
@pytest.mark.parametrize(
    "dato,oppfylt",
    [
        (START, True),  # the first day of the programme
        (START - timedelta(days=1), False),  # before programme start
        (date(2024, 1, 9), True),  # the frist itself
        (date(2024, 1, 10), False),  # one day after the frist
        (date(2023, 3, 1), True),
    ],
)
def test_rule_4_2_avslutningsdato_within_gjennomforingsfrist_and_not_before_start(dato, oppfylt):
    u = regler.avslutningsdato_innenfor_frist(dato, program())
    assert u.oppfylt is oppfylt, u
    if not oppfylt:
        assert u.felt == "avslutningsdato" and u.bruddtype is Bruddtype.UGYLDIG


def test_rule_4_2_permisjon_and_gyldig_fravaer_move_the_frist():
    p = program(
        vedtak(),
        vedtak(T.PERMISJON, date(2022, 3, 1), date(2022, 3, 10)),
        fravaer=(
            Fravaer(uuid4(), Fravaerstype.GYLDIG, date(2022, 4, 1), date(2022, 4, 5)),
            Fravaer(uuid4(), Fravaerstype.UGYLDIG, date(2022, 5, 1), date(2022, 5, 30)),
        ),
    )
    assert regler.gjennomforingsfrist(p).frist == date(2024, 1, 9) + timedelta(days=15)
    assert regler.avslutningsdato_innenfor_frist(date(2024, 1, 24), p).oppfylt
    assert not regler.avslutningsdato_innenfor_frist(date(2024, 1, 25), p).oppfylt


def test_rule_4_2_etterregistrering_compares_the_date_not_the_clock():
    # The rule has no «today»: a date within a frist that passed years ago is accepted (seed §5 tips).
    u = regler.avslutningsdato_innenfor_frist(date(2023, 12, 1), program())
    assert u.oppfylt and u.grunnlag["gjennomforingsfrist"] == date(2024, 1, 9)


# --- DOMAIN.md §4 rule 3 (seed §3): antall timer arbeid per uke ----------------------------------------------


@pytest.mark.parametrize(
    "arsak,timer,oppfylt",
    [
        (A.ARBEID, Decimal("30.0"), True),
        (A.ARBEID, Decimal("37.5"), True),
        (A.ARBEID, Decimal("1"), True),
        (A.ARBEID, None, False),
        (A.ARBEID, Decimal("0"), False),
        (A.ARBEID, Decimal("-5"), False),
        (A.ARBEID, Decimal("30.25"), False),
        (A.ARBEID, Decimal("169"), False),
        (A.GRUNNSKOLE, None, True),
        (A.GRUNNSKOLE, Decimal("10.0"), False),  # hours belong to Arbeid only
    ],
)
def test_rule_4_3_timer_for_arbeid(arsak, timer, oppfylt):
    u = regler.timer_arbeid_per_uke(arsak, timer)
    assert u.oppfylt is oppfylt
    if not oppfylt:
        assert u.felt == "timer_arbeid_per_uke"


# --- DOMAIN.md §3: codes only the regelmotor sets ------------------------------------------------------------


@pytest.mark.parametrize("arsak", list(A))
def test_section_3_regelmotor_only_codes_are_refused_for_the_kommune(arsak):
    u = regler.kommunen_kan_sette_arsak(arsak)
    assert u.oppfylt is AVSLUTNINGSARSAKER[arsak].kan_registreres_av_kommunen
    if arsak in (
        A.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
        A.UTGATT_OPPSTARTSFRIST,
        A.IKKE_LENGER_I_KATEGORI,
        A.PERSON_AVVIST_PROGRAM,
        A.VEDTAK_OM_PERMANENT_STANS,
    ):
        assert not u.oppfylt and u.felt == "arsak"


# --- DOMAIN.md §4 rule 4 (seed §2 tips): warn, then confirm --------------------------------------------------


def test_rule_4_4_vedtak_and_tiltak_running_past_the_date_warn():
    langt = vedtak(til=date(2024, 1, 9))
    kort = vedtak(T.PERMISJON, date(2022, 2, 1), date(2022, 2, 10))
    uten_slutt = vedtak(T.FORLENGELSE, date(2024, 1, 10), None)
    stans = vedtak(T.PERMANENT_STANS, date(2023, 6, 1), None)  # a date, not a period: never warns
    tiltak_langt = Tiltak(uuid4(), START, date(2023, 12, 31))
    tiltak_kort = Tiltak(uuid4(), START, date(2023, 1, 31))
    allerede = vedtak(til=date(2025, 1, 1), gjeldende=False)  # already ikke gjeldende
    a = regler.vedtak_og_tiltak_etter_avslutningsdato(
        date(2023, 6, 1), program(langt, kort, uten_slutt, stans, allerede, tiltak=(tiltak_langt, tiltak_kort))
    )
    assert a is not None
    assert set(a.vedtak_ids) == {langt.vedtak_id, uten_slutt.vedtak_id}
    assert a.tiltak_ids == (tiltak_langt.tiltak_id,)
    assert "Er du sikker" in a.melding


@pytest.mark.parametrize("dato,advarsel", [(date(2024, 1, 9), False), (date(2024, 1, 8), True)])
def test_rule_4_4_no_warning_when_nothing_runs_past(dato, advarsel):
    assert (regler.vedtak_og_tiltak_etter_avslutningsdato(dato, program()) is not None) is advarsel


def test_rule_4_4_vedtak_without_end_date_warns():
    a = regler.vedtak_og_tiltak_etter_avslutningsdato(date(2023, 1, 1), program(vedtak(til=None)))
    assert a is not None and len(a.vedtak_ids) == 1


# --- DOMAIN.md §4 rules 5–6 (seed §4–5): who may edit or delete ------------------------------------------------


@pytest.mark.parametrize(
    "avslutning,kommune,oppfylt,bruddtype",
    [
        (versjon(A.ARBEID), "4223", True, None),  # own
        (versjon(A.ARBEID, kommune="0301"), "4223", False, Bruddtype.FORBUDT),  # another kommune's
        (versjon(A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, kilde=Kilde.REGELMOTOR), "4223", False, Bruddtype.KONFLIKT),
        (versjon(A.VEDTAK_OM_PERMANENT_STANS, kilde=Kilde.REGELMOTOR), "4223", False, Bruddtype.KONFLIKT),
        (versjon(A.FLYTTET, kilde=Kilde.REGELMOTOR), "4223", True, None),  # Flyttet: whoever set it
        (versjon(A.UTVANDRET, kilde=Kilde.REGELMOTOR), "4223", True, None),
        (versjon(A.DOD, kilde=Kilde.REGELMOTOR), "4223", True, None),
        (versjon(A.FLYTTET, kommune="0301"), "4223", True, None),  # another kommune's Flyttet
        (versjon(A.ARBEID, slettet=True), "4223", False, Bruddtype.KONFLIKT),  # already deleted
    ],
)
def test_rules_4_5_and_4_6_edit_or_delete_only_own_except_flyttet_utvandret_dod(
    avslutning, kommune, oppfylt, bruddtype
):
    u = regler.kan_endre_avslutning(Omfang(Rolle.SAKSBEHANDLER, kommune, skrive=True), avslutning)
    assert u.oppfylt is oppfylt, u
    assert u.bruddtype is (bruddtype or Bruddtype.UGYLDIG)


def test_rule_4_6_kommune_may_add_over_a_regelmotor_avslutning_but_not_over_its_own():
    regelmotorens = versjon(A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, kilde=Kilde.REGELMOTOR)
    assert regler.kan_ha_ny_kommuneavslutning(program(avslutninger=(regelmotorens,))).oppfylt
    egen = versjon(A.ARBEID)
    u = regler.kan_ha_ny_kommuneavslutning(program(avslutninger=(egen,)))
    assert not u.oppfylt and u.bruddtype is Bruddtype.KONFLIKT


def test_rule_4_6_kommune_avslutning_is_current_over_a_computed_one_even_before_the_retraction():
    regelmotorens = versjon(
        A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, kilde=Kilde.REGELMOTOR, naa=datetime(2024, 2, 1, tzinfo=UTC)
    )
    egen = versjon(A.ARBEID, naa=datetime(2024, 1, 1, tzinfo=UTC))  # registered earlier, still wins
    assert regler.gjeldende_avslutning(program(avslutninger=(regelmotorens, egen))) == egen


def test_rule_4_5_history_keeps_every_version_newest_first_and_deleted_marked():
    id_ = uuid4()
    v1 = versjon(A.ARBEID, id_=id_, naa=datetime(2023, 6, 2, tzinfo=UTC))
    v2 = replace(
        v1, versjon=2, arsak=A.GRUNNSKOLE, timer_arbeid_per_uke=None, registrert_dato=datetime(2023, 7, 1, tzinfo=UTC)
    )
    v3 = replace(v2, versjon=3, slettet=True, registrert_dato=datetime(2023, 8, 1, tzinfo=UTC))
    p = program(avslutninger=(v1, v3, v2))
    assert [x.versjon for x in regler.historikk(p)] == [3, 2, 1]
    assert regler.gjeldende_avslutning(p) is None


# --- DOMAIN.md §4 rule 7 (seed §3): permanent stans ------------------------------------------------------------


def test_rule_4_7_permanent_stans_awaits_the_kommunes_arsak_until_it_is_added():
    stans = versjon(A.VEDTAK_OM_PERMANENT_STANS, kilde=Kilde.REGELMOTOR)
    assert stans.avslutningstype is Avslutningstype.STANS
    p = program(avslutninger=(stans,))
    assert not regler.venter_paa_kommunens_arsak(p).oppfylt
    vurdering = regler.vurder_kommuneavslutning(
        p, arsak=A.ARBEID, avslutningsdato=date(2024, 1, 9), timer=Decimal("30.0"), ny=True, **PERSON
    )
    assert vurdering.godkjent
    med_egen = program(avslutninger=(stans, versjon(A.ARBEID)))
    assert regler.venter_paa_kommunens_arsak(med_egen).oppfylt
    assert regler.gjeldende_avslutning(med_egen).arsak is A.ARBEID


@pytest.mark.parametrize(
    "typ,fra,har_program,oppfylt",
    [
        (T.PERMANENT_STANS, date(2023, 6, 1), True, True),
        (T.PERMANENT_STANS, START - timedelta(days=1), True, False),
        (T.PERMANENT_STANS, date(2023, 6, 1), False, False),
        (T.PERMISJON, date(2023, 6, 1), False, False),
        (T.DELTAKELSE, date(2023, 6, 1), False, True),
        (T.AVSLAG, date(2023, 6, 1), False, True),
    ],
)
def test_rule_4_7_stans_forlengelse_and_permisjon_belong_to_a_programme(typ, fra, har_program, oppfylt):
    p = program() if har_program else program(vedtak(T.AVSLAG, START, None))
    assert regler.vedtak_etter_programstart(p, typ, fra).oppfylt is oppfylt


# --- DOMAIN.md §6: a sluttmål the regelverk does not know ------------------------------------------------------


@pytest.mark.parametrize(
    "lov,start,sluttmal,oppfylt",
    [
        (Lov.INTEGRERINGSLOVEN, date(2022, 1, 10), S.ARBEID_HAR_IKKE_VGO, True),
        (Lov.INTEGRERINGSLOVEN, date(2022, 1, 10), S.P14_ARBEID, False),  # Prop. 81 L code before 2026
        (Lov.INTEGRERINGSLOVEN, date(2026, 2, 1), S.P14_ARBEID, True),
        (Lov.INTEGRERINGSLOVEN, date(2026, 2, 1), S.ARBEID_HAR_IKKE_VGO, False),
        (Lov.INTEGRERINGSLOVEN, None, S.P13_ARBEID, True),
        (Lov.INTRODUKSJONSLOVEN, None, S.P13_ARBEID, False),  # introduksjonsloven has no sluttmål
        (Lov.INTRODUKSJONSLOVEN, date(2019, 1, 1), S.GRUNNSKOLE, False),
    ],
)
def test_section_6_unknown_sluttmal_for_the_regelverk_is_refused(lov, start, sluttmal, oppfylt):
    u = regler.sluttmal_finnes_i_regelverket(lov, start, sluttmal)
    assert u.oppfylt is oppfylt
    if not oppfylt:
        assert u.felt == "sluttmal" and u.bruddtype is Bruddtype.UGYLDIG


# --- DOMAIN.md §4 rule 8: access (the rule itself: shared/tilgang.py, tests/integration/test_tilgang.py) -------


@pytest.mark.parametrize(
    "omfang,oppfylt",
    [
        (Omfang(Rolle.SAKSBEHANDLER, "0301", skrive=True), True),  # kommune-wide: every bydel
        (Omfang(Rolle.SAKSBEHANDLER, "0301", "030102", skrive=True), True),  # the bydel it was registered in
        (Omfang(Rolle.SAKSBEHANDLER, "0301", "030104", skrive=True), False),  # another bydel's
    ],
)
def test_rule_4_8_an_avslutning_registered_in_another_bydel_is_not_the_users(omfang, oppfylt):
    u = regler.kan_endre_avslutning(omfang, versjon(A.ARBEID, kommune="0301", bydel="030102"))
    assert u.oppfylt is oppfylt and (oppfylt or u.bruddtype is Bruddtype.FORBUDT)


# --- the composite ----------------------------------------------------------------------------------------------


def test_all_broken_input_rules_are_reported_together():
    v = regler.vurder_kommuneavslutning(
        program(), arsak=A.ARBEID, avslutningsdato=date(2030, 1, 1), timer=None, ny=True, **PERSON
    )
    assert {u.felt for u in v.brudd} == {"timer_arbeid_per_uke", "avslutningsdato"}
    assert v.advarsel is None  # no warning while the request is refused


def test_rule_4_4_an_opphevet_vedtak_does_not_run_past_the_date():
    p = program(
        vedtak(til=date(2023, 12, 31)),
        vedtak(T.FORLENGELSE, date(2024, 1, 10), None, resultat=Vedtaksresultat.OPPHEVET),
    )
    a = regler.vedtak_og_tiltak_etter_avslutningsdato(date(2023, 12, 31), p)
    assert a is None


def test_rule_4_2_no_regelverk_for_the_programstart_is_a_conflict_not_a_crash():
    # integreringsloven applies from 2021-01-01: a programme «started» in 2019 under it has no regelverk
    p = program(vedtak(fra=date(2019, 5, 1), til=None))
    u = regler.avslutningsdato_innenfor_frist(date(2019, 6, 1), p)
    assert not u.oppfylt and u.bruddtype is Bruddtype.KONFLIKT and "kan ikke beregnes" in u.melding


@pytest.mark.parametrize(
    "lov,typ,fra,oppfylt",
    [
        (Lov.INTEGRERINGSLOVEN, T.DELTAKELSE, date(2020, 12, 31), False),
        (Lov.INTEGRERINGSLOVEN, T.DELTAKELSE, date(2021, 1, 1), True),
        (Lov.INTRODUKSJONSLOVEN, T.DELTAKELSE, date(2019, 1, 1), True),
        (Lov.INTEGRERINGSLOVEN, T.PERMISJON, date(2020, 1, 1), True),  # only deltakelse sets the programstart
    ],
)
def test_section_6_deltakelse_must_start_under_a_regelverk_of_the_lov(lov, typ, fra, oppfylt):
    u = regler.programstart_har_regelverk(lov, typ, fra)
    assert u.oppfylt is oppfylt
    if not oppfylt:
        assert u.felt == "periode.fra"


# --- Issue #11 §3, DOMAIN.md §4 «bad input»: dates that make sense in time ---------------------------------------


@pytest.mark.parametrize(
    "dato,oppfylt",
    [(FODT - timedelta(days=1), False), (FODT, True), (FODT + timedelta(days=1), True), (date(1970, 1, 1), False)],
)  # the issue: {"avvist_dato": 0} → 01.01.1970
def test_nothing_in_a_programme_is_dated_before_the_persons_birth(dato, oppfylt):
    u = regler.ikke_for_fodselsdato("avvist_dato", dato, FODT)
    assert u.oppfylt is oppfylt
    if not oppfylt:
        assert u.felt == "avvist_dato" and u.bruddtype is Bruddtype.UGYLDIG
        assert u.melding == "avvist dato kan ikke være før personens fødselsdato"
        assert FODT.isoformat() not in u.melding  # a 422 ends up in client logs


def test_the_programmes_time_runs_from_introduksjonsloven_to_the_longest_programme_ahead():
    """Rundskriv H-20/03: «Introduksjonsloven trådte i kraft fra 1. september 2003»; seed imdi-resultater-
    introduksjonsordningen-2007: «Fra september 2004 har det vært obligatorisk … å tilby introduksjonsprogram».
    Ahead: the longest programme in varighet.yaml (Prop. 81 L fag- og yrkesopplæring, «Inntil 5 år»), the
    oppstartsfrist window (24 months) and 12 months of permisjon."""
    assert date(2003, 9, 1) == regler.TIDLIGSTE_PROGRAMDATO
    assert regler.maaneder_fram_i_tid() == 60 + 24 + 12
    assert regler.seneste_programdato(IDAG) == date(2032, 6, 1)


@pytest.mark.parametrize(
    "dato,oppfylt,i_melding",
    [
        (date(2003, 8, 31), False, "kan ikke være før 2003-09-01, da introduksjonsloven trådte i kraft"),
        (date(2003, 9, 1), True, ""),
        (date(2032, 6, 1), True, ""),
        (date(2032, 6, 2), False, "kan ikke være senere enn 2032-06-01 (8 år fram i tid"),
        (date(2199, 12, 31), False, "senere enn"),
    ],
)
def test_a_programme_date_lies_within_the_programmes_time(dato, oppfylt, i_melding):
    u = regler.innenfor_programmets_tid("periode.til", dato, IDAG)
    assert u.oppfylt is oppfylt
    if not oppfylt:
        assert u.felt == "periode.til" and u.melding.startswith("til-dato ") and i_melding in u.melding


def test_every_date_of_a_registration_is_judged_and_reported_together_once_per_field():
    brudd = [
        u
        for u in regler.datoer_i_tid(
            {
                "vedtaksdato": date(1970, 1, 1),
                "periode.fra": date(2002, 1, 1),
                "periode.til": None,
                "fastsatt_dato": date(2022, 1, 3),
            },
            fodselsdato=date(1980, 5, 1),
            idag=IDAG,
        )
        if not u.oppfylt
    ]
    assert [(u.felt, u.regel) for u in brudd] == [
        ("vedtaksdato", "DOMAIN.md §4 dato ikke før fødselsdato"),  # before birth: that, not the range as well
        ("periode.fra", regler.innenfor_programmets_tid("periode.fra", date(2002, 1, 1), IDAG).regel),
    ]


def test_a_person_born_after_the_programme_began_is_judged_by_the_fodselsdato():
    # born 2005, so a 2004 date is before both; the more specific message wins
    (u,) = regler.datoer_i_tid({"avvist_dato": date(2004, 6, 1)}, fodselsdato=date(2005, 1, 1), idag=IDAG)
    assert not u.oppfylt and "fødselsdato" in u.melding


@pytest.mark.parametrize(
    "fodselsdato,bosatt,feil",
    [
        (FODT, date(2021, 9, 1), []),
        (FODT, FODT - timedelta(days=1), ["bosettingsdato"]),
        (IDAG + timedelta(days=1), date(2021, 9, 1), ["fodselsdato"]),  # alone: the rest would repeat it
        (IDAG, IDAG, []),
    ],
)
def test_the_persons_own_dates(fodselsdato, bosatt, feil):
    utfall = regler.personens_datoer(fodselsdato=fodselsdato, bosettingsdato=bosatt, idag=IDAG)
    assert [u.felt for u in utfall if not u.oppfylt] == feil


def test_an_avslutningsdato_before_birth_is_one_error_not_a_frist_error_as_well():
    v = regler.vurder_kommuneavslutning(
        program(), arsak=A.GRUNNSKOLE, avslutningsdato=date(1970, 1, 1), timer=None, ny=True, **PERSON
    )
    assert [(u.felt, u.melding) for u in v.brudd] == [
        ("avslutningsdato", "avslutningsdato kan ikke være før personens fødselsdato")
    ]


def test_rule_4_3_the_decimal_message_shows_the_form_json_accepts():
    """DOMAIN.md §4 rule 3 «e.g. 30,0» is NIR's display; the API takes 30.5 or "30.5", never "30,5"."""
    u = regler.timer_arbeid_per_uke(A.ARBEID, Decimal("30.25"))
    assert "30.5" in u.melding and "30,0" not in u.melding
