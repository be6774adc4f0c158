"""Rebuild the read models from the topics: python -m services.rapport.rebuild

Empties the projection's tables, processed ids and consumer positions, in one transaction. The service
resumes from its positions (services/plumbing/consumer.py), so the next time it starts it reads every topic
from the beginning: stop the service, run this, start it again (a running service keeps reading from where
it was). A changed PROJECTION_VERSION does the same on its own at start.
"""

from __future__ import annotations

import asyncio
import sys

from services.plumbing.db import apply_migrations, create_pool
from services.rapport.app import MIGRATIONS
from services.rapport.lager import projeksjon
from shared.settings import RapportSettings


async def rebuild(settings: RapportSettings) -> int:
    pool = await create_pool(
        settings.database_url, settings.DB_SCHEMA, max_size=1, application_name="nir-rapport-rebuild"
    )
    try:
        await apply_migrations(pool, settings.DB_SCHEMA, MIGRATIONS)
        async with pool.acquire() as conn, conn.transaction():
            await projeksjon.laas_projeksjonen(conn)
            return await projeksjon.reset(conn, projeksjon.PROJECTION_VERSION)
    finally:
        await pool.close()


def main() -> int:
    settings = RapportSettings()
    generasjon = asyncio.run(rebuild(settings))
    print(
        f"rapport: read models emptied (rebuild {generasjon}); the next start consumes every topic from the beginning"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
