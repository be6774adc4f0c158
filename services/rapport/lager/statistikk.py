"""Reading the statistics (issue #17): måloppnåelse for every level, sluttårsak per gruppe and code, time in
programme and forlengelse, from the counters migration 0007 keeps beside the report rows; personvern
(services/rapport/statistikk.py) decides which lines leave.
"""

from __future__ import annotations

import asyncpg

from services.plumbing.auth import Bruker
from services.rapport import domain, statistikk
from services.rapport.lager.sporringer import Ugyldig
from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import AVSLUTNINGSARSAKER, Maaloppnaaelsesgruppe, avslutningsarsak
from shared.kodeverk.kategorier import Lov

LANDET = "landet"


def _node(nivaa: str, nummer: str) -> str:
    return f"{nivaa}:{nummer}"


def synlighet(bruker: Bruker, tre: statistikk.Tre) -> tuple[set[str], set[str]]:
    """(usynlig, kjent): the lines the user may not see, and those of its own area, whose deltakere it reads
    person by person in the report. IMDi sees every line and none as known: its view is the publishable one.
    A kommune sees landet, every fylke and its own kommune (with its bydeler); an Oslo bydel its own bydel and
    Oslo; nobody another kommune's or bydel's line (tilgang: a kommune learns of only its own deltakere)."""
    if bruker.imdi:
        return set(), set()
    kommune = _node("kommune", bruker.kommunenummer or "")
    if bruker.bydelsnummer:
        kjent = {_node("bydel", bruker.bydelsnummer)}
        apne = {kommune, *kjent}
    else:
        kjent = {kommune} | {n for n, f in tre.forelder.items() if f == kommune}
        apne = set(kjent)
    usynlig = {n for n in tre.forelder if n.split(":")[0] in ("kommune", "bydel", "utenbydel") and n not in apne}
    return usynlig, kjent


async def aarspenn(conn: asyncpg.Connection, lov: Lov) -> tuple[int, int]:
    """The first and last avslutningsår of the lov over the whole country (this year's when none)."""
    lav, hoy = await conn.fetchrow(
        "SELECT min(avslutningsaar), max(avslutningsaar) FROM rapport_rad WHERE lov = $1", lov.value
    )
    if lav is None:
        aar = await conn.fetchval("SELECT extract(year FROM now())::int")
        return aar, aar
    return lav, hoy


_NIVAAER = """GROUPING SETS ((avslutningsaar), (avslutningsaar, oppfolgingsfylke),
    (avslutningsaar, oppfolgingsfylke, oppfolgingskommune),
    (avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel))"""
_GRUPPEKOLONNER = ", ".join(
    f"coalesce(sum(antall) FILTER (WHERE gruppe = ${i + 4}), 0)::int AS g{i}" for i in range(len(statistikk.GRUPPER))
)
_G = [f"g{i}" for i in range(len(statistikk.GRUPPER))]


async def statistikk_tall(conn: asyncpg.Connection, bruker: Bruker, lov: Lov, fra_aar: int, til_aar: int) -> dict:
    """Måloppnåelse, sluttårsak per gruppe and per code, time in programme and forlengelse, per year in
    fra_aar–til_aar, for every level the user may see; what personvern does not allow is prikket
    (services/rapport/statistikk.py). Read from the counters migration 0007 keeps beside the report rows, over
    the whole country whatever the user's scope — the fylke and national figures need them — and only the lines
    statistikk.prikk lets through leave."""
    if fra_aar > til_aar:
        raise Ugyldig("fra_aar", "kan ikke være etter til_aar", kode="periode_rekkefolge")
    if til_aar - fra_aar > 20:
        raise Ugyldig("til_aar", "høyst 20 år om gangen", kode="periode_lengde")
    periode = (lov.value, fra_aar, til_aar)
    linjerader = await conn.fetch(
        f"""SELECT avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel,
                   GROUPING(oppfolgingsfylke, oppfolgingskommune, bydel) AS g, {_GRUPPEKOLONNER},
                   sum(forlenget)::int AS forlenget
            FROM statistikk_gruppe WHERE lov = $1 AND avslutningsaar BETWEEN $2 AND $3
            GROUP BY {_NIVAAER}""",
        *periode,
        *(g.value for g in statistikk.GRUPPER),
    )
    # Time in programme: persons per whole month, summed per fylke (landet adds them up), and per bydel for the
    # kommuner with bydeler and the user's own kommune (a kommune's time is shown to itself; IMDi reads it per
    # fylke and per Oslo bydel: a histogram per kommune for all of them would be most of the table).
    per_fylke = await conn.fetch(
        """SELECT avslutningsaar, oppfolgingsfylke, maaneder, sum(antall)::int AS n FROM statistikk_tid
           WHERE lov = $1 AND avslutningsaar BETWEEN $2 AND $3 AND antall <> 0 GROUP BY 1, 2, 3""",
        *periode,
    )
    med_bydel = sorted({r["oppfolgingskommune"] for r in linjerader if r["g"] == 0 and r["bydel"]})
    egne = sorted({*med_bydel, *([bruker.kommunenummer] if bruker.kommunenummer else [])})
    per_omraade = await conn.fetch(
        """SELECT avslutningsaar, oppfolgingskommune, bydel, maaneder, sum(antall)::int AS n FROM statistikk_tid
           WHERE lov = $1 AND avslutningsaar BETWEEN $2 AND $3 AND oppfolgingskommune = ANY($4::text[])
             AND antall <> 0 GROUP BY 1, 2, 3, 4""",
        *periode,
        egne,
    )
    kodetall = await conn.fetch(
        """SELECT avslutningsaar, arsak, sum(antall)::int AS antall FROM statistikk_arsak
           WHERE lov = $1 AND avslutningsaar BETWEEN $2 AND $3 GROUP BY 1, 2 HAVING sum(antall) <> 0""",
        *periode,
    )
    egne_koder: list[asyncpg.Record] = []
    if not bruker.imdi:
        bydel = "AND bydel = $5" if bruker.bydelsnummer else ""
        egne_koder = await conn.fetch(
            f"""SELECT avslutningsaar, arsak, sum(antall)::int AS antall FROM statistikk_arsak_kommune
                WHERE lov = $1 AND avslutningsaar BETWEEN $2 AND $3 AND oppfolgingskommune = $4 {bydel}
                GROUP BY 1, 2""",
            *periode,
            bruker.kommunenummer,
            *([bruker.bydelsnummer] if bruker.bydelsnummer else []),
        )
    per_aar: dict[int, tuple[list, ...]] = {a: ([], [], [], [], []) for a in range(fra_aar, til_aar + 1)}
    for i, rader in enumerate((linjerader, per_fylke, per_omraade, kodetall, egne_koder)):
        for r in rader:
            per_aar[r["avslutningsaar"]][i].append(r)
    aarene = []
    for aar in range(til_aar, fra_aar - 1, -1):
        lr, fr, orr, kr, ekr = per_aar[aar]
        tre, navn = _tre(lr)
        usynlig, kjent = synlighet(bruker, tre)
        prikket = statistikk.prikk(tre, usynlig=usynlig, kjent=kjent)
        tid = {n: statistikk.tid_i_program(h) for n, h in _histogrammer(tre, fr, orr).items()}
        linjer = [_linje(n, tre, navn, n in prikket, tid.get(n)) for n in _rekkefolge(tre) if n not in usynlig]
        vis_koder = LANDET in tre.telling and LANDET not in prikket
        aarene.append(dict(aar=aar, linjer=linjer, koder=_koder(kr, ekr) if vis_koder else []))
    return dict(lov=lov.value, fra_aar=fra_aar, til_aar=til_aar, terskel=statistikk.TERSKEL, aar=aarene)


def _node_av(r: asyncpg.Record) -> str:
    """The line of a grouping-sets row (GROUPING bits: fylke 4, kommune 2, bydel 1, set when not grouped)."""
    g = r["g"]
    if g == 0b111:
        return LANDET
    if g == 0b011:
        return _node("fylke", r["oppfolgingsfylke"])
    if g == 0b001:
        return _node("kommune", r["oppfolgingskommune"])
    return _node("bydel", r["bydel"]) if r["bydel"] else _node("utenbydel", r["oppfolgingskommune"])


def _histogrammer(
    tre: statistikk.Tre, per_fylke: list[asyncpg.Record], per_omraade: list[asyncpg.Record]
) -> dict[str, dict[int, int]]:
    """Persons per whole month for landet, each fylke, and the kommuner and bydeler read per area."""
    h: dict[str, dict[int, int]] = {}

    def legg_til(n: str, m: int, antall: int) -> None:
        h.setdefault(n, {})
        h[n][m] = h[n].get(m, 0) + antall

    for r in per_fylke:
        legg_til(_node("fylke", r["oppfolgingsfylke"]), r["maaneder"], r["n"])
        legg_til(LANDET, r["maaneder"], r["n"])
    for r in per_omraade:
        kommune = _node("kommune", r["oppfolgingskommune"])
        legg_til(kommune, r["maaneder"], r["n"])
        under = _node("bydel", r["bydel"]) if r["bydel"] else _node("utenbydel", r["oppfolgingskommune"])
        if under in tre.forelder:
            legg_til(under, r["maaneder"], r["n"])
    return h


def _tre(rader: list[asyncpg.Record]) -> tuple[statistikk.Tre, dict[str, str]]:
    """The year's tree of lines from the grouping-sets rows."""
    med_bydel = {r["oppfolgingskommune"] for r in rader if r["g"] == 0 and r["bydel"]}
    telling: dict[str, statistikk.Telling] = {}
    forelder: dict[str, str | None] = {}
    navn: dict[str, str] = {LANDET: "Hele landet"}
    for r in rader:
        if r["g"] == 0 and r["oppfolgingskommune"] not in med_bydel:
            continue
        t = statistikk.Telling(tuple(r[g] for g in _G), r["forlenget"])
        if t.tom:  # an area whose persons have all left the year (the counters stay, at zero)
            continue
        n = _node_av(r)
        telling[n] = t
        if r["g"] == 0b011:
            forelder[n], navn[n] = LANDET, _fylkesnavn(r["oppfolgingsfylke"])
        elif r["g"] == 0b001:
            forelder[n], navn[n] = _node("fylke", r["oppfolgingsfylke"]), _kommunenavn(r["oppfolgingskommune"])
        elif r["g"] == 0:
            forelder[n] = _node("kommune", r["oppfolgingskommune"])
            navn[n] = _bydelsnavn(r["bydel"]) if r["bydel"] else "Uten bydel"
        else:
            forelder[n] = None
    return statistikk.Tre(telling=telling, forelder=forelder), navn


def _fylkesnavn(nummer: str) -> str:
    f = geografi.fylker().get(nummer)
    return f.navn if f else nummer


def _kommunenavn(nummer: str) -> str:
    k = geografi.kommuner().get(nummer)
    return k.navn if k else nummer


def _bydelsnavn(nummer: str) -> str:
    b = geografi.bydeler().get(nummer)
    return b.navn if b else nummer


def _rekkefolge(tre: statistikk.Tre) -> list[str]:
    """Landet, then as Tabell 2 the fylker with the highest andel i jobb eller utdanning first, each fylke's
    kommuner after it (likewise ordered) and a kommune's bydeler after the kommune."""

    def andel(n: str) -> float:
        t = tre.telling[n]
        return -(domain.andel(t.i_jobb + t.i_utdanning, t.avsluttet) or 0.0)

    ut: list[str] = []

    def besok(n: str) -> None:
        ut.append(n)
        for b in sorted(tre.barn[n], key=lambda b: (andel(b), b)):
            besok(b)

    if LANDET in tre.telling:
        besok(LANDET)
    return ut


def _linje(n: str, tre: statistikk.Tre, navn: dict[str, str], prikket: bool, tid: statistikk.Tid | None) -> dict:
    t = tre.telling[n]
    nivaa, _, nummer = n.partition(":")
    forelder = tre.forelder[n]
    linje: dict = dict(
        id=n,
        nivaa=nivaa,
        nummer=nummer or None,
        navn=navn[n],
        forelder=forelder,
        prikket=prikket,
    )
    if prikket:
        return linje
    jou = t.i_jobb + t.i_utdanning
    linje |= dict(
        avsluttet=t.avsluttet,
        utenfor_tallgrunnlaget=t.gruppe(Maaloppnaaelsesgruppe.INNGAR_IKKE),
        i_jobb=t.i_jobb,
        i_utdanning=t.i_utdanning,
        i_jobb_eller_utdanning=jou,
        andel_i_jobb=domain.andel(t.i_jobb, t.avsluttet),
        andel_i_utdanning=domain.andel(t.i_utdanning, t.avsluttet),
        andel_i_jobb_eller_utdanning=domain.andel(jou, t.avsluttet),
        grupper={g.value: t.gruppe(g) for g in statistikk.GRUPPER},
        forlenget=t.forlenget,
        andel_forlenget=domain.andel(t.forlenget, t.totalt),
        tid_i_program=None
        if tid is None
        else dict(median=tid.median, nedre_kvartil=tid.nedre_kvartil, ovre_kvartil=tid.ovre_kvartil),
    )
    return linje


def _koder(rader: list[asyncpg.Record], egne: list[asyncpg.Record]) -> list[dict]:
    """Sluttårsak per code for the whole country, in the kodeverk's order; small counts prikket (also where
    the rest of the country beside the user's own area is small)."""
    per_kode = {r["arsak"]: r["antall"] for r in rader}
    eget = {r["arsak"]: r["antall"] for r in egne}
    gruppe_av = {k: avslutningsarsak(k).gruppe.value for k in per_kode}
    prikket = statistikk.prikk_koder(per_kode, gruppe_av, eget)
    ut = []
    for a in AVSLUTNINGSARSAKER.values():
        k = a.kode.value
        if k not in per_kode:
            continue
        ut.append(
            dict(
                kode=k,
                navn=a.navn,
                gruppe=a.gruppe.value,
                prikket=k in prikket,
                antall=None if k in prikket else per_kode[k],
            )
        )
    return ut
