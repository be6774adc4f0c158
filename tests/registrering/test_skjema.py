"""The invariants registrering's schema holds itself (migrations/0004): whatever writes, the database refuses a
second kommune avslutning in force for one deltaker (DOMAIN.md §4 rules 5–6), a version that does not follow
the newest or follows a delete, and hours outside §4 rule 3. Plain SQL against the real PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest

from services.plumbing.db import apply_migrations, create_pool
from services.registrering.app import MIGRATIONS
from tests.conftest import fresh_database
from tests.registrering.conftest import ny_deltaker

pytestmark = pytest.mark.integration

NAA = datetime(2024, 1, 10, tzinfo=UTC)


async def ny_avslutning(conn, deltaker_id: UUID, kilde: str = "kommune") -> UUID:
    aid = uuid4()
    await conn.execute(
        "INSERT INTO avslutning (avslutning_id, deltaker_id, kilde) VALUES ($1, $2, $3)", aid, deltaker_id, kilde
    )
    await versjon(conn, aid, 1)
    return aid


async def versjon(conn, aid: UUID, n: int, *, slettet: bool = False, timer: str | None = None) -> None:
    await conn.execute(
        "INSERT INTO avslutningsversjon (avslutning_id, versjon, avslutningstype, arsak, avslutningsdato,"
        " timer_arbeid_per_uke, registrert_av, registrert_dato, oppfolgingskommune, slettet)"
        " VALUES ($1, $2, 'Ordinær avslutning', 'GRUNNSKOLE', '2024-01-09', $3::numeric, '4223-CES', $4, '4223', $5)",
        aid,
        n,
        timer,
        NAA,
        slettet,
    )


async def test_a_second_kommune_avslutning_in_force_is_refused_by_the_schema(registrering):
    r = registrering
    did = UUID(await ny_deltaker(r))
    async with r.runtime.pool.acquire() as conn:
        first = await ny_avslutning(conn, did)
        await ny_avslutning(conn, did, "regelmotor")  # the regelmotor's may be in force beside it (§4 rule 6)
        with pytest.raises(asyncpg.UniqueViolationError) as e:
            await ny_avslutning(conn, did)
        assert e.value.constraint_name == "avslutning_en_gjeldende_kommuneavslutning"
        await versjon(conn, first, 2, slettet=True)  # once deleted, a new one may be registered
        await ny_avslutning(conn, did)
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM avslutning WHERE deltaker_id = $1 AND kilde = 'kommune' AND NOT slettet", did
            )
            == 1
        )


async def test_versions_follow_the_newest_and_nothing_follows_a_delete(registrering):
    r = registrering
    did = UUID(await ny_deltaker(r))
    async with r.runtime.pool.acquire() as conn:
        aid = await ny_avslutning(conn, did)
        for feil in (3, 1):  # a gap, and the one already there
            with pytest.raises(asyncpg.UniqueViolationError):
                await versjon(conn, aid, feil)
        await versjon(conn, aid, 2)
        await versjon(conn, aid, 3, slettet=True)
        assert tuple(
            await conn.fetchrow("SELECT siste_versjon, slettet FROM avslutning WHERE avslutning_id = $1", aid)
        ) == (3, True)
        with pytest.raises(asyncpg.UniqueViolationError) as e:
            await versjon(conn, aid, 4)
        assert e.value.constraint_name == "avslutningsversjon_etter_siste"
        with pytest.raises(asyncpg.CheckViolationError):  # a first version is never a delete
            async with conn.transaction():
                ny = uuid4()
                await conn.execute(
                    "INSERT INTO avslutning (avslutning_id, deltaker_id, kilde) VALUES ($1, $2, 'kommune')", ny, did
                )
                await versjon(conn, ny, 1, slettet=True)


@pytest.mark.parametrize("timer", ["0", "-1", "168.1"])
async def test_hours_outside_rule_4_3_are_refused_by_the_schema(registrering, timer):
    r = registrering
    did = UUID(await ny_deltaker(r))
    async with r.runtime.pool.acquire() as conn:
        aid = await ny_avslutning(conn, did)
        with pytest.raises(asyncpg.CheckViolationError):
            await versjon(conn, aid, 2, timer=timer)


async def test_the_migration_stops_on_a_deltaker_with_two_kommune_avslutninger_in_force(infrastructure, tmp_path):
    # A database written by the old code (issue #11) is not silently repaired: the migration names the problem.
    eldre = tmp_path / "migrations"
    eldre.mkdir()
    for p in sorted(MIGRATIONS.glob("*.sql"))[:3]:
        shutil.copy(p, eldre / p.name)
    async with fresh_database(infrastructure) as url:
        pool = await create_pool(url, "registrering")
        try:
            await apply_migrations(pool, "registrering", eldre)
            did = uuid4()
            await pool.execute(
                "INSERT INTO deltaker (deltaker_id, duf_nummer, fornavn, etternavn, kjonn, fodselsdato, lov,"
                " bosettingsdato, oppfolgingskommune, registrert_av, registrert_dato, oppdatert_dato) VALUES"
                " ($1, '202300000001', 'A', 'B', 'K', '1990-01-01', 'integreringsloven', '2021-01-01', '4223', 'x',"
                " $2, $2)",
                did,
                NAA,
            )
            async with pool.acquire() as conn:
                for _ in range(2):
                    await ny_avslutning(conn, did)
            with pytest.raises(
                asyncpg.RaiseError, match="1 deltaker\\(e\\) har mer enn én gjeldende kommuneavslutning"
            ):
                await apply_migrations(pool, "registrering", MIGRATIONS)
        finally:
            await pool.close()
