"""What every route shares: the user, a write transaction on one deltaker (locked, access checked), and
waking the outbox relay after commit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, Request

from services.plumbing.auth import Bruker, current_user
from services.plumbing.runtime import ServiceRuntime
from services.registrering.api.feil import ikke_funnet, krev, unikhetskonflikt
from services.registrering.api.idempotens import krev_nokkel
from services.registrering.domain import regler
from services.registrering.hendelser import Kontekst
from services.registrering.lager import hent_deltaker, laas_deltaker

InnloggetBruker = Annotated[Bruker, Depends(current_user)]


def runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


def kontekst(request: Request, bruker: Bruker) -> Kontekst:
    cid = request.headers.get("x-correlation-id")
    try:
        return Kontekst.ny(bruker.brukerident, UUID(cid) if cid else None)
    except ValueError:
        return Kontekst.ny(bruker.brukerident)


def kan_skrive(bruker: Bruker, oppfolgingskommune: str) -> regler.Utfall:
    return regler.kan_skrive(bruker.kommunenummer, bruker.imdi, oppfolgingskommune)


@asynccontextmanager
async def skriv(request: Request, bruker: Bruker, deltaker_id: UUID) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Record]]:
    """One transaction on one deltaker, claiming the Idempotency-Key first: 404 if unknown, 403 if not the
    user's. The deltaker is locked (lager.laas_deltaker) before its programme is read, and stays locked until
    commit: two requests on the same deltaker are decided one after the other, the second on what the first
    committed. Any exception rolls everything back (no partial write); a uniqueness the schema enforces
    (a concurrent writer the lock did not cover) is a 409 that names it."""
    rt = runtime(request)
    async with rt.pool.acquire() as conn:
        try:
            async with conn.transaction():
                await krev_nokkel(conn, request, bruker.brukerident)
                if not await laas_deltaker(conn, deltaker_id):
                    raise ikke_funnet("deltakeren")
                row = await hent_deltaker(conn, deltaker_id)
                krev(regler.kan_lese(bruker.kommunenummer, bruker.imdi, row["oppfolgingskommune"]))
                krev(kan_skrive(bruker, row["oppfolgingskommune"]))
                yield conn, row
        except asyncpg.UniqueViolationError as exc:
            raise unikhetskonflikt(exc) from None
    if rt.relay is not None:
        rt.relay.wake()


@asynccontextmanager
async def les(request: Request, bruker: Bruker, deltaker_id: UUID) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Record]]:
    async with runtime(request).pool.acquire() as conn:
        row = await hent_deltaker(conn, deltaker_id)
        if row is None:
            raise ikke_funnet("deltakeren")
        krev(regler.kan_lese(bruker.kommunenummer, bruker.imdi, row["oppfolgingskommune"]))
        yield conn, row
