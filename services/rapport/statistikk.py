"""Måloppnåelse as IMDi publishes it (seed imdi-resultater-introduksjonsordningen-2007, DOMAIN.md §7), with
personvern: which figures may be shown, pure and synchronous (no I/O, no clock).

A *linje* is one area in one year (landet, a fylke, a kommune, an Oslo bydel) under one lov, and holds the
counts of its avsluttede per måloppnåelsesgruppe and with forlengelse. Lines nest: landet = Σ fylker,
fylke = Σ kommuner, a kommune with bydeler = Σ bydeler + those without a bydel. Nothing else is published
that adds lines up: no sum over years or over both laws, so each year and lov is a tree of its own.

**The rule** (services/rapport/README.md «Personvern»): a line is shown whole or not at all («prikket»).

- *Primary*: a line is prikket when one of its disjoint counts — each måloppnåelsesgruppe, with forlengelse,
  without — is 1 to TERSKEL − 1. Zero is shown (it names nobody).
- *Secondary*: a prikket line must not be derivable from the lines shown. For every sum relation (a parent
  and its children) either none or at least two of its members are prikket; and what the shown lines reveal
  about the prikket ones together (the parent minus the shown lines below it) must itself pass the primary
  rule, or be zero: two small kommuner prikket side by side would otherwise be revealed as their sum.
  When a relation breaks this, its smallest shown child is prikket too (the parent when there is none),
  until nothing changes. In a tree of sums this leaves no prikket line determined by any combination of
  the shown ones (tests/rapport/test_statistikk.py tries, with exact linear algebra).
- *What the viewer knows*: lines outside what a user may see count as prikket; the lines of the user's own
  area (a kommune's own deltakere, which it reads person by person in the report) count as known. The
  rule is applied both for an outsider reading the page and for the user knowing its own figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.kodeverk.avslutningsarsaker import Maaloppnaaelsesgruppe

# Fewer than 5 persons in a cell is not shown: the threshold of Norwegian official statistics for counts of
# persons (a cell of 1–4 can be matched to someone known to belong to the area).
TERSKEL = 5
# Median and quartiles are values of individual persons: shown for 10 persons or more.
TERSKEL_TID = 10

GRUPPER: tuple[Maaloppnaaelsesgruppe, ...] = tuple(Maaloppnaaelsesgruppe)
_INDEKS = {g: i for i, g in enumerate(GRUPPER)}
# As domain.telling counts Tabell 2: «Arbeid og utdanning» once, as jobb.
JOBB = (_INDEKS[Maaloppnaaelsesgruppe.ARBEID], _INDEKS[Maaloppnaaelsesgruppe.ARBEID_OG_UTDANNING])
UTDANNING = (_INDEKS[Maaloppnaaelsesgruppe.UTDANNING_HOY_FAGSKOLE], _INDEKS[Maaloppnaaelsesgruppe.UTDANNING_VGO])
_UTENFOR = _INDEKS[Maaloppnaaelsesgruppe.INNGAR_IKKE]


@dataclass(frozen=True)
class Telling:
    """One line's counts: per måloppnåelsesgruppe (in GRUPPER's order) and with forlengelse."""

    grupper: tuple[int, ...] = (0,) * len(GRUPPER)
    forlenget: int = 0

    def __add__(self, o: Telling) -> Telling:
        return Telling(tuple(a + b for a, b in zip(self.grupper, o.grupper, strict=True)), self.forlenget + o.forlenget)

    def __sub__(self, o: Telling) -> Telling:
        return Telling(tuple(a - b for a, b in zip(self.grupper, o.grupper, strict=True)), self.forlenget - o.forlenget)

    def gruppe(self, g: Maaloppnaaelsesgruppe) -> int:
        return self.grupper[_INDEKS[g]]

    @property
    def totalt(self) -> int:
        return sum(self.grupper)

    @property
    def avsluttet(self) -> int:
        """Tabell 2's base: all but «Inngår ikke i tallgrunnlaget for måloppnåelse»."""
        return self.totalt - self.grupper[_UTENFOR]

    @property
    def i_jobb(self) -> int:
        return self.grupper[JOBB[0]] + self.grupper[JOBB[1]]

    @property
    def i_utdanning(self) -> int:
        return self.grupper[UTDANNING[0]] + self.grupper[UTDANNING[1]]

    @property
    def celler(self) -> tuple[int, ...]:
        """The disjoint counts the rule looks at: every other figure of the line is a sum of these."""
        return (*self.grupper, self.forlenget, self.totalt - self.forlenget)

    @property
    def tom(self) -> bool:
        return self.totalt == 0 and self.forlenget == 0


def telling(gruppe: str, forlenget: bool) -> Telling:
    """One person's contribution."""
    i = _INDEKS[Maaloppnaaelsesgruppe(gruppe)]
    return Telling(tuple(int(j == i) for j in range(len(GRUPPER))), int(forlenget))


def kan_vises(t: Telling) -> bool:
    """The primary rule: every disjoint count is 0 or at least TERSKEL."""
    return all(c == 0 or c >= TERSKEL for c in t.celler)


@dataclass(frozen=True)
class Tre:
    """Lines of one year and lov: their counts and who is whose parent (the root has none)."""

    telling: Mapping[str, Telling]
    forelder: Mapping[str, str | None]
    barn: Mapping[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        barn: dict[str, list[str]] = {n: [] for n in self.forelder}
        for n, f in self.forelder.items():
            if f is not None:
                barn[f].append(n)
        object.__setattr__(self, "barn", {n: tuple(sorted(b)) for n, b in barn.items()})


def prikk(tre: Tre, *, usynlig: Iterable[str] = (), kjent: Iterable[str] = ()) -> frozenset[str]:
    """The lines not to show, for a viewer who cannot see `usynlig` and knows `kjent` exactly.

    Both views are protected: an outsider who reads the page (for whom the viewer's own lines, when prikket,
    are unknown) and the viewer who knows its own lines (and so learns what the rest of its fylke adds up to)."""
    usynlig, kjent = frozenset(usynlig), frozenset(kjent)
    primaer = {n for n, t in tre.telling.items() if not kan_vises(t)}
    # the viewer's own lines are the last to be prikket for the outsider's sake: its fylke goes first
    utenfra = _sikre(tre, primaer | usynlig, frozenset(), behold=kjent)
    if not kjent:
        return frozenset(utenfra)
    innenfra = _sikre(tre, (utenfra - kjent) | usynlig, kjent, behold=kjent)
    return frozenset(utenfra | innenfra)


def _sikre(tre: Tre, start: set[str], kjent: frozenset[str], behold: frozenset[str]) -> set[str]:
    """Add secondary suppressions to `start` until every sum relation is safe (module docstring); the lines in
    `behold` only when nothing else will do."""
    skjult = set(start)

    def skjult_del(n: str) -> Telling:
        """What of a prikket line the shown lines below it do not tell."""
        if n in kjent or n not in skjult:
            return Telling()
        if not tre.barn[n]:
            return tre.telling[n]
        return sum((skjult_del(b) for b in tre.barn[n]), Telling())

    def velg(kandidater: Iterable[str], unntatt: frozenset[str] = behold) -> str | None:
        frie = [n for n in kandidater if n not in skjult and n not in kjent and n not in unntatt]
        return min(frie, key=lambda n: (tre.telling[n].totalt, n), default=None)

    def sekundaer(n: str) -> str | None:
        """The smallest shown child, else the parent, else (a viewer's own) child."""
        return velg(tre.barn[n]) or velg([n]) or velg(tre.barn[n], frozenset())

    endret = True
    while endret:
        endret = False
        for n in sorted(tre.forelder):
            barn = tre.barn[n]
            if not barn:
                continue
            ukjente = [m for m in (n, *barn) if m in skjult and m not in kjent]
            ny: str | None = None
            if len(ukjente) == 1:
                ny = sekundaer(n)
            elif n not in skjult or n in kjent:
                avslort = sum((skjult_del(b) for b in barn), Telling())
                if not avslort.tom and not kan_vises(avslort):
                    ny = sekundaer(n)
            if ny is not None:
                skjult.add(ny)
                endret = True
    return skjult


# --- time in programme ------------------------------------------------------------------------------------------

DAGER_PER_MAANED = 365.25 / 12  # also in migration 0007's maaneder_i_program


@dataclass(frozen=True)
class Tid:
    """Whole months from programme start to avslutningsdato: median and quartiles (the spread), nearest rank."""

    median: int
    nedre_kvartil: int
    ovre_kvartil: int
    antall: int


def maaneder_i_program(dager: int) -> int:
    """Whole months completed (as the migration's SQL function): the 2007 report's «tid i programmet»."""
    return int(dager // DAGER_PER_MAANED)


def kvartil(maaneder: Sequence[int], p: float) -> int:
    """Nearest rank (PostgreSQL's percentile_disc): the first value whose cumulative share reaches p."""
    d = sorted(maaneder)
    return d[max(0, math.ceil(p * len(d)) - 1)]


def tid_i_program(histogram: Mapping[int, int]) -> Tid | None:
    """Median and quartiles (nearest rank, as `kvartil`) from persons per whole month; None under TERSKEL_TID
    persons (each is one person's own value)."""
    n = sum(histogram.values())
    if n < TERSKEL_TID:
        return None
    grenser = [math.ceil(p * n) for p in (0.25, 0.5, 0.75)]
    svar: list[int] = []
    kum = 0
    for m in sorted(histogram):
        kum += histogram[m]
        while len(svar) < 3 and kum >= grenser[len(svar)]:
            svar.append(m)
    return Tid(median=svar[1], nedre_kvartil=svar[0], ovre_kvartil=svar[2], antall=n)


# --- sluttårsak by code, at the national level ------------------------------------------------------------------


def prikk_koder(per_kode: Mapping[str, int], gruppe_av: Mapping[str, str], kjent: Mapping[str, int]) -> frozenset[str]:
    """The codes of one shown line (landet) whose counts are not shown. Its counts per gruppe are shown, and
    each code belongs to one gruppe, so each gruppe is a sum relation of its own: primary for 1 to TERSKEL − 1
    (and, for a viewer who knows `kjent` of its own, when the rest of the country is 1 to TERSKEL − 1), then
    within a gruppe none or at least two prikket, together 0 or at least TERSKEL."""

    def liten(n: int) -> bool:
        return 0 < n < TERSKEL

    skjult = {k for k, n in per_kode.items() if liten(n) or liten(n - kjent.get(k, 0))}
    for g in set(gruppe_av.values()):
        koder = sorted((k for k in per_kode if gruppe_av[k] == g), key=lambda k: (per_kode[k], k))
        while True:
            s = [k for k in koder if k in skjult]
            sum_skjult = sum(per_kode[k] for k in s)
            rest = sum_skjult - sum(kjent.get(k, 0) for k in s)
            if not s or (len(s) >= 2 and not liten(sum_skjult) and not liten(rest)):
                break
            frie = [k for k in koder if k not in skjult]
            if not frie:
                break  # the whole gruppe is prikket; its total is a shown figure the rule has passed
            skjult.add(frie[0])
    return frozenset(skjult)
