"""Sluttmål (DOMAIN.md §6): the participant's end goal, which sets the programme's maximum length.

Two generations exist: integreringsloven as enacted (2021) and as amended by Prop. 81 L (2024–2025).
Which sluttmål a regelverk version accepts, and their durations, live in shared/regelverk/varighet.yaml.
Introduksjonsloven has no sluttmål.

Names: «Fullføre videregående opplæring - under 25 år» and the start «Arbeid, person har ikke…» are seen
in the seed nir-brukerveiledning-avslutning-2023 (§2 and §9 screenshots); the Prop. 81 L names are the
seed prop81L-2024-2025 tables. The other 2021 names are ASSUMPTIONS built from IMDi's «Sluttmål og
varighet i integreringsloven» (18.01.2021) groups: NIR's own code list is not public.
"""

from __future__ import annotations

from enum import StrEnum


class Sluttmalkode(StrEnum):
    # integreringsloven as enacted (2021)
    ARBEID_HAR_VGO = "ARBEID_HAR_VGO"
    HOYERE_UTDANNING_HAR_VGO = "HOYERE_UTDANNING_HAR_VGO"
    FULLFORE_VGO_UNDER_25 = "FULLFORE_VGO_UNDER_25"
    FULLFORE_VGO_OVER_25 = "FULLFORE_VGO_OVER_25"
    ARBEID_HAR_IKKE_VGO = "ARBEID_HAR_IKKE_VGO"
    GRUNNSKOLE = "GRUNNSKOLE"
    DELER_AV_VGO = "DELER_AV_VGO"
    # integreringsloven as amended by Prop. 81 L (2024–2025): § 13 (has upper-secondary or higher)
    P13_ARBEID = "P13_ARBEID"
    P13_FORBEREDE_UTDANNING = "P13_FORBEREDE_UTDANNING"
    # … and § 14 (no upper-secondary education)
    P14_ARBEID = "P14_ARBEID"
    P14_VGO_STUDIEFORBEREDENDE = "P14_VGO_STUDIEFORBEREDENDE"
    P14_VGO_FAG_OG_YRKE = "P14_VGO_FAG_OG_YRKE"
    P14_DELER_AV_VGO = "P14_DELER_AV_VGO"


SLUTTMALNAVN: dict[Sluttmalkode, str] = {
    Sluttmalkode.ARBEID_HAR_VGO: "Arbeid, person har utdanning på videregående nivå",
    Sluttmalkode.HOYERE_UTDANNING_HAR_VGO: "Høyere utdanning, person har utdanning på videregående nivå",
    Sluttmalkode.FULLFORE_VGO_UNDER_25: "Fullføre videregående opplæring - under 25 år",
    Sluttmalkode.FULLFORE_VGO_OVER_25: "Fullføre videregående opplæring - over 25 år",
    Sluttmalkode.ARBEID_HAR_IKKE_VGO: "Arbeid, person har ikke utdanning på videregående nivå",
    Sluttmalkode.GRUNNSKOLE: "Fullføre deler eller hele grunnskolen",
    Sluttmalkode.DELER_AV_VGO: "Fullføre deler av videregående opplæring",
    Sluttmalkode.P13_ARBEID: "Arbeid (§ 13)",
    Sluttmalkode.P13_FORBEREDE_UTDANNING: (
        "Forberede for utdanning over videregående nivå eller yrkesfaglig rekvalifisering"
    ),
    Sluttmalkode.P14_ARBEID: "Arbeid (§ 14)",
    Sluttmalkode.P14_VGO_STUDIEFORBEREDENDE: ("Fullføre videregående opplæring – studieforberedende utdanningsprogram"),
    Sluttmalkode.P14_VGO_FAG_OG_YRKE: "Fullføre videregående opplæring – fag- og yrkesopplæring",
    Sluttmalkode.P14_DELER_AV_VGO: "Fullføre deler av videregående opplæring (§ 14)",
}
