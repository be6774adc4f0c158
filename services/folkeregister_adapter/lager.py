"""The adapter's tables (migrations/0002_feed.sql): persons NIR knows, facts told, the feed pointer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg

from services.folkeregister_adapter.domain import KjenteFakta


async def deltakere_for(conn: asyncpg.Connection, identer: Iterable[str]) -> dict[str, UUID]:
    rows = await conn.fetch("SELECT ident, deltaker_id FROM personer WHERE ident = ANY($1::text[])", list(set(identer)))
    return {r["ident"]: r["deltaker_id"] for r in rows}


async def kjenn_ident(conn: asyncpg.Connection, ident: str, deltaker_id: UUID) -> None:
    """Map `ident` to the deltaker (a later mapping of the same number wins: registrering is the master)."""
    await conn.execute(
        "INSERT INTO personer (ident, deltaker_id) VALUES ($1, $2)"
        " ON CONFLICT (ident) DO UPDATE SET deltaker_id = EXCLUDED.deltaker_id",
        ident,
        deltaker_id,
    )


async def kjenn_deltaker(conn: asyncpg.Connection, deltaker_id: UUID, kommunenummer: str | None) -> None:
    fakta = KjenteFakta(kommunenummer=kommunenummer).model_dump(mode="json")
    await conn.execute(
        "INSERT INTO deltakere (deltaker_id, fakta) VALUES ($1, $2) ON CONFLICT DO NOTHING", deltaker_id, fakta
    )


async def fakta_for(conn: asyncpg.Connection, deltaker_ids: Iterable[UUID]) -> dict[UUID, KjenteFakta]:
    rows = await conn.fetch(
        "SELECT deltaker_id, fakta FROM deltakere WHERE deltaker_id = ANY($1::uuid[])", list(set(deltaker_ids))
    )
    return {r["deltaker_id"]: KjenteFakta.model_validate(r["fakta"]) for r in rows}


async def lagre_fakta(conn: asyncpg.Connection, fakta: dict[UUID, KjenteFakta]) -> None:
    if fakta:
        await conn.executemany(
            "INSERT INTO deltakere (deltaker_id, fakta) VALUES ($1, $2) ON CONFLICT (deltaker_id)"
            " DO UPDATE SET fakta = EXCLUDED.fakta, endret_at = now()",
            [(d, f.model_dump(mode="json")) for d, f in fakta.items()],
        )


async def nye_hendelser(conn: asyncpg.Connection, hendelser: list[tuple[str, int]]) -> set[str]:
    """Record hendelse ids; returns those not seen before (the feed's own identity de-duplicates)."""
    if not hendelser:
        return set()
    rows = await conn.fetch(
        "INSERT INTO behandlede_hendelser (hendelse_id, sekvensnummer)"
        " SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING hendelse_id",
        [h for h, _ in hendelser],
        [s for _, s in hendelser],
    )
    return {r["hendelse_id"] for r in rows}


async def peker(conn: asyncpg.Connection, *, for_update: bool = False) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM feedpeker WHERE id = 1" + (" FOR UPDATE" if for_update else ""))
    return dict(row)


async def flytt_peker(conn: asyncpg.Connection, neste: int) -> None:
    await conn.execute("UPDATE feedpeker SET neste_sekvensnummer = $1, oppdatert_at = now() WHERE id = 1", neste)


async def registrer_gap(conn: asyncpg.Connection, fra: int, melding: str) -> None:
    await conn.execute(
        "UPDATE feedpeker SET gap_fra = $1, gap_melding = $2, gap_oppdaget_at = now() WHERE id = 1", fra, melding
    )
