"""asyncpg pool and versioned SQL migrations, one PostgreSQL schema per service."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg

log = logging.getLogger(__name__)
T = TypeVar("T")

_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Without a codec asyncpg hands jsonb back as str (docs/LIBRARY-NOTES.md).
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(
    dsn: str,
    schema: str,
    *,
    max_size: int = 10,
    application_name: str = "nir",
    server_settings: dict[str, str] | None = None,
) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=max_size,
        init=_init_connection,
        server_settings={"search_path": schema, "application_name": application_name, **(server_settings or {})},
    )


async def svarer(pool: asyncpg.Pool, timeout: float = 2.0) -> bool:
    """For readiness: the database answers a trivial query within `timeout` seconds (raises otherwise)."""
    return await asyncio.wait_for(pool.fetchval("SELECT 1"), timeout) == 1


def migration_files(directory: Path) -> list[Path]:
    files = sorted(p for p in directory.iterdir() if p.suffix == ".sql")
    for p in files:
        if not _MIGRATION.match(p.name):
            raise ValueError(f"migration file name {p.name!r} must look like 0001_short_name.sql")
    return files


PLUMBING_MIGRATIONS = Path(__file__).parent / "migrations"


async def apply_migrations(pool: asyncpg.Pool, schema: str, directory: Path) -> list[str]:
    """Apply the plumbing's migrations (outbox, processed events) and then the service's own, in order, in
    one transaction; returns the names applied.

    An advisory lock makes concurrent starts of the same service safe; a changed file that was already
    applied is an error (migrations are append-only).
    """
    sources = [("plumbing", p) for p in migration_files(PLUMBING_MIGRATIONS)]
    sources += [("service", p) for p in migration_files(directory)]
    applied_now: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations ('
            " source text NOT NULL, version int NOT NULL, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (source, version))"
        )
        rows = await conn.fetch(f'SELECT * FROM "{schema}".schema_migrations')
        done = {(r["source"], r["version"]): r for r in rows}
        for source, path in sources:
            version = int(path.name[:4])
            sql = path.read_text(encoding="utf-8")
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if (source, version) in done:
                if done[(source, version)]["checksum"] != checksum:
                    raise RuntimeError(f"migration {path.name} changed after it was applied to schema {schema}")
                continue
            await conn.execute(f'SET LOCAL search_path TO "{schema}"')
            await conn.execute(sql)
            await conn.execute(
                f'INSERT INTO "{schema}".schema_migrations (source, version, name, checksum) VALUES ($1, $2, $3, $4)',
                source,
                version,
                path.name,
                checksum,
            )
            applied_now.append(f"{source}/{path.name}")
    if applied_now:
        log.info("migrations applied", extra={"schema": schema, "migrations": applied_now})
    return applied_now


async def retry_on_conflict(attempt: Callable[[], Awaitable[T]], attempts: int = 5) -> T:
    """Run a transaction again when PostgreSQL aborted it for a deadlock or a serialization failure with a
    concurrent one (batches from two topics locking the same rows): not the data's fault, so try again."""
    for i in range(attempts):
        try:
            return await attempt()
        except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
            if i == attempts - 1:
                raise
            await asyncio.sleep(0.05 * (i + 1))
    raise AssertionError("unreachable")
