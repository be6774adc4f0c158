"""Idempotent consumption: record the event id in the same transaction as the effect."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def first_delivery(conn: asyncpg.Connection, consumer: str, event_id: UUID) -> bool:
    """True the first time `consumer` sees `event_id`; False for a redelivery.

    Call inside the transaction that writes the effect: if that transaction rolls back, so does the mark.
    """
    row = await conn.fetchval(
        "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
        consumer,
        event_id,
    )
    return row is not None
