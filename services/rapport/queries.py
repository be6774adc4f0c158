"""Reading the report: the filter as SQL, a page, the CSV cursor, the history, måloppnåelse.

Every query takes the Bruker's scope: a kommune user's queries are always limited to its own
oppfølgingskommune, and an Oslo bydel user's to its bydel (DOMAIN.md §4 rule 8), whatever filter it sends: the
condition is shared/tilgang.py's sql_filter, the one access rule.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

import asyncpg

from services.plumbing.auth import Bruker
from services.rapport import domain, projection, statistikk
from shared import tilgang
from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import AVSLUTNINGSARSAKER, Maaloppnaaelsesgruppe, avslutningsarsak
from shared.kodeverk.kategorier import Lov

RegistrertAv = Literal["alle", "kommunen", "regelmotor"]
Retning = Literal["stigende", "synkende"]
NB = 'COLLATE "nb-NO-x-icu"'

# Sortable columns: the table's columns (DOMAIN.md §7) and a few more; keys are the API's names.
SORTERING: dict[str, str] = {
    "duf_nummer": "duf_nummer",
    "fornavn": "fornavn_sort",
    "etternavn": "etternavn_sort",
    "kategori": f"kategori_navn {NB}",
    "sluttmal": f"sluttmal_navn {NB}",
    "avslutningsarsak": f"arsak_navn {NB}",
    "avslutningsdato": "avslutningsdato",
    "registrert_dato": "registrert_dato",
    "registrert_av": f"registrert_av {NB}",
    "oppfolgingskommune": f"kommune_navn {NB}",
    "frist": "frist_gjennomforing",
    "alder": "alder",
}
# After the chosen column, a stable order so paging never repeats or skips a row.
_TIEBREAK = {"etternavn": "fornavn_sort", "fornavn": "etternavn_sort"}


class Ugyldig(ValueError):
    """A filter value the report cannot use: answered 400 with the field and the reason."""

    def __init__(self, felt: str, grunn: str) -> None:
        super().__init__(f"{felt}: {grunn}")
        self.felt, self.grunn = felt, grunn


class IkkeTilgang(PermissionError):
    pass


@dataclass(frozen=True)
class Filter:
    lov: Lov
    oppfolgingskommune: str | None = None
    bydel: str | None = None
    kategori: str | None = None
    avslutningsaar: int | None = None
    registrert_av: RegistrertAv = "alle"
    duf_nummer: str | None = None
    navn: str | None = None

    def __post_init__(self) -> None:
        if self.oppfolgingskommune and not re.fullmatch(r"\d{4}", self.oppfolgingskommune):
            raise Ugyldig("oppfolgingskommune", "må være et kommunenummer med fire siffer")
        if self.bydel and not re.fullmatch(r"\d{6}", self.bydel):
            raise Ugyldig("bydel", "må være et bydelsnummer med seks siffer")
        if self.duf_nummer and not re.fullmatch(r"\d{1,12}", self.duf_nummer):
            raise Ugyldig("duf_nummer", "DUF-nummer består av siffer (opptil 12)")
        if self.avslutningsaar is not None and not 1990 <= self.avslutningsaar <= 2100:
            raise Ugyldig("avslutningsaar", "må være et årstall")
        if self.navn is not None and len(self.navn) > 100:
            raise Ugyldig("navn", "høyst 100 tegn")
        if self.navn is not None and re.search(r"[\x00-\x1f\x7f]", self.navn):  # PostgreSQL text holds no NUL
            raise Ugyldig("navn", "kan ikke inneholde kontrolltegn")

    def where(self, bruker: Bruker) -> tuple[str, list]:
        """The WHERE clause and its arguments, with the user's scope."""
        innenfor = tilgang.filter_innenfor(bruker.omfang, self.oppfolgingskommune, self.bydel)
        if not innenfor.tillatt:
            raise IkkeTilgang(innenfor.melding)
        omfang, filterverdier = tilgang.sql_filter(bruker.omfang, forste_parameter=2)
        args: list[object] = [self.lov.value, *filterverdier]
        deler = ["lov = $1", omfang]

        def legg_til(sql: str, verdi: object) -> None:
            args.append(verdi)
            deler.append(sql.replace("?", f"${len(args)}"))

        if self.oppfolgingskommune and bruker.imdi:  # a kommune user's own kommune is in the scope already
            legg_til("oppfolgingskommune = ?", self.oppfolgingskommune)
        if self.bydel and not bruker.bydelsnummer:
            legg_til("bydel = ?", self.bydel)
        if self.kategori:
            legg_til("kategori = ?", self.kategori)
        if self.avslutningsaar:
            legg_til("avslutningsaar = ?", self.avslutningsaar)
        if self.registrert_av == "kommunen":
            deler.append(f"kilde = '{domain.KOMMUNE}'")
        elif self.registrert_av == "regelmotor":
            deler.append(f"kilde = '{domain.REGELMOTOR}'")
        if self.duf_nummer:
            # a whole number is an exact match (index), a part of one a prefix search
            if len(self.duf_nummer) == 12:
                legg_til("duf_nummer = ?", self.duf_nummer)
            else:
                legg_til("duf_nummer LIKE ?", self.duf_nummer + "%")
        for (
            monster
        ) in self.navnemonstre():  # every word must start the fornavn or the etternavn («ola nord» finds Ola Nordmann)
            args.append(monster)
            n = len(args)
            deler.append(f"(fornavn_sort LIKE ${n} OR etternavn_sort LIKE ${n})")
        return " AND ".join(deler), args

    def navnemonstre(self) -> list[str]:
        """The name search's words as LIKE prefix patterns on the sort keys."""
        return [
            domain.sorteringsnokkel(o).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for o in (self.navn or "").split()
        ]


def order_by(sorter: str, retning: Retning) -> str:
    if sorter not in SORTERING:
        raise Ugyldig("sorter", f"ukjent kolonne; bruk en av {', '.join(SORTERING)}")
    dir_ = "DESC" if retning == "synkende" else "ASC"
    deler = [f"{SORTERING[sorter]} {dir_}"]
    if sorter in _TIEBREAK:
        deler.append(f"{_TIEBREAK[sorter]} {dir_}")
    elif sorter != "etternavn":
        deler += ["etternavn_sort ASC", "fornavn_sort ASC"]
    deler.append(f"deltaker_id {dir_}")
    return ", ".join(deler)


RAD_KOLONNER = (
    "deltaker_id, duf_nummer, fornavn, etternavn, kjonn, alder, kategori, kategori_navn, sluttmal, "
    "sluttmal_navn, arsak, arsak_navn, gruppe, avslutningstype, avslutningsdato, kilde, registrert_av, "
    "registrert_dato, oppfolgingskommune, kommune_navn, bydel, bydel_navn, oppfolgingsfylke, fylke_navn, "
    "frist_gjennomforing"
)


@dataclass
class Side:
    rader: list[dict]
    totalt: int
    side: int
    per_side: int
    fra: int = field(init=False)
    til: int = field(init=False)

    def __post_init__(self) -> None:
        self.fra = 0 if not self.rader else (self.side - 1) * self.per_side + 1
        self.til = 0 if not self.rader else self.fra + len(self.rader) - 1

    @property
    def tekst(self) -> str:
        """Seed §8: «Viser 1 - 25 av 507 linjer»."""
        return f"Viser {self.fra} - {self.til} av {self.totalt} linjer"

    @property
    def antall_sider(self) -> int:
        return max(1, -(-self.totalt // self.per_side))


async def side(
    conn: asyncpg.Connection,
    bruker: Bruker,
    f: Filter,
    *,
    side: int = 1,
    per_side: int = 25,
    sorter: str = "etternavn",
    retning: Retning = "stigende",
) -> Side:
    if side < 1:
        raise Ugyldig("side", "må være 1 eller mer")
    if not 1 <= per_side <= 500:
        raise Ugyldig("per_side", "må være mellom 1 og 500")
    where, args = f.where(bruker)
    orden = order_by(sorter, retning)
    monstre = f.navnemonstre()
    if not monstre:
        totalt = await conn.fetchval(f"SELECT count(*) FROM rapport_rad WHERE {where}", *args)
        rows = await conn.fetch(
            f"SELECT {RAD_KOLONNER} FROM rapport_rad WHERE {where} ORDER BY {orden}"
            f" LIMIT {per_side} OFFSET {(side - 1) * per_side}",
            *args,
        )
        return Side([dict(r) for r in rows], totalt, side, per_side)
    # A name search: «fornavn OR etternavn starts with …» as two disjoint parts, each a range of one name index
    # (etternavn matches the word; fornavn does and etternavn does not). With the OR itself PostgreSQL walks the
    # whole lov in name order and filters: a national search for a common prefix took a second (bench/rapport).
    args = [*args, max(monstre, key=len)]  # split on the longest word: the likeliest to be rare
    p = f"${len(args)}"
    etternavn = f"{where} AND etternavn_sort LIKE {p}"
    fornavn = f"{where} AND fornavn_sort LIKE {p} AND etternavn_sort NOT LIKE {p}"
    totalt = await conn.fetchval(
        f"SELECT (SELECT count(*) FROM rapport_rad WHERE {etternavn})"
        f" + (SELECT count(*) FROM rapport_rad WHERE {fornavn})",
        *args,
    )
    if sorter not in ("etternavn", "fornavn"):
        rows = await conn.fetch(
            f"SELECT {RAD_KOLONNER} FROM rapport_rad WHERE {where} ORDER BY {orden}"
            f" LIMIT {per_side} OFFSET {(side - 1) * per_side}",
            *args[:-1],
        )
        return Side([dict(r) for r in rows], totalt, side, per_side)
    # Sorted by name: the page's ids from the two parts (index only: the sort keys and the id are in the
    # name indexes), then the page's 25 rows.
    nok = side * per_side
    noekler = "etternavn_sort, fornavn_sort, deltaker_id"
    rows = await conn.fetch(
        f"SELECT {RAD_KOLONNER} FROM rapport_rad WHERE deltaker_id IN ("
        f" SELECT deltaker_id FROM ("
        f"  (SELECT {noekler} FROM rapport_rad WHERE {etternavn} ORDER BY {orden} LIMIT {nok})"
        f"  UNION ALL (SELECT {noekler} FROM rapport_rad WHERE {fornavn} ORDER BY {orden} LIMIT {nok})"
        f"  ORDER BY {orden} LIMIT {per_side} OFFSET {(side - 1) * per_side}) side)"
        f" ORDER BY {orden}",
        *args,
    )
    return Side([dict(r) for r in rows], totalt, side, per_side)


# The 15 CSV columns (DOMAIN.md §7) formatted by PostgreSQL: dates dd.mm.yyyy (registrert dato in Oslo time),
# so the Python side only joins fields; see csv_export.py.
CSV_KOLONNER = """duf_nummer, fornavn, etternavn,
    CASE kjonn WHEN 'K' THEN 'Kvinne' WHEN 'M' THEN 'Mann' ELSE kjonn END, alder::text, kategori_navn,
    sluttmal_navn, arsak_navn, gruppe, to_char(avslutningsdato, 'DD.MM.YYYY'), fylke_navn,
    kommune_navn || coalesce('/' || bydel_navn, ''),
    to_char(registrert_dato AT TIME ZONE 'Europe/Oslo', 'DD.MM.YYYY'), registrert_av,
    coalesce(to_char(frist_gjennomforing, 'DD.MM.YYYY'), '')"""


# The same 15 columns with their own types, for the spreadsheet (xlsx_export.py): dates as dates, Alder a number.
XLSX_KOLONNER = """duf_nummer, fornavn, etternavn,
    CASE kjonn WHEN 'K' THEN 'Kvinne' WHEN 'M' THEN 'Mann' ELSE kjonn END, alder, kategori_navn,
    sluttmal_navn, arsak_navn, gruppe, avslutningsdato, fylke_navn,
    kommune_navn || coalesce('/' || bydel_navn, ''),
    (registrert_dato AT TIME ZONE 'Europe/Oslo')::date, registrert_av, frist_gjennomforing"""


async def csv_batches(
    conn: asyncpg.Connection,
    bruker: Bruker,
    f: Filter,
    *,
    sorter: str = "etternavn",
    retning: Retning = "stigende",
    batch: int = 2000,
    kolonner: str = CSV_KOLONNER,
) -> AsyncIterator[list[asyncpg.Record]]:
    """All matching rows, `batch` at a time, through a server-side cursor: memory stays flat whatever the
    count. The caller holds `conn` in a transaction (cursors live in one)."""
    where, args = f.where(bruker)
    cur = await conn.cursor(
        f"SELECT {kolonner} FROM rapport_rad WHERE {where} ORDER BY {order_by(sorter, retning)}", *args
    )
    while rows := await cur.fetch(batch):
        yield rows


# --- history ------------------------------------------------------------------------------------------------------


async def historikk(conn: asyncpg.Connection, bruker: Bruker, deltaker_id: UUID) -> dict | None:
    """The person's avslutningshistorikk, or None when nothing is known of the person — or nothing the user may
    see: neither the person's placement nor that of any of the avslutninger is within the user's scope (an
    unseen person answers as an unknown one, issue #14 §4)."""
    person = await conn.fetchrow(
        "SELECT duf_nummer, fornavn, etternavn, lov, oppfolgingskommune, bydel FROM deltaker WHERE deltaker_id = $1",
        deltaker_id,
    )
    versjoner, slettinger = await projection.avslutninger(conn, deltaker_id)
    if person is None and not versjoner:
        return None
    plasseringer = {tilgang.Plassering(v.oppfolgingskommune, v.bydel) for v in versjoner}
    if person:
        plasseringer.add(tilgang.Plassering(person["oppfolgingskommune"], person["bydel"]))
    if not any(tilgang.kan_se(bruker.omfang, p) for p in plasseringer):
        return None
    linjer = []
    for h in domain.historikk(versjoner, slettinger):
        v = h.versjon
        kommune = geografi.kommuner().get(v.oppfolgingskommune)
        bydel = geografi.bydeler().get(v.bydel) if v.bydel else None
        linjer.append(
            dict(
                avslutning_id=str(v.avslutning_id),
                versjon=v.versjon,
                status=h.status,
                avslutning=v.avslutningstype + (" (slettet)" if h.status == "slettet" else ""),
                avslutningstype=v.avslutningstype,
                arsak=v.arsak,
                arsak_navn=avslutningsarsak(v.arsak).navn,
                timer_arbeid_per_uke=str(v.timer_arbeid_per_uke) if v.timer_arbeid_per_uke is not None else None,
                avslutningsdato=v.avslutningsdato.isoformat(),
                kilde=v.kilde,
                registrert_av=v.registrert_av,
                registrert_dato=v.registrert_dato.isoformat(),
                slettet_av=h.slettet_av,
                tidspunkt=h.tidspunkt.isoformat(),
                oppfolgingskommune=v.oppfolgingskommune,
                oppfolgingskommune_navn=(kommune.navn if kommune else v.oppfolgingskommune)
                + (f"/{bydel.navn}" if bydel else ""),
            )
        )
    return dict(
        deltaker_id=str(deltaker_id),
        person=None
        if person is None or person["duf_nummer"] is None
        else dict(
            duf_nummer=person["duf_nummer"], fornavn=person["fornavn"], etternavn=person["etternavn"], lov=person["lov"]
        ),
        linjer=linjer,
    )


# --- måloppnåelse -------------------------------------------------------------------------------------------------


async def maaloppnaaelse(
    conn: asyncpg.Connection, bruker: Bruker, *, aar: int | None = None, lov: Lov | None = None
) -> dict:
    """Tabell 2 per year, fylke and kommune, plus the national figures (IMDi) — counted as domain.telling says.
    A kommune user gets its own kommune only."""
    args: list = []
    deler = ["true"]
    if aar is not None:
        args.append(aar)
        deler.append(f"avslutningsaar = ${len(args)}")
    if lov is not None:
        args.append(lov.value)
        deler.append(f"lov = ${len(args)}")
    omfang, omfang_args = tilgang.sql_filter(bruker.omfang, forste_parameter=len(args) + 1)
    args += omfang_args
    deler.append(omfang)
    rows = await conn.fetch(
        f"""SELECT avslutningsaar AS aar, oppfolgingsfylke, fylke_navn, oppfolgingskommune, kommune_navn, gruppe,
                   count(*) AS antall
            FROM rapport_rad WHERE {" AND ".join(deler)}
            GROUP BY 1, 2, 3, 4, 5, 6""",
        *args,
    )
    tellere: dict[tuple, dict] = {}

    def tell(nokkel: tuple, navn: dict, gruppe: str, antall: int) -> None:
        t = tellere.setdefault(nokkel, dict(navn, avsluttet=0, utenfor_tallgrunnlaget=0, i_jobb=0, i_utdanning=0))
        tt = domain.telling(gruppe)
        if not tt.i_tallgrunnlaget:
            t["utenfor_tallgrunnlaget"] += antall
            return
        t["avsluttet"] += antall
        t["i_jobb"] += antall if tt.i_jobb else 0
        t["i_utdanning"] += antall if tt.i_utdanning else 0

    for r in rows:
        aar_, fnr, fnavn, knr, knavn, gruppe, n = (
            r["aar"],
            r["oppfolgingsfylke"],
            r["fylke_navn"],
            r["oppfolgingskommune"],
            r["kommune_navn"],
            r["gruppe"],
            r["antall"],
        )
        tell(
            ("kommune", aar_, knr),
            dict(nivaa="kommune", aar=aar_, fylkesnummer=fnr, fylke=fnavn, kommunenummer=knr, kommune=knavn),
            gruppe,
            n,
        )
        if bruker.imdi:
            tell(("fylke", aar_, fnr), dict(nivaa="fylke", aar=aar_, fylkesnummer=fnr, fylke=fnavn), gruppe, n)
            tell(("landet", aar_), dict(nivaa="landet", aar=aar_), gruppe, n)
    linjer = []
    for t in tellere.values():
        t["i_jobb_eller_utdanning"] = t["i_jobb"] + t["i_utdanning"]
        t["andel_i_jobb"] = domain.andel(t["i_jobb"], t["avsluttet"])
        t["andel_i_utdanning"] = domain.andel(t["i_utdanning"], t["avsluttet"])
        t["andel_i_jobb_eller_utdanning"] = domain.andel(t["i_jobb_eller_utdanning"], t["avsluttet"])
        linjer.append(t)
    rekkefolge = {"landet": 0, "fylke": 1, "kommune": 2}
    # As Tabell 2: highest andel i jobb eller utdanning first within each year and level.
    linjer.sort(
        key=lambda t: (
            -t["aar"],
            rekkefolge[t["nivaa"]],
            -(t["andel_i_jobb_eller_utdanning"] or 0),
            t.get("fylke", ""),
            t.get("kommune", ""),
        )
    )
    return dict(aar=aar, lov=lov.value if lov else None, linjer=linjer)


async def filtervalg(conn: asyncpg.Connection, bruker: Bruker, lov: Lov) -> dict:
    """The choices the filters offer: kommuner and years that occur, bydeler of those kommuner."""
    omfang, omfang_args = tilgang.sql_filter(bruker.omfang, forste_parameter=2)
    args: list = [lov.value, *omfang_args]
    scope = f" AND {omfang}"
    # min/max use the index; a DISTINCT over a million rows would not
    lav, hoy = await conn.fetchrow(
        f"SELECT min(avslutningsaar), max(avslutningsaar) FROM rapport_rad WHERE lov = $1{scope}", *args
    )
    aar = list(range(hoy, lav - 1, -1)) if lav is not None else []
    if bruker.imdi:
        kommuner: list[dict[str, str | None]] = [
            dict(oppfolgingskommune=k.kommunenummer, kommune_navn=k.navn)
            for k in sorted(geografi.kommuner().values(), key=lambda k: k.navn)
        ]
        bydeler = list(geografi.bydeler().values())
    else:
        k = geografi.kommuner().get(bruker.kommunenummer or "")
        kommuner = [dict(oppfolgingskommune=bruker.kommunenummer, kommune_navn=k.navn if k else bruker.kommunenummer)]
        bydeler = [
            b for b in geografi.bydeler_i(bruker.kommunenummer or "") if bruker.bydelsnummer in (None, b.bydelsnummer)
        ]
    return dict(
        kommuner=[dict(kommunenummer=k["oppfolgingskommune"], navn=k["kommune_navn"]) for k in kommuner],
        bydeler=[dict(bydelsnummer=b.bydelsnummer, navn=b.navn, kommunenummer=b.kommunenummer) for b in bydeler],
        avslutningsaar=aar,
    )


# --- statistikk (issue #17): måloppnåelse for every level, personvern applied ------------------------------------

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
    (services/rapport/statistikk.py). Read from the counters migration 0004 keeps beside the report rows, over
    the whole country whatever the user's scope — the fylke and national figures need them — and only the lines
    statistikk.prikk lets through leave."""
    if fra_aar > til_aar:
        raise Ugyldig("fra_aar", "kan ikke være etter til_aar")
    if til_aar - fra_aar > 20:
        raise Ugyldig("til_aar", "høyst 20 år om gangen")
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
