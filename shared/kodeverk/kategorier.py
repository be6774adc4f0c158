"""Kategorier and lover (DOMAIN.md §2; seed nir-ny-integreringslov-endringer-2021).

Only the kategorier that give a right to or an offer of introduksjonsprogram matter to avslutning; the
seed lists the same two names under both laws.
"""

from __future__ import annotations

from enum import StrEnum


class Lov(StrEnum):
    INTEGRERINGSLOVEN = "integreringsloven"
    INTRODUKSJONSLOVEN = "introduksjonsloven"


class Kategori(StrEnum):
    RETT_OG_PLIKT = "RETT_OG_PLIKT"
    KAN_TILBYS = "KAN_TILBYS"


KATEGORINAVN: dict[Kategori, str] = {
    Kategori.RETT_OG_PLIKT: "Rett og plikt til introduksjonsprogram",
    Kategori.KAN_TILBYS: "Kan tilbys introduksjonsprogram",
}

LOVNAVN: dict[Lov, str] = {
    Lov.INTEGRERINGSLOVEN: "Integreringsloven",
    Lov.INTRODUKSJONSLOVEN: "Introduksjonsloven",
}
