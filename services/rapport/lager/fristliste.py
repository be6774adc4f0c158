"""The Arbeidsflate's lists across the caller's deltakere (issue #15): gjennomføringsfrister and oppstartsfrister
passing in a window of days, the Flyttet/Utvandret/Død the regelmotor registered from the Folkeregister since a
date, and the regelmotor's «Avslutningsårsak ikke registrert». From the read models (deltaker.gjennomforingsfrist
and oppstartsfrist, kept by the projection; rapport_rad), a page at a time, each list on its own partial index
(migrations 0004, 0005). The caller's scope is shared/tilgang.py's sql_filter, as everywhere in the report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import asyncpg

from services.plumbing.auth import Bruker
from services.rapport import domain
from services.rapport.lager.sporringer import Side
from shared import tilgang

Fristtype = Literal["gjennomforing", "oppstart"]
KOLONNE: dict[Fristtype, str] = {"gjennomforing": "gjennomforingsfrist", "oppstart": "oppstartsfrist"}
FOLKEREGISTER_ARSAKER = ("FLYTTET", "UTVANDRET", "DOD")  # as in migration 0004's partial index
IKKE_REGISTRERT = "AVSLUTNINGSARSAK_IKKE_REGISTRERT"  # as in migration 0005's


def _svar(s: Side) -> dict:
    return {
        "linjer": s.tekst,
        "fra": s.fra,
        "til": s.til,
        "totalt": s.totalt,
        "side": s.side,
        "per_side": s.per_side,
        "antall_sider": s.antall_sider,
        "rader": [
            {
                k: (str(v) if k == "deltaker_id" else v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in r.items()
            }
            for r in s.rader
        ],
    }


async def frister(
    conn: asyncpg.Connection, bruker: Bruker, hvilken: Fristtype, *, fra: date, til: date, side: int, per_side: int
) -> dict:
    """Persons in programme whose frist falls in [fra, til], earliest first."""
    kolonne = KOLONNE[hvilken]
    omfang, args = tilgang.sql_filter(bruker.omfang, forste_parameter=3, tabell="d")
    where = f"d.{kolonne} BETWEEN $1 AND $2 AND {omfang}"
    totalt = await conn.fetchval(f"SELECT count(*) FROM deltaker d WHERE {where}", fra, til, *args)
    rader = await conn.fetch(
        "SELECT d.deltaker_id, d.duf_nummer, d.fornavn, d.etternavn, d.lov, d.kategori, d.oppfolgingskommune,"
        f" d.bydel, d.{kolonne} AS frist FROM deltaker d WHERE {where}"
        f" ORDER BY d.{kolonne}, d.etternavn, d.fornavn, d.deltaker_id"
        f" LIMIT {per_side} OFFSET {(side - 1) * per_side}",
        fra,
        til,
        *args,
    )
    return _svar(Side([dict(r) for r in rader], totalt, side, per_side))


async def folkeregister(conn: asyncpg.Connection, bruker: Bruker, *, siden: datetime, side: int, per_side: int) -> dict:
    """The regelmotor's Flyttet/Utvandret/Død (from the Folkeregister) still in force, registered at or after
    `siden`, newest first."""
    omfang, args = tilgang.sql_filter(bruker.omfang, forste_parameter=2)
    arsaker = ", ".join(f"'{a}'" for a in FOLKEREGISTER_ARSAKER)
    where = f"kilde = '{domain.REGELMOTOR}' AND arsak IN ({arsaker}) AND registrert_dato >= $1 AND {omfang}"
    totalt = await conn.fetchval(f"SELECT count(*) FROM rapport_rad WHERE {where}", siden, *args)
    rader = await conn.fetch(
        "SELECT deltaker_id, duf_nummer, fornavn, etternavn, lov, arsak, arsak_navn, avslutningsdato,"
        f" registrert_dato, oppfolgingskommune, bydel FROM rapport_rad WHERE {where}"
        f" ORDER BY registrert_dato DESC, deltaker_id LIMIT {per_side} OFFSET {(side - 1) * per_side}",
        siden,
        *args,
    )
    return _svar(Side([dict(r) for r in rader], totalt, side, per_side))


async def ikke_registrert(conn: asyncpg.Connection, bruker: Bruker, *, side: int, per_side: int) -> dict:
    """The persons the regelmotor ended with «Avslutningsårsak ikke registrert» and whose kommune has not yet
    registered the right årsak (seed §1, §7–8), both laws, the oldest first."""
    omfang, args = tilgang.sql_filter(bruker.omfang, forste_parameter=1)
    where = f"kilde = '{domain.REGELMOTOR}' AND arsak = '{IKKE_REGISTRERT}' AND {omfang}"
    totalt = await conn.fetchval(f"SELECT count(*) FROM rapport_rad WHERE {where}", *args)
    rader = await conn.fetch(
        "SELECT deltaker_id, duf_nummer, fornavn, etternavn, lov, avslutningsdato, oppfolgingskommune, bydel"
        f" FROM rapport_rad WHERE {where} ORDER BY avslutningsdato, etternavn_sort, fornavn_sort, deltaker_id"
        f" LIMIT {per_side} OFFSET {(side - 1) * per_side}",
        *args,
    )
    return _svar(Side([dict(r) for r in rader], totalt, side, per_side))
