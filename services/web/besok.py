"""The caseworker's previous visit to the Arbeidsflate (migrations/0002_besok.sql): what the regelmotor registered
from the Folkeregister after it is «new since the last visit». A visit is a session: within one session the
previous visit stays the same, so reloading the page does not empty the list."""

from __future__ import annotations

import hashlib
from datetime import datetime

import asyncpg


async def forrige_besok(pool: asyncpg.Pool, brukerident: str, sesjon_id: str) -> datetime | None:
    """Records this visit; returns the last visit in an earlier session (None: the first)."""
    return await pool.fetchval(
        """INSERT INTO besok (brukerident, sesjon_hash, sist) VALUES ($1, $2, now())
           ON CONFLICT (brukerident) DO UPDATE SET
               forrige = CASE WHEN besok.sesjon_hash = EXCLUDED.sesjon_hash THEN besok.forrige ELSE besok.sist END,
               sesjon_hash = EXCLUDED.sesjon_hash, sist = now()
           RETURNING forrige""",
        brukerident,
        hashlib.sha256(sesjon_id.encode()).hexdigest(),
    )
