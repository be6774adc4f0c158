"""NIR's «personlister»: the persons the caller sees, in programme or avsluttet, a page at a time (the web
application's Personer page). From the read models: every projected deltaker, with its current avslutning when
the report has one (rapport_rad: «avsluttet»; none: «i program»). The caller's scope is shared/tilgang.py's
sql_filter, as everywhere in the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import asyncpg

from services.plumbing.auth import Bruker
from services.rapport.lager.sporringer import Side
from shared import tilgang

Status = Literal["alle", "i_program", "avsluttet"]
KOLONNER = (
    "d.deltaker_id, d.duf_nummer, d.fornavn, d.etternavn, d.lov, d.kategori, d.oppfolgingskommune, d.bydel, "
    "r.arsak, r.arsak_navn, r.avslutningsdato"
)


@dataclass(frozen=True)
class Personfilter:
    lov: str | None = None
    status: Status = "alle"
    navn: str | None = None
    kategori: str | None = None  # the current one (deltaker.kategori: none once the person has left it)
    bydel: str | None = None  # within the caller's scope: another kommune's bydel finds nobody


def _where(bruker: Bruker, f: Personfilter) -> tuple[str, list[object]]:
    omfang, filterargs = tilgang.sql_filter(bruker.omfang, tabell="d")
    args: list[object] = list(filterargs)
    # a row another topic made before its DeltakerRegistrert or its identity arrived: not shown yet
    deler = ["d.duf_nummer IS NOT NULL AND d.person_tid IS NOT NULL", omfang]

    def legg_til(sql: str, verdi: object) -> None:
        args.append(verdi)
        deler.append(sql.replace("?", f"${len(args)}"))

    if f.lov:
        legg_til("d.lov = ?", f.lov)
    if f.kategori:
        legg_til("d.kategori = ?", f.kategori)
    if f.bydel:
        legg_til("d.bydel = ?", f.bydel)
    if f.status == "avsluttet":
        deler.append("r.deltaker_id IS NOT NULL")
    elif f.status == "i_program":
        deler.append("r.deltaker_id IS NULL")
    for ord_ in (f.navn or "").split():  # every word starts the fornavn or the etternavn
        monster = ord_.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args.append(monster)
        deler.append(f"(lower(d.fornavn) LIKE ${len(args)} OR lower(d.etternavn) LIKE ${len(args)})")
    return " AND ".join(deler), args


async def side(conn: asyncpg.Connection, bruker: Bruker, f: Personfilter, *, side: int, per_side: int) -> dict:
    where, args = _where(bruker, f)
    fra = f"FROM deltaker d LEFT JOIN rapport_rad r USING (deltaker_id) WHERE {where}"
    totalt = await conn.fetchval(f"SELECT count(*) {fra}", *args)
    rader = await conn.fetch(
        f"SELECT {KOLONNER} {fra} ORDER BY d.etternavn, d.fornavn, d.deltaker_id"
        f" LIMIT {per_side} OFFSET {(side - 1) * per_side}",
        *args,
    )
    s = Side(
        rader=[
            {
                k: (str(v) if k == "deltaker_id" else v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in r.items()
            }
            | {"avsluttet": r["arsak"] is not None}
            for r in rader
        ],
        totalt=totalt,
        side=side,
        per_side=per_side,
    )
    return {
        "linjer": s.tekst,
        "fra": s.fra,
        "til": s.til,
        "totalt": s.totalt,
        "side": s.side,
        "per_side": s.per_side,
        "antall_sider": s.antall_sider,
        "rader": s.rader,
    }
