"""Server-side sessions in the web service's own schema (migrations/0001_sesjon.sql).

Why a table rather than an encrypted cookie: the user's access and refresh tokens never leave the server, a
logout (or a timeout) ends the session for good — an old cookie copied elsewhere is worthless — and several
replicas share the sessions without sharing a key. The cookie holds only a random id (HttpOnly, SameSite=Lax,
Secure when configured); the table holds its SHA-256.

The access, refresh and ID tokens are encrypted in the table (WEB settings `session_token_keys`): a copy of the
database, a backup or a replica's disk does not hand out working tokens. A row that does not decrypt (a key
rotated away) is no session.

Timeouts are decided by PostgreSQL's clock in the queries: idle (since the last request) and absolute (since
the login). A session past either is gone."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

COOKIE = "nir_sesjon"


def _hash(sesjon_id: str) -> str:
    return hashlib.sha256(sesjon_id.encode()).hexdigest()


@dataclass(frozen=True)
class Sesjon:
    id: str  # the cookie's value
    csrf: str
    innlogging: dict[str, Any] | None
    bruker: dict[str, Any] | None
    access_token: str | None
    refresh_token: str | None
    id_token: str | None
    token_utloper: datetime | None

    @property
    def innlogget(self) -> bool:
        return self.bruker is not None and self.access_token is not None


class Tokenkrypto:
    """Fernet over the session's tokens; None stays None."""

    def __init__(self, nokler: str) -> None:
        liste = [n.strip() for n in nokler.split(",") if n.strip()] or [Fernet.generate_key().decode()]
        try:
            self._f = MultiFernet([Fernet(n) for n in liste])
        except ValueError:
            raise ValueError("SESSION_TOKEN_KEYS: hver nøkkel må være en Fernet-nøkkel (32 byte, base64url)") from None

    def krypter(self, token: str | None) -> str | None:
        return None if token is None else self._f.encrypt(token.encode()).decode()

    def dekrypter(self, verdi: str | None) -> str | None:
        return None if verdi is None else self._f.decrypt(verdi.encode()).decode()


class Sesjoner:
    def __init__(self, pool: asyncpg.Pool, *, idle: timedelta, absolutt: timedelta, nokler: str = "") -> None:
        self.pool = pool
        self.idle = idle
        self.absolutt = absolutt
        self._krypto = Tokenkrypto(nokler)

    async def ny(self, innlogging: dict[str, Any] | None = None) -> Sesjon:
        """A new anonymous session (before login, it holds the pending authorization request)."""
        sesjon_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        async with self.pool.acquire() as conn:
            await self._rydd(conn)
            await conn.execute(
                "INSERT INTO sesjon (id_hash, csrf, innlogging) VALUES ($1, $2, $3)", _hash(sesjon_id), csrf, innlogging
            )
        return Sesjon(sesjon_id, csrf, innlogging, None, None, None, None, None)

    async def hent(self, sesjon_id: str | None) -> Sesjon | None:
        """The live session for the cookie, its idle clock restarted; None when unknown or timed out."""
        if not sesjon_id or len(sesjon_id) > 100:
            return None
        r = await self.pool.fetchrow(
            "UPDATE sesjon SET sist_brukt = now() WHERE id_hash = $1 AND sist_brukt > now() - $2::interval"
            " AND opprettet > now() - $3::interval"
            " RETURNING csrf, innlogging, bruker, access_token, refresh_token, id_token, token_utloper",
            _hash(sesjon_id),
            self.idle,
            self.absolutt,
        )
        if r is None:
            return None
        try:
            access, refresh, id_token = (
                self._krypto.dekrypter(r[k]) for k in ("access_token", "refresh_token", "id_token")
            )
        except InvalidToken:
            return None  # encrypted with a key no longer configured: log in again
        return Sesjon(sesjon_id, r["csrf"], r["innlogging"], r["bruker"], access, refresh, id_token, r["token_utloper"])

    async def logg_inn(
        self,
        gammel: Sesjon,
        bruker: dict[str, Any],
        *,
        access_token: str,
        refresh_token: str | None,
        id_token: str | None,
        utloper: float,
    ) -> Sesjon:
        """The logged-in session under a NEW id and CSRF token (the pre-login id is dropped: no fixation); the
        absolute timeout counts from here."""
        sesjon_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        tid = datetime.fromtimestamp(utloper, UTC)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM sesjon WHERE id_hash = $1", _hash(gammel.id))
            await conn.execute(
                "INSERT INTO sesjon (id_hash, csrf, bruker, access_token, refresh_token, id_token, token_utloper)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                _hash(sesjon_id),
                csrf,
                bruker,
                self._krypto.krypter(access_token),
                self._krypto.krypter(refresh_token),
                self._krypto.krypter(id_token),
                tid,
            )
        return Sesjon(sesjon_id, csrf, None, bruker, access_token, refresh_token, id_token, tid)

    async def nye_tokens(
        self, sesjon: Sesjon, *, access_token: str, refresh_token: str | None, id_token: str | None, utloper: float
    ) -> Sesjon:
        tid = datetime.fromtimestamp(utloper, UTC)
        await self.pool.execute(
            "UPDATE sesjon SET access_token = $2, refresh_token = $3, id_token = coalesce($4, id_token),"
            " token_utloper = $5 WHERE id_hash = $1",
            _hash(sesjon.id),
            self._krypto.krypter(access_token),
            self._krypto.krypter(refresh_token),
            self._krypto.krypter(id_token),
            tid,
        )
        return Sesjon(
            sesjon.id, sesjon.csrf, None, sesjon.bruker, access_token, refresh_token, id_token or sesjon.id_token, tid
        )

    async def slett(self, sesjon_id: str) -> None:
        await self.pool.execute("DELETE FROM sesjon WHERE id_hash = $1", _hash(sesjon_id))

    async def _rydd(self, conn: asyncpg.Connection) -> None:
        # expired rows are dead already (hent() ignores them); removing them keeps the table small
        await conn.execute(
            "DELETE FROM sesjon WHERE sist_brukt < now() - $1::interval OR opprettet < now() - $2::interval",
            self.idle,
            self.absolutt,
        )


async def forrige_besok(pool: asyncpg.Pool, brukerident: str, sesjon_id: str) -> datetime | None:
    """Records this visit to the Arbeidsflate (migrations/0002_besok.sql); returns the caseworker's last visit in
    an earlier session (None: the first). A visit is a session: within one the previous visit stays the same, so
    reloading the page does not empty «Flyttet, utvandret eller død siden forrige besøk»."""
    return await pool.fetchval(
        """INSERT INTO besok (brukerident, sesjon_hash, sist) VALUES ($1, $2, now())
           ON CONFLICT (brukerident) DO UPDATE SET
               forrige = CASE WHEN besok.sesjon_hash = EXCLUDED.sesjon_hash THEN besok.forrige ELSE besok.sist END,
               sesjon_hash = EXCLUDED.sesjon_hash, sist = now()
           RETURNING forrige""",
        brukerident,
        _hash(sesjon_id),
    )
