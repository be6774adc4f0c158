"""Bounded storage (issue #11 §4), on the real PostgreSQL: processed event ids and published outbox rows past
their retention are deleted (services/plumbing/retention.py), what is inside it is kept, and a redelivery
stays de-duplicated both inside the window (event id) and after it (position)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from services.plumbing import metrics, retention
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.kafka import encode
from services.plumbing.outbox import enqueue
from shared.events import topics
from shared.events.eksempler import kommune_avslutning
from tests.integration.test_consumer import Effect, applied
from tests.support import consuming

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parent / "roundtrip_migrations"
WINDOW = timedelta(days=14)


@pytest.fixture
async def pool(database_url, unique):
    schema = f"retention_{unique}"
    p = await create_pool(database_url, schema)
    await apply_migrations(p, schema, MIGRATIONS)
    yield p
    await p.close()


async def sizes(pool) -> dict[str, int]:
    return {t: await pool.fetchval(f"SELECT count(*) FROM {t}") for t in ("processed_events", "outbox")}


async def test_old_rows_are_pruned_and_redeliveries_stay_deduplicated(pool):
    consumer = consuming.consumer_for(pool, Effect(), (topics.AVSLUTNING,))
    old = [kommune_avslutning() for _ in range(30)]
    recent = [kommune_avslutning() for _ in range(20)]
    await consumer.handle([consuming.record(topics.AVSLUTNING, i, encode(e)) for i, e in enumerate(old)])
    await consumer.handle([consuming.record(topics.AVSLUTNING, 30 + i, encode(e)) for i, e in enumerate(recent)])
    async with pool.acquire() as conn, conn.transaction():
        await enqueue(conn, old + recent)
    # the first 30 were processed, and their outbox rows published, three weeks ago; one row is unpublished
    await pool.execute(
        "UPDATE processed_events SET processed_at = now() - interval '21 days' WHERE event_id = ANY($1::uuid[])",
        [e.event_id for e in old],
    )
    await pool.execute(
        "UPDATE outbox SET published_at = now() - interval '21 days' WHERE event_id = ANY($1::uuid[])",
        [e.event_id for e in old[1:]],
    )
    await pool.execute(
        "UPDATE outbox SET published_at = now() WHERE event_id = ANY($1::uuid[])", [e.event_id for e in recent]
    )
    before = await sizes(pool)
    pruned = metrics.PRUNED_ROWS.labels("test", "processed_events")._value.get()

    deleted = await retention.prune(pool, retention.standard(WINDOW, timedelta(days=7)), "test")

    after = await sizes(pool)
    print(f"\n[retention] before {before}, after {after}")
    assert before == {"processed_events": 50, "outbox": 50}
    assert deleted == {"processed_events": 30, "outbox": 29}
    assert after == {"processed_events": 20, "outbox": 21}  # the unpublished row is never pruned
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1
    assert metrics.PRUNED_ROWS.labels("test", "processed_events")._value.get() == pruned + 30
    assert metrics.TABLE_ROWS.labels("test", "outbox")._value.get() == 21

    # inside the window: a republication (same event, new offset) is known by its id
    await consumer.handle([consuming.record(topics.AVSLUTNING, 50, encode(recent[0]))])
    # after the window: a redelivery of an old record (its id pruned) is known by its position
    await consumer.handle([consuming.record(topics.AVSLUTNING, 3, encode(old[3]))])
    assert await applied(pool) == 50
