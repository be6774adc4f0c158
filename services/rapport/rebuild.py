"""Rebuild the read models from the topics: python -m services.rapport.rebuild

Empties the projection's tables and processed ids and starts a new consumer-group generation, in one
transaction. The service consumes every topic from the beginning with the new group the next time it
starts, so: stop the service, run this, start it again (a running service would keep its old group and
go on filling the emptied tables from where it was). A changed PROJECTION_VERSION does the same on its own
at start.
"""

from __future__ import annotations

import asyncio
import sys

from services.plumbing.db import apply_migrations, create_pool
from services.rapport import projection
from services.rapport.app import MIGRATIONS
from shared.settings import RapportSettings


async def rebuild(settings: RapportSettings) -> int:
    pool = await create_pool(settings.database_url, settings.DB_SCHEMA, max_size=1,
                             application_name="nir-rapport-rebuild")
    try:
        await apply_migrations(pool, settings.DB_SCHEMA, MIGRATIONS)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rapport-projeksjon'))")
            return await projection.reset(conn, projection.PROJECTION_VERSION)
    finally:
        await pool.close()


def main() -> int:
    settings = RapportSettings()
    generasjon = asyncio.run(rebuild(settings))
    print(f"rapport: read models emptied; next start consumes from the beginning with consumer group "
          f"{projection.group_id(settings.group_id, generasjon)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
