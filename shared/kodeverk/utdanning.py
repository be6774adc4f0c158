"""Utdanningsbakgrunn (issue #13 §2): whether the person has education at upper-secondary level or higher, which
decides § 13 or § 14 of integreringsloven and so which sluttmål are allowed.

Seed nir-ny-integreringslov-endringer-2021: «en enkel registrering der kommunen skal angi om personen har
videregående opplæring fra før eller ikke». Seed prop81L-2024-2025 lines 111–134: «en utdanning som oppfyller
utdanningskravet på listen om Generell studiekompetanse for søkere med utenlandsk utdanning (GSU-listen)», «selv
om vedkommende ikke tilfredsstiller språkkravet i norsk og engelsk», the Ukraina exception («Personer med
fullført videregående opplæring fra Ukraina anses for å ha utdanning på videregående nivå, selv om de ikke
oppfyller kravet om høyere utdanning i tillegg») and «ikke krav til at utdanningen er dokumentert»: so the
kommune's answer is taken as given, with no document field.
"""

from __future__ import annotations

from enum import StrEnum


class Utdanningsbakgrunn(StrEnum):
    VGO_ELLER_HOYERE = "VGO_ELLER_HOYERE"  # meets the GSU list's education requirement (language not required)
    VGO_FRA_UKRAINA = "VGO_FRA_UKRAINA"  # fullført videregående from Ukraina: counts as upper-secondary
    IKKE_VGO = "IKKE_VGO"


class Utdanningskrav(StrEnum):
    """Which utdanningsbakgrunn a sluttmål is for (shared/regelverk/varighet.yaml `utdanning`)."""

    MED_VGO = "MED_VGO"  # integreringsloven § 13
    UTEN_VGO = "UTEN_VGO"  # integreringsloven § 14


UTDANNINGSNAVN: dict[Utdanningsbakgrunn, str] = {
    Utdanningsbakgrunn.VGO_ELLER_HOYERE: "Utdanning på videregående nivå eller høyere (GSU-listen)",
    Utdanningsbakgrunn.VGO_FRA_UKRAINA: "Fullført videregående opplæring fra Ukraina",
    Utdanningsbakgrunn.IKKE_VGO: "Ikke utdanning på videregående nivå",
}

KRAVNAVN: dict[Utdanningskrav, str] = {
    Utdanningskrav.MED_VGO: "deltakere med utdanning på videregående nivå eller høyere (integreringsloven § 13)",
    Utdanningskrav.UTEN_VGO: (
        "deltakere som ikke har utdanning på videregående nivå eller høyere (integreringsloven § 14)"
    ),
}


def krav_for(u: Utdanningsbakgrunn) -> Utdanningskrav:
    """The paragraph the person's utdanningsbakgrunn puts them under (the Ukraina exception counts as § 13)."""
    return Utdanningskrav.UTEN_VGO if u is Utdanningsbakgrunn.IKKE_VGO else Utdanningskrav.MED_VGO
