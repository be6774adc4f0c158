"""Vedtak types and resultater (DOMAIN.md §2; seed nir-brukerveiledning-avslutning-2023 §3)."""

from __future__ import annotations

from enum import StrEnum


class Vedtakstype(StrEnum):
    DELTAKELSE = "DELTAKELSE"  # deltakelse i introduksjonsprogram: start and planned end
    FORLENGELSE = "FORLENGELSE"
    PERMISJON = "PERMISJON"
    MIDLERTIDIG_STANS = "MIDLERTIDIG_STANS"
    PERMANENT_STANS = "PERMANENT_STANS"
    AVSLAG = "AVSLAG"


VEDTAKSTYPENAVN: dict[Vedtakstype, str] = {
    Vedtakstype.DELTAKELSE: "Deltakelse i introduksjonsprogram",
    Vedtakstype.FORLENGELSE: "Forlengelse",
    Vedtakstype.PERMISJON: "Permisjon",
    Vedtakstype.MIDLERTIDIG_STANS: "Midlertidig stans",
    Vedtakstype.PERMANENT_STANS: "Permanent stans",
    Vedtakstype.AVSLAG: "Avslag",
}


class Vedtaksresultat(StrEnum):
    # «Vedtak fattet» is the only resultat the seed shows (§3). The others are what a vedtak can
    # otherwise become after klage; no seed names them yet, so only a fattet vedtak has any effect.
    VEDTAK_FATTET = "VEDTAK_FATTET"
    OPPHEVET = "OPPHEVET"


VEDTAKSRESULTATNAVN: dict[Vedtaksresultat, str] = {
    Vedtaksresultat.VEDTAK_FATTET: "Vedtak fattet",
    Vedtaksresultat.OPPHEVET: "Vedtak opphevet",
}


class Fravaerstype(StrEnum):
    GYLDIG = "GYLDIG"  # extends the gjennomføringsfrist (seed nir-ny-integreringslov-endringer-2021)
    UGYLDIG = "UGYLDIG"


FRAVAERSTYPENAVN: dict[Fravaerstype, str] = {
    Fravaerstype.GYLDIG: "Gyldig fravær",
    Fravaerstype.UGYLDIG: "Ugyldig fravær",
}
