"""Who may see and change a deltaker (DOMAIN.md §4.8; the identity contract): one pure rule for registrering,
rapport and the web application, and the SQL filter derived from the same definition.

A caller's authority is an `Omfang`: IMDi's national view (reads every kommune, writes nothing), one kommune,
or one Oslo bydel within its kommune — and whether it may write (a saksbehandler, or a fagsystem whose token
carries the write scope) or only read (lesetilgang, IMDi, a fagsystem with the read scope only).

`vilkar(omfang)` is the rule itself: the placement columns a deltaker must have to be visible, as (column,
value) pairs. `kan_se` evaluates them on a deltaker's placement, `sql_filter` writes them as a WHERE clause;
both come from `vilkar`, so the report and the API cannot disagree (tests/unit/test_tilgang.py runs both).

A deltaker the caller cannot see is answered as one that does not exist (`SKJULT` → 404): an answer must not
tell a kommune that another kommune's person is in NIR. `FORBUDT` (→ 403) is for a deltaker the caller sees
but may not change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

REGEL = "DOMAIN.md §4.8 tilgang"
# The placement columns, named as in every service's tables (registrering's deltaker, rapport's rapport_rad).
KOMMUNE, BYDEL = "oppfolgingskommune", "bydel"


class Rolle(StrEnum):
    """The caseworker roles of the identity contract's `roller` claim, and the system client."""

    SAKSBEHANDLER = "SAKSBEHANDLER"  # reads and writes the kommune's (or bydel's) deltakere
    LESETILGANG = "LESETILGANG"  # reads them
    IMDI = "IMDI"  # reads every kommune, writes nothing
    FAGSYSTEM = "FAGSYSTEM"  # a kommune's fagsystem (Maskinporten); writes with the write scope
    # IMDi's bosetting system (Maskinporten, IMDi's organisation, scope imdi:nir.avslutning.opphold): reports the
    # opphold facts kategori and lov are computed from (issue #13 §1); sees and changes no deltaker.
    OPPHOLDSKILDE = "OPPHOLDSKILDE"


class Handling(StrEnum):
    LESE = "lese"
    SKRIVE = "skrive"
    OPPHOLD = "opphold"  # report opphold facts: the oppholdskilde's one operation, and nobody else's


@dataclass(frozen=True)
class Omfang:
    rolle: Rolle
    kommunenummer: str | None = None
    bydelsnummer: str | None = None
    skrive: bool = False

    def __post_init__(self) -> None:
        if self.rolle is Rolle.IMDI:
            if self.kommunenummer or self.bydelsnummer or self.skrive:
                raise ValueError("IMDi leser alle kommuner og skriver ingenting")
        elif self.rolle is Rolle.OPPHOLDSKILDE:
            if self.kommunenummer or self.bydelsnummer or self.skrive:
                raise ValueError("oppholdskilden ser ingen deltakere og skriver bare opphold")
        elif not self.kommunenummer:
            raise ValueError(f"{self.rolle} krever et kommunenummer")
        if self.bydelsnummer and not self.bydelsnummer.startswith(self.kommunenummer or "-"):
            raise ValueError("bydelen må ligge i kommunen")

    @property
    def nasjonal(self) -> bool:
        return self.rolle is Rolle.IMDI


@dataclass(frozen=True)
class Plassering:
    """Where a deltaker is followed up: the oppfølgingskommune and, in Oslo, the bydel."""

    oppfolgingskommune: str
    bydel: str | None = None


def vilkar(omfang: Omfang) -> tuple[tuple[str, str], ...]:
    """The rule: the placement a visible deltaker must have, column by column (none for IMDi)."""
    if omfang.nasjonal:
        return ()
    if omfang.rolle is Rolle.OPPHOLDSKILDE:
        return ((KOMMUNE, ""),)  # no deltaker is placed in kommune "": it sees none
    assert omfang.kommunenummer is not None
    betingelser: tuple[tuple[str, str], ...] = ((KOMMUNE, omfang.kommunenummer),)
    if omfang.bydelsnummer:
        betingelser += ((BYDEL, omfang.bydelsnummer),)
    return betingelser


def kan_se(omfang: Omfang, plassering: Plassering) -> bool:
    verdier = {KOMMUNE: plassering.oppfolgingskommune, BYDEL: plassering.bydel}
    return all(verdier[kolonne] == verdi for kolonne, verdi in vilkar(omfang))


def sql_filter(omfang: Omfang, *, forste_parameter: int = 1, tabell: str = "") -> tuple[str, list[str]]:
    """`vilkar` as SQL: a condition with numbered parameters from `forste_parameter`, and their values.
    `tabell` qualifies the columns (e.g. "d")."""
    betingelser = vilkar(omfang)
    if not betingelser:
        return "true", []
    prefiks = f"{tabell}." if tabell else ""
    sql = " AND ".join(f"{prefiks}{kolonne} = ${forste_parameter + i}" for i, (kolonne, _) in enumerate(betingelser))
    return sql, [verdi for _, verdi in betingelser]


class Avgjorelse(StrEnum):
    TILLATT = "TILLATT"
    SKJULT = "SKJULT"  # outside the caller's view: answered as unknown (404)
    FORBUDT = "FORBUDT"  # seen, but the caller may not do this (403)


@dataclass(frozen=True)
class Vurdering:
    avgjorelse: Avgjorelse
    melding: str = ""
    regel: str = REGEL

    @property
    def tillatt(self) -> bool:
        return self.avgjorelse is Avgjorelse.TILLATT


def _uten_skrivetilgang(omfang: Omfang) -> str:
    if omfang.nasjonal:
        return "IMDi har lesetilgang; registreringer gjøres av oppfølgingskommunen"
    if omfang.rolle is Rolle.FAGSYSTEM:
        return "klienten har bare lesetilgang (mangler scope imdi:nir.avslutning.skriv)"
    if omfang.rolle is Rolle.OPPHOLDSKILDE:
        return "oppholdskilden registrerer bare opphold (POST /api/v1/opphold)"
    return "du har bare lesetilgang i NIR"


def vurder(omfang: Omfang, handling: Handling, plassering: Plassering) -> Vurdering:
    """May the caller do `handling` on a deltaker placed at `plassering`?"""
    if not kan_se(omfang, plassering):
        return Vurdering(Avgjorelse.SKJULT, "deltakeren finnes ikke")
    if handling is Handling.SKRIVE and not omfang.skrive:
        return Vurdering(Avgjorelse.FORBUDT, _uten_skrivetilgang(omfang))
    return Vurdering(Avgjorelse.TILLATT)


def kan_registrere(omfang: Omfang, plassering: Plassering) -> Vurdering:
    """May the caller place a deltaker (new, or changed) at `plassering`? Only within its own view, with write
    access: a kommune registers the persons it follows up, never another kommune's (nothing is hidden here:
    the placement is the caller's own input)."""
    if not omfang.skrive:
        return Vurdering(Avgjorelse.FORBUDT, _uten_skrivetilgang(omfang))
    if not kan_se(omfang, plassering):
        hvor = f"bydel {omfang.bydelsnummer}" if omfang.bydelsnummer else f"kommune {omfang.kommunenummer}"
        return Vurdering(Avgjorelse.FORBUDT, f"du kan bare registrere deltakere som følges opp av {hvor}")
    return Vurdering(Avgjorelse.TILLATT)


def filter_innenfor(omfang: Omfang, oppfolgingskommune: str | None, bydel: str | None) -> Vurdering:
    """A report filter asks for a kommune or bydel: within the caller's view, or 403 (a request about a
    kommune, not a person; the rows are limited by `sql_filter` whatever the filter says)."""
    if omfang.nasjonal:
        return Vurdering(Avgjorelse.TILLATT)
    if oppfolgingskommune and oppfolgingskommune != omfang.kommunenummer:
        return Vurdering(Avgjorelse.FORBUDT, f"du har bare tilgang til oppfølgingskommune {omfang.kommunenummer}")
    if bydel and (
        not bydel.startswith(omfang.kommunenummer or "-")
        or (omfang.bydelsnummer is not None and bydel != omfang.bydelsnummer)
    ):
        hvor = f"bydel {omfang.bydelsnummer}" if omfang.bydelsnummer else f"kommune {omfang.kommunenummer}"
        return Vurdering(Avgjorelse.FORBUDT, f"du har bare tilgang til {hvor}")
    return Vurdering(Avgjorelse.TILLATT)
