"""The regelmotor's PostgreSQL state: one jsonb row per deltaker plus the frist columns the sweep indexes,
and the clock row. Every function runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

from services.regelmotor.domain import Tilstand, frister
from shared.events.klokke import DognPassert

# Handlers hold it shared while they read «idag» and write a deltaker; moving the clock takes it exclusively.
# So once the clock has moved, every deltaker written before is visible to the sweep, and every one written
# after saw the new day (services/regelmotor/forbruker.py).
KLOKKE_LAS = 0x4E49525F4B4C4B  # "NIR_KLK"


async def les_dager(conn: asyncpg.Connection) -> tuple[date | None, date | None]:
    """(idag, the latest day announced: idag or the waiting tick's), under the clock's shared lock.

    The lock in a statement of its own: a statement reads with the snapshot taken when it began, so a read in
    the statement that waited for the clock to move would still see the day before (issue #11). The next
    statement's snapshot includes the move."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", KLOKKE_LAS)
    r = await conn.fetchrow(
        "SELECT idag, GREATEST(idag, (ventende::jsonb->>'dato')::date) AS siste FROM klokke WHERE id = 1"
    )
    return r["idag"], r["siste"]


@dataclass(frozen=True)
class Klokkestatus:
    idag: date | None
    ventende: DognPassert | None  # consumed, waiting for the facts before it
    dogn: DognPassert | None  # the tick that moved idag
    sveipet_til: date | None

    @property
    def venter(self) -> bool:
        return self.ventende is not None and (self.idag is None or self.ventende.dato > self.idag)

    @property
    def usveipet(self) -> bool:
        return self.idag is not None and (self.sveipet_til is None or self.sveipet_til < self.idag)


async def klokkestatus(conn: asyncpg.Connection | asyncpg.Pool) -> Klokkestatus:
    r = await conn.fetchrow("SELECT idag, ventende, dogn, sveipet_til FROM klokke WHERE id = 1")
    return Klokkestatus(
        idag=r["idag"],
        sveipet_til=r["sveipet_til"],
        ventende=DognPassert.model_validate_json(r["ventende"]) if r["ventende"] else None,
        dogn=DognPassert.model_validate_json(r["dogn"]) if r["dogn"] else None,
    )


async def vent_dogn(conn: asyncpg.Connection, tick: DognPassert) -> None:
    """A consumed tick: it becomes the waiting one if it is newer than idag and than the one waiting."""
    await conn.execute(
        "UPDATE klokke SET ventende = $1 WHERE id = 1 AND (idag IS NULL OR idag < $2)"
        " AND (ventende IS NULL OR (ventende::jsonb->>'dato')::date < $2)",
        tick.model_dump_json(),
        tick.dato,
    )


async def flytt_idag(conn: asyncpg.Connection, tick: DognPassert) -> date:
    """Move idag to the tick's day (never back); a waiting tick it covers stops waiting."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", KLOKKE_LAS)
    return await conn.fetchval(
        "UPDATE klokke SET dogn = CASE WHEN idag IS NULL OR idag < $1 THEN $2 ELSE dogn END,"
        " idag = GREATEST(COALESCE(idag, $1), $1),"
        " ventende = CASE WHEN (ventende::jsonb->>'dato')::date <= $1 THEN NULL ELSE ventende END"
        " WHERE id = 1 RETURNING idag",
        tick.dato,
        tick.model_dump_json(),
    )


async def sveipet(conn: asyncpg.Connection | asyncpg.Pool, idag: date) -> None:
    await conn.execute("UPDATE klokke SET sveipet_til = GREATEST(COALESCE(sveipet_til, $1), $1) WHERE id = 1", idag)


async def hent(conn: asyncpg.Connection, deltaker_ids: Sequence[UUID]) -> dict[UUID, Tilstand]:
    """The deltakere's states, locked for this transaction. Unknown deltakere get an empty row first, so two
    transactions that both see a new deltaker serialise on its row instead of overwriting each other; rows
    are locked in id order, so concurrent batches do not deadlock."""
    ids = sorted(set(deltaker_ids), key=str)
    await conn.executemany(
        "INSERT INTO deltaker_tilstand (deltaker_id, tilstand) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        [(i, {"deltaker_id": str(i)}) for i in ids],
    )
    rader = await conn.fetch(
        "SELECT deltaker_id, tilstand FROM deltaker_tilstand WHERE deltaker_id = ANY($1::uuid[])"
        " ORDER BY deltaker_id FOR UPDATE",
        ids,
    )
    return {r["deltaker_id"]: Tilstand.model_validate(r["tilstand"]) for r in rader}


async def hent_utlopte(conn: asyncpg.Connection, idag: date, antall: int) -> list[Tilstand]:
    """Deltakere whose next frist has passed on `idag`, through the partial index on neste_tidsfrist.
    Rows another transaction holds are skipped: that handler read the new idag and handles them itself."""
    rader = await conn.fetch(
        "SELECT tilstand FROM deltaker_tilstand WHERE neste_tidsfrist < $1"
        " ORDER BY neste_tidsfrist, deltaker_id LIMIT $2 FOR UPDATE SKIP LOCKED",
        idag,
        antall,
    )
    return [Tilstand.model_validate(r["tilstand"]) for r in rader]


def _rad(t: Tilstand) -> tuple:
    f = frister(t)
    return (t.deltaker_id, t.model_dump(mode="json"), f.gjennomforingsfrist, f.oppstartsfrist, f.neste_tidsfrist)


async def lagre(conn: asyncpg.Connection, tilstander: Sequence[Tilstand]) -> None:
    await conn.executemany(
        "INSERT INTO deltaker_tilstand (deltaker_id, tilstand, gjennomforingsfrist, oppstartsfrist, neste_tidsfrist)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (deltaker_id) DO UPDATE SET tilstand = excluded.tilstand,"
        " gjennomforingsfrist = excluded.gjennomforingsfrist, oppstartsfrist = excluded.oppstartsfrist,"
        " neste_tidsfrist = excluded.neste_tidsfrist, oppdatert_at = now()",
        [_rad(t) for t in tilstander],
    )


async def sist_publiserte_dogn(conn: asyncpg.Connection) -> date | None:
    return await conn.fetchval("SELECT sist_publisert FROM klokke WHERE id = 1 FOR UPDATE")


async def sett_sist_publiserte_dogn(conn: asyncpg.Connection, dato: date) -> None:
    await conn.execute("UPDATE klokke SET sist_publisert = $1 WHERE id = 1", dato)
