"""Oppholdsgrunnlag: the ground of a person's oppholdstillatelse, the fact (from UDI through IMDi's bosetting,
never from the kommune) that with the person's age decides the kategori (shared/regelverk/kategori.py).

Which grounds give the right and duty to introduksjonsprogram: integreringsloven §§ 8–9, as IMDi lists them
(«Målgruppe for introduksjonsprogram etter integreringsloven», imdi.no, 01.03.2022): flyktning (utlendingsloven
§ 28), overføringsflyktning (§ 35), sterke menneskelige hensyn etter søknad om asyl (§ 38), begrenset tillatelse
til medlem av barnefamilie (§ 38 femte ledd a/b), kollektiv beskyttelse (§ 34), familieinnvandring med disse
(kapittel 6, referansepersonen bosatt under fem år), selvstendig grunnlag (§ 53). The data is in
shared/regelverk/kategori.yaml, with its source per ground.
"""

from __future__ import annotations

from enum import StrEnum


class Oppholdsgrunnlag(StrEnum):
    FLYKTNING = "FLYKTNING"
    OVERFORINGSFLYKTNING = "OVERFORINGSFLYKTNING"
    STERKE_MENNESKELIGE_HENSYN = "STERKE_MENNESKELIGE_HENSYN"
    BEGRENSET_BARNEFAMILIE = "BEGRENSET_BARNEFAMILIE"
    KOLLEKTIV_BESKYTTELSE = "KOLLEKTIV_BESKYTTELSE"
    FAMILIEGJENFORENT_MED_FLYKTNING = "FAMILIEGJENFORENT_MED_FLYKTNING"
    SELVSTENDIG_GRUNNLAG = "SELVSTENDIG_GRUNNLAG"
    PERMANENT_OPPHOLD = "PERMANENT_OPPHOLD"
    ANNET = "ANNET"  # arbeid, studier, familieinnvandring med andre enn flyktninger …


OPPHOLDSGRUNNLAGNAVN: dict[Oppholdsgrunnlag, str] = {
    Oppholdsgrunnlag.FLYKTNING: "Flyktning (utlendingsloven § 28)",
    Oppholdsgrunnlag.OVERFORINGSFLYKTNING: "Overføringsflyktning (utlendingsloven § 35)",
    Oppholdsgrunnlag.STERKE_MENNESKELIGE_HENSYN: (
        "Sterke menneskelige hensyn etter søknad om asyl (utlendingsloven § 38)"
    ),
    Oppholdsgrunnlag.BEGRENSET_BARNEFAMILIE: (
        "Begrenset tillatelse, medlem av barnefamilie (utlendingsloven § 38 femte ledd)"
    ),
    Oppholdsgrunnlag.KOLLEKTIV_BESKYTTELSE: "Kollektiv beskyttelse (utlendingsloven § 34)",
    Oppholdsgrunnlag.FAMILIEGJENFORENT_MED_FLYKTNING: "Familiegjenforent med flyktning (utlendingsloven kapittel 6)",
    Oppholdsgrunnlag.SELVSTENDIG_GRUNNLAG: "Selvstendig grunnlag (utlendingsloven § 53)",
    Oppholdsgrunnlag.PERMANENT_OPPHOLD: "Permanent oppholdstillatelse",
    Oppholdsgrunnlag.ANNET: "Annet grunnlag (arbeid, studier, annen familieinnvandring)",
}
