"""Idempotency-Key: fagsystem integrations retry. The key is claimed (INSERT) first in the write transaction, so
a concurrent retry waits on it; the answer is stored in the same transaction as the write. A retry gets the
first answer and writes nothing; the same key with another request is a 422. A refused request rolls back
its claim, so a corrected retry with the same key is evaluated afresh."""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
from fastapi import Request
from pydantic import BaseModel

from services.plumbing.problem import feltfeil
from services.registrering import lager
from services.registrering.api.feil import Avvist

HEADER = "idempotency-key"


async def krev_nokkel(conn: asyncpg.Connection, request: Request, brukerident: str) -> None:
    """Claim the request's Idempotency-Key (if any); raise the stored answer when it was already answered."""
    nokkel = request.headers.get(HEADER)
    if nokkel is None:
        return
    if not 1 <= len(nokkel) <= 200:
        raise Avvist.problem(
            "UGYLDIGE_FELT",
            feil=[feltfeil("Idempotency-Key", "må være 1–200 tegn", kode="idempotency_key", i="header")],
        )
    foresporsel = hashlib.sha256(
        request.method.encode()
        + b" "
        + request.url.path.encode()
        + b"?"
        + request.url.query.encode()
        + b"\n"
        + await request.body()
    ).hexdigest()
    if not await lager.krev_idempotensnokkel(conn, brukerident, nokkel, foresporsel):
        row = await lager.hent_idempotenssvar(conn, brukerident, nokkel)
        if row["foresporsel"] != foresporsel:
            raise Avvist.problem(
                "UGYLDIGE_FELT",
                feil=[
                    feltfeil(
                        "Idempotency-Key",
                        "nøkkelen er allerede brukt for en annen forespørsel",
                        kode="idempotency_key_brukt",
                        i="header",
                    )
                ],
            )
        raise Avvist(row["status"], row["svar"], replay=True)
    request.state.idempotens = (brukerident, nokkel)


async def lagre_svar(conn: asyncpg.Connection, request: Request, status: int, svar: BaseModel | None) -> None:
    """Store the answer with the write (call inside the transaction, last)."""
    claim = getattr(request.state, "idempotens", None)
    if claim is None:
        return
    body: Any = svar.model_dump(mode="json") if svar is not None else None
    brukerident, nokkel = claim
    await lager.lagre_idempotenssvar(conn, brukerident, nokkel, status, body)
