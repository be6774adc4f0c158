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
from services.rapport import domain
from services.rapport.lager import projeksjon
from shared import tilgang
from shared.kodeverk import geografi
from shared.kodeverk.avslutningsarsaker import avslutningsarsak
from shared.kodeverk.kategorier import Lov

RegistrertAv = Literal["alle", "kommunen", "regelmotor"]
# the sortable columns, as the API's schema names them (the keys of SORTERING)
Sortering = Literal[
    "duf_nummer",
    "fornavn",
    "etternavn",
    "kategori",
    "sluttmal",
    "avslutningsarsak",
    "avslutningsdato",
    "registrert_dato",
    "registrert_av",
    "oppfolgingskommune",
    "frist",
    "alder",
]
# the years an avslutning can fall in (Filter refuses others; the API's schema says the same)
FORSTE_AAR, SISTE_AAR = 1990, 2100
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

    def __init__(self, felt: str, grunn: str, kode: str = "value_error") -> None:
        super().__init__(f"{felt}: {grunn}")
        self.felt, self.grunn, self.kode = felt, grunn, kode


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
        if self.avslutningsaar is not None and not FORSTE_AAR <= self.avslutningsaar <= SISTE_AAR:
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
    versjoner, slettinger = await projeksjon.avslutninger(conn, deltaker_id)
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
