"""rapport's consumer handler: a batch of events into the read models, in the transaction the consumer path
(services/plumbing/consumer.py) has de-duplicated the batch in and commits its marks in."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.rapport.lager import projeksjon
from shared.events.envelope import DeltakerEvent

CONSUMER = projeksjon.CONSUMER


async def behandle(conn: asyncpg.Connection, events: Sequence[DeltakerEvent]) -> None:
    """Lock the batch's deltakere, write the events' facts, recompute each touched report row once."""
    if not events:
        return
    await projeksjon.laas(conn, {e.deltaker_id for e in events})
    await projeksjon.refresh_all(conn, await projeksjon.apply_all(conn, events))
