"""What every route shares: the caller (services/plumbing/auth.py), a write transaction on one deltaker
(locked, access checked), and waking the outbox relay after commit.

A deltaker the caller cannot see (another kommune's, another Oslo bydel's) is not loaded at all: the query
carries the caller's scope (shared/tilgang.py), so it answers 404 exactly as an unknown id does, with the same
work. One the caller sees but may not change (lesetilgang, IMDi, a read-only client) is 403."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Request

from services.plumbing.auth import BeskyttetRute, Bruker
from services.plumbing.runtime import ServiceRuntime
from services.registrering.api.feil import ikke_funnet, krev, unikhetskonflikt
from services.registrering.api.idempotens import krev_nokkel
from services.registrering.domain import regler
from services.registrering.hendelser import Kontekst
from services.registrering.lager import hent_deltaker, laas_deltaker
from shared import tilgang
from shared.tilgang import Handling, Plassering


def ruter(prefix: str, tag: str) -> APIRouter:
    """A router of the API: every route authenticated and its capability checked first (BeskyttetRute)."""
    return APIRouter(prefix=prefix, tags=[tag], route_class=BeskyttetRute)


def runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime


def kontekst(request: Request, bruker: Bruker) -> Kontekst:
    cid = request.headers.get("x-correlation-id")
    try:
        return Kontekst.ny(bruker.brukerident, UUID(cid) if cid else None)
    except ValueError:
        return Kontekst.ny(bruker.brukerident)


def plassering(row: asyncpg.Record) -> Plassering:
    return Plassering(row["oppfolgingskommune"], row["bydel"])


@asynccontextmanager
async def skriv(
    request: Request, bruker: Bruker, deltaker_id: UUID
) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Record]]:
    """One transaction on one deltaker, claiming the Idempotency-Key first: 404 if unknown or not seen by the
    caller, 403 if seen but not the caller's to change. The deltaker is locked (lager.laas_deltaker) before its
    programme is read, and stays locked until commit: two requests on the same deltaker are decided one after the
    other, the second on what the first committed. Any exception rolls everything back (no partial write); a
    uniqueness the schema enforces (a concurrent writer the lock did not cover) is a 409 that names it."""
    rt = runtime(request)
    async with rt.pool.acquire() as conn:
        try:
            async with conn.transaction():
                await krev_nokkel(conn, request, bruker.nokkel)
                if not await laas_deltaker(conn, deltaker_id, bruker.omfang):
                    raise ikke_funnet("deltakeren")
                row = await hent_deltaker(conn, deltaker_id, bruker.omfang)
                krev(regler.tilgang(tilgang.vurder(bruker.omfang, Handling.SKRIVE, plassering(row))))
                yield conn, row
        except asyncpg.UniqueViolationError as exc:
            raise unikhetskonflikt(exc) from None
    if rt.relay is not None:
        rt.relay.wake()


@asynccontextmanager
async def les(
    request: Request, bruker: Bruker, deltaker_id: UUID
) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Record]]:
    async with runtime(request).pool.acquire() as conn:
        row = await hent_deltaker(conn, deltaker_id, bruker.omfang)
        if row is None:
            raise ikke_funnet("deltakeren")
        yield conn, row
