"""Idempotent consumption, recorded in the same transaction as the effect.

Two marks, for the two ways a message comes back:
- the same record again (Kafka redelivers after a crash or a rebalance): its partition **position**
  (consumer_position) already covers its offset. Positions never expire, so this holds however late the
  redelivery comes, and the consumer resumes from them on assignment (services/plumbing/consumer.py);
- the same event at a new offset (the outbox relay published a row, crashed before marking it sent, and
  published it again): its **event id** is in processed_events. Those rows are pruned after the
  de-duplication window (services/plumbing/retention.py), which is safe because a republication follows
  the first publication within the relay's marking time, long inside the window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

import asyncpg


async def first_deliveries(conn: asyncpg.Connection, consumer: str, event_ids: Sequence[UUID]) -> set[UUID]:
    """The ids among `event_ids` that `consumer` has not seen before (each is marked seen now)."""
    if not event_ids:
        return set()
    rows = await conn.fetch(
        "INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[])"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        list(event_ids),
    )
    return {r["event_id"] for r in rows}


Partition = tuple[str, int]  # (physical topic name, partition)


async def positions(
    conn: asyncpg.Connection, consumer: str, partitions: Iterable[Partition], *, lock: bool = False
) -> dict[Partition, int]:
    """The highest decided offset per partition (partitions never decided are absent). `lock` holds the rows
    until commit: two consumers that both think they own a partition (during a rebalance) then decide its
    records one after the other, and the second sees what the first committed."""
    wanted = sorted(set(partitions))
    if not wanted:
        return {}
    rows = await conn.fetch(
        'SELECT topic, partition, "offset" FROM consumer_position WHERE consumer = $1'
        " AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))"
        " ORDER BY topic, partition" + (" FOR UPDATE" if lock else ""),
        consumer,
        [t for t, _ in wanted],
        [p for _, p in wanted],
    )
    return {(r["topic"], r["partition"]): r["offset"] for r in rows}


async def claim_partitions(
    conn: asyncpg.Connection, consumer: str, partitions: Iterable[Partition]
) -> dict[Partition, int]:
    """Lock the partitions' position rows for this transaction (creating them at -1, «nothing decided», so a
    first batch is serialised too) and return the positions."""
    wanted = sorted(set(partitions))
    await conn.execute(
        'INSERT INTO consumer_position (consumer, topic, partition, "offset")'
        " SELECT $1, t, p, -1 FROM unnest($2::text[], $3::int[]) AS x(t, p) ON CONFLICT DO NOTHING",
        consumer,
        [t for t, _ in wanted],
        [p for _, p in wanted],
    )
    return await positions(conn, consumer, wanted, lock=True)


async def advance(conn: asyncpg.Connection, consumer: str, decided: dict[Partition, int]) -> None:
    """Record that every offset up to `decided[partition]` is decided (never moves a position back)."""
    if not decided:
        return
    items = sorted(decided.items())
    await conn.execute(
        'INSERT INTO consumer_position (consumer, topic, partition, "offset")'
        " SELECT $1, t, p, o FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, o)"
        ' ON CONFLICT (consumer, topic, partition) DO UPDATE SET "offset" = GREATEST(consumer_position."offset",'
        ' excluded."offset"), updated_at = now()',
        consumer,
        [t for (t, _), _ in items],
        [p for (_, p), _ in items],
        [o for _, o in items],
    )
