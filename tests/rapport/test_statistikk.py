"""Personvern in the statistics (issue #17 §1; seed imdi-resultater-introduksjonsordningen-2007 p. 8: «I enkelte
kommuner vil antall deltakere være så lavt at hensynet til personvern ikke kan ivaretas»): the primary and
secondary rule of services/rapport/statistikk.py, and an adversary who tries to recover a prikket line from
the lines shown and the sums they must satisfy, with exact linear algebra."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from services.rapport import statistikk
from shared.kodeverk.avslutningsarsaker import Maaloppnaaelsesgruppe as G

ARBEID, VGO, ANNET, IKKE = G.ARBEID, G.UTDANNING_VGO, G.ANNET, G.INNGAR_IKKE


def t(forlenget: int = 0, **per_gruppe: int) -> statistikk.Telling:
    navn = {"arbeid": ARBEID, "vgo": VGO, "annet": ANNET, "ikke": IKKE}
    g = {navn[k]: v for k, v in per_gruppe.items()}
    return statistikk.Telling(tuple(g.get(x, 0) for x in statistikk.GRUPPER), forlenget)


def tre(blader: dict[str, tuple[str, statistikk.Telling]], mellom: dict[str, str]) -> statistikk.Tre:
    """Leaves with their parent and counts; inner nodes (parent given in `mellom`) summed from below."""
    forelder: dict[str, str | None] = {"landet": None, **mellom, **{b: f for b, (f, _) in blader.items()}}
    telling = {b: x for b, (_, x) in blader.items()}
    for b, (_f, x) in blader.items():
        n = forelder[b]
        while n is not None:
            telling[n] = telling.get(n, statistikk.Telling()) + x
            n = forelder[n]
    return statistikk.Tre(telling=telling, forelder=forelder)


def test_primary_rule_counts_of_one_to_four_are_not_shown():
    assert statistikk.kan_vises(t(arbeid=5, annet=0, forlenget=0))
    assert statistikk.kan_vises(t(arbeid=12, vgo=5, forlenget=5))
    assert not statistikk.kan_vises(t(arbeid=12, vgo=3))  # three in utdanning: who they are is easy to guess
    assert not statistikk.kan_vises(t(arbeid=12, forlenget=11))  # one without forlengelse
    assert not statistikk.kan_vises(t(ikke=2, arbeid=10))  # the two outside the base count too


def test_one_small_kommune_takes_its_smallest_neighbour_with_it():
    # Tabell 2's case: a fylke of three kommuner, one with three avsluttede
    x = tre(
        {
            "k1": ("f1", t(arbeid=3)),
            "k2": ("f1", t(arbeid=20, vgo=10)),
            "k3": ("f1", t(arbeid=40, vgo=10, annet=5)),
            "k4": ("f2", t(arbeid=30, vgo=5, annet=10)),
            "k5": ("f2", t(arbeid=30, vgo=5, annet=10)),
        },
        {"f1": "landet", "f2": "landet"},
    )
    assert statistikk.prikk(x) == {"k1", "k2"}  # k2, the smaller neighbour, hides k1 from f1 − k2 − k3


def test_two_small_neighbours_are_not_revealed_as_their_sum():
    # 1 + 2 = 3 would be f1 − k3: the sum of what is prikket must pass the rule too
    x = tre(
        {"k1": ("f1", t(arbeid=1)), "k2": ("f1", t(arbeid=2)), "k3": ("f1", t(arbeid=50)), "k4": ("f1", t(arbeid=60))},
        {"f1": "landet"},
    )
    p = statistikk.prikk(x)
    assert {"k1", "k2", "k3"} <= p and "k4" not in p


def test_a_kommune_alone_with_one_other_in_its_fylke_does_not_learn_the_other():
    # The user is k1: knows its own 30, sees f1 — and f1 − k1 would be k2's 3 persons
    x = tre(
        {"k1": ("f1", t(arbeid=30)), "k2": ("f1", t(arbeid=3)), "k3": ("f2", t(arbeid=50)), "k4": ("f2", t(arbeid=40))},
        {"f1": "landet", "f2": "landet"},
    )
    p = statistikk.prikk(x, usynlig={"k2", "k3", "k4"}, kjent={"k1"})
    assert "f1" in p and "k1" not in p
    assert "f2" in p or "landet" in p  # else landet − f2 = f1


def test_time_in_programme_whole_months_nearest_rank_from_ten_persons():
    assert statistikk.maaneder_i_program(730) == 23 and statistikk.maaneder_i_program(731) == 24  # 2 years = 730.5 days
    assert statistikk.kvartil([1, 2, 3, 4], 0.5) == 2 and statistikk.kvartil([1, 2, 3, 4, 5], 0.5) == 3
    assert statistikk.kvartil([7, 1, 3, 9], 0.25) == 1 and statistikk.kvartil([7, 1, 3, 9], 0.75) == 7
    assert statistikk.tid_i_program({24: 9}) is None
    maaneder = [12, 12, 13, 20, 24, 24, 25, 30, 36, 40, 41]
    tid = statistikk.tid_i_program({m: maaneder.count(m) for m in maaneder})
    assert tid is not None and tid.antall == 11
    assert (tid.nedre_kvartil, tid.median, tid.ovre_kvartil) == tuple(
        statistikk.kvartil(maaneder, p) for p in (0.25, 0.5, 0.75)
    )


def test_codes_within_a_gruppe_are_prikket_in_pairs_summing_to_five_or_more():
    gruppe = {"A1": "Arbeid", "A2": "Arbeid", "A3": "Arbeid", "D": "Annet"}
    assert statistikk.prikk_koder({"A1": 2, "A2": 40, "A3": 50, "D": 9}, gruppe, {}) == {"A1", "A2"}
    assert statistikk.prikk_koder({"A1": 2, "A2": 2, "A3": 50, "D": 9}, gruppe, {}) == {"A1", "A2", "A3"}
    # a kommune that knows its own 8 of A3's 10 would learn the other two: prikket for it
    assert statistikk.prikk_koder({"A1": 20, "A2": 40, "A3": 10, "D": 9}, gruppe, {"A3": 8}) == {"A1", "A3"}


# --- the adversary ----------------------------------------------------------------------------------------------


def bestemte(x: statistikk.Tre, ukjente: set[str]) -> set[str]:
    """The unknown lines whose value follows from the sums (parent = Σ children, for each count separately)
    and the known lines: an unknown is determined when its unit vector lies in the row space of the
    equations restricted to the unknowns (exact rational Gaussian elimination)."""
    kol = sorted(ukjente)
    indeks = {n: i for i, n in enumerate(kol)}
    rader = []
    for n, barn in x.barn.items():
        if not barn:
            continue
        rad = [Fraction(0)] * len(kol)
        for m, k in [(n, 1), *((b, -1) for b in barn)]:
            if m in indeks:
                rad[indeks[m]] += k
        if any(rad):
            rader.append(rad)
    basis = _trappeform(rader)
    return {n for n in kol if _i_radrom(basis, [Fraction(int(i == indeks[n])) for i in range(len(kol))])}


def _trappeform(rader: list[list[Fraction]]) -> list[list[Fraction]]:
    basis: list[list[Fraction]] = []
    for r in rader:
        r = _reduser(basis, r)
        if any(r):
            basis.append(r)
    return basis


def _reduser(basis: list[list[Fraction]], r: list[Fraction]) -> list[Fraction]:
    r = list(r)
    for b in basis:
        p = next(i for i, v in enumerate(b) if v)
        if r[p]:
            f = r[p] / b[p]
            r = [a - f * c for a, c in zip(r, b, strict=True)]
    return r


def _i_radrom(basis: list[list[Fraction]], v: list[Fraction]) -> bool:
    # the basis is reduced in order, so reducing v by it once tells
    return not any(_reduser(basis, v))


def er_under(x: statistikk.Tre, n: str, over: str) -> bool:
    m: str | None = n
    while m is not None:
        if m == over:
            return True
        m = x.forelder[m]
    return False


def tilfeldig_tre(rnd: random.Random) -> statistikk.Tre:
    blader: dict[str, tuple[str, statistikk.Telling]] = {}
    mellom: dict[str, str] = {}
    for f in range(rnd.randint(2, 5)):
        mellom[f"f{f}"] = "landet"
        for k in range(rnd.randint(1, 6)):
            med_bydeler = rnd.random() < 0.2
            if med_bydeler:
                mellom[f"k{f}.{k}"] = f"f{f}"
            for b in range(rnd.randint(2, 5) if med_bydeler else 1):
                storrelse = rnd.choice([1, 2, 3, 6, 15, 40])
                navn = f"b{f}.{k}.{b}" if med_bydeler else f"k{f}.{k}"
                blader[navn] = (
                    f"k{f}.{k}" if med_bydeler else f"f{f}",
                    t(
                        arbeid=rnd.randint(0, storrelse),
                        vgo=rnd.randint(0, storrelse // 2),
                        annet=rnd.randint(0, storrelse),
                        ikke=rnd.choice([0, 0, 1, 5]),
                        forlenget=rnd.randint(0, storrelse),
                    ),
                )
    return tre(blader, mellom)


@pytest.mark.parametrize("seed", range(200))
def test_the_adversary_recovers_no_prikket_line(seed):
    rnd = random.Random(seed)
    x = tilfeldig_tre(rnd)
    # IMDi's view: everything visible, nothing known
    p = statistikk.prikk(x)
    assert all(statistikk.kan_vises(x.telling[n]) for n in x.telling if n not in p)
    assert not bestemte(x, set(p)), "a prikket line follows from the lines shown"
    for n in x.barn:  # what the shown lines reveal about the prikket ones together passes the rule
        if n not in p and x.barn[n]:
            rest = x.telling[n] - sum((x.telling[b] for b in x.barn[n] if b not in p), statistikk.Telling())
            assert rest.tom or statistikk.kan_vises(rest) or any(b in p and x.barn[b] for b in x.barn[n])
    # a kommune's view: it knows its own line, sees landet and the fylker, and no other kommune
    kommuner = [n for n in x.forelder if n.startswith("k")]
    egen = rnd.choice(kommuner)
    kjent = {egen, *x.barn[egen]}
    usynlig = {n for n in x.forelder if n[0] in "kb" and n not in kjent}
    p = statistikk.prikk(x, usynlig=usynlig, kjent=kjent)
    for n in bestemte(x, (p | usynlig) - kjent):
        # what it can work out is its own figures, or lines that pass the rule (a fylke prikket for the
        # outsider's sake): nothing about a small group of other kommuners' deltakere
        andres = x.telling[n] - sum((x.telling[k] for k in {egen} if er_under(x, k, n)), statistikk.Telling())
        assert andres.tom or statistikk.kan_vises(andres), f"the kommune learns {n}: {andres}"
    # and an outsider reading the kommune's page (its own line, when prikket, is unknown to them)
    assert not bestemte(x, p | usynlig), "the kommune's page gives away its prikket line"
