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
    ny = await conn.fetchval(
        "INSERT INTO idempotens (brukerident, nokkel, foresporsel) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        brukerident,
        nokkel,
        foresporsel,
    )
    if ny is None:
        row = await conn.fetchrow(
            "SELECT foresporsel, status, svar FROM idempotens WHERE brukerident = $1 AND nokkel = $2",
            brukerident,
            nokkel,
        )
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
    await conn.execute(
        "UPDATE idempotens SET status = $3, svar = $4 WHERE brukerident = $1 AND nokkel = $2", *claim, status, body
    )
