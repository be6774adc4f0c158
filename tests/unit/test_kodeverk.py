"""The kodeverk against its sources: DOMAIN.md §3 and the tables of seed nir-brukerveiledning-avslutning-2023
§10–12, read from the seed file itself (docs/seeds/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import (
    AVSLUTNINGSARSAKER,
    Avslutningsarsakkode,
    Avslutningstype,
    Kilde,
    Maaloppnaaelsesgruppe,
    avslutningsarsak,
)

SEED = Path(__file__).resolve().parents[2] / "docs" / "seeds" / "nir-brukerveiledning-avslutning-2023.txt"


def seed_tables() -> dict[str, list[tuple[str, str, str]]]:
    """The rows of the seed's «Avslutningskoder» tables: §10–11 (kommune) and §12 (regelmotor)."""
    tables: dict[str, list[tuple[str, str, str]]] = {"kommune": [], "regelmotor": []}
    current = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.startswith("## 10 ") or line.startswith("## 11 "):
            current = "kommune"
        elif line.startswith("## 12 "):
            current = "regelmotor"
        elif line.startswith("Avslutningskoder\t") or current is None:
            continue
        elif line.count("\t") == 2:
            navn, gruppe, tekst = line.split("\t")
            tables[current].append((navn, gruppe, tekst))
    return tables


def test_there_are_28_codes_as_in_domain_section_3():
    assert len(AVSLUTNINGSARSAKER) == 28 == len(Avslutningsarsakkode)
    assert len({a.navn for a in AVSLUTNINGSARSAKER.values()}) == 28


def test_kommune_codes_match_seed_section_10_11_letter_for_letter():
    rows = seed_tables()["kommune"]
    assert len(rows) == 23
    kommunens = [a for a in AVSLUTNINGSARSAKER.values() if a.kan_registreres_av_kommunen]  # in the seed's order
    assert [(a.navn, a.gruppe.value, a.veiledningstekst) for a in kommunens] == rows


def test_regelmotor_codes_match_seed_section_12_letter_for_letter():
    rows = seed_tables()["regelmotor"]
    computed = [a for a in AVSLUTNINGSARSAKER.values() if a.beregnes_av_regelmotor]
    assert len(rows) == 8
    assert sorted((a.navn, a.gruppe.value, a.veiledningstekst) for a in computed) == sorted(rows)


@pytest.mark.parametrize("kode", ["FLYTTET", "UTVANDRET", "DOD"])
def test_folkeregister_codes_are_set_by_both_and_editable_whoever_set_them(kode):
    # Seed §4 tips and §12 tips: Flyttet, Utvandret and Død «kan redigeres, uavhengig av om kilden er
    # regelmotor eller kommunen».
    a = avslutningsarsak(kode)
    assert a.kan_settes_av == {Kilde.KOMMUNE, Kilde.REGELMOTOR}
    assert a.redigerbar_uansett_kilde


@pytest.mark.parametrize(
    "kode",
    [
        "AVSLUTNINGSARSAK_IKKE_REGISTRERT",
        "UTGATT_OPPSTARTSFRIST",
        "IKKE_LENGER_I_KATEGORI",
        "PERSON_AVVIST_PROGRAM",
        "VEDTAK_OM_PERMANENT_STANS",
    ],
)
def test_regelmotor_only_codes_are_not_a_choice_for_the_kommune(kode):
    # DOMAIN.md §3 «R only»; seed §12 «ikke et valgalternativ for kommunen».
    a = avslutningsarsak(kode)
    assert a.kan_settes_av == {Kilde.REGELMOTOR}
    assert not a.kan_registreres_av_kommunen and not a.redigerbar_uansett_kilde


def test_only_arbeid_requires_timer_and_only_permanent_stans_is_type_stans():
    # DOMAIN.md §4 rule 3; seed §3 («Stans — Vedtak om permanent stans — Regelmotor»).
    assert [a.kode for a in AVSLUTNINGSARSAKER.values() if a.krever_timer_arbeid_per_uke] == ["ARBEID"]
    assert [a.kode for a in AVSLUTNINGSARSAKER.values() if a.avslutningstype is Avslutningstype.STANS] == [
        "VEDTAK_OM_PERMANENT_STANS"
    ]


def test_codes_outside_the_maaloppnaaelse_base():
    # DOMAIN.md §7: gruppe «Inngår ikke i tallgrunnlaget for måloppnåelse» is left out of the base.
    utenfor = {a.navn for a in AVSLUTNINGSARSAKER.values() if not a.inngar_i_maaloppnaaelse}
    assert utenfor == {
        "Ikke lenger i kategori, mistet rett",
        "Utvandret",
        "Død",
        "Utgått oppstartsfrist",
        "Ikke lenger i kategori",
        "Person avvist program",
    }
    assert all(a.gruppe is Maaloppnaaelsesgruppe.INNGAR_IKKE for a in AVSLUTNINGSARSAKER.values() if a.navn in utenfor)


def test_unknown_code_is_a_clear_error():
    with pytest.raises(KeyError, match="ukjent avslutningsårsak: 'SLUTTET'"):
        avslutningsarsak("SLUTTET")


def test_geografi_from_ssb():
    assert len(geografi.kommuner()) == 357
    assert len(geografi.fylker()) == 15
    assert len(geografi.bydeler()) == 15
    assert geografi.kommuner()["4223"].navn == "Vennesla"
    assert geografi.fylke_for_kommune("4223").navn == "Agder"
    assert geografi.fylke_for_kommune("3201").navn == "Akershus"  # Bærum since 2024 (3024 in the seed)
    assert {b.navn for b in geografi.bydeler_i("0301")} >= {"Gamle Oslo", "Søndre Nordstrand"}
    assert all(k.fylkesnummer in geografi.fylker() for k in geografi.kommuner().values())
