"""Transactional outbox: a state change and the events it causes commit together, and a relay publishes
them afterwards (faststream has no Kafka transactions; docs/LIBRARY-NOTES.md).

A crash after publishing but before marking sent publishes again on restart; consumers de-duplicate on
event_id, so the effect is exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from uuid import uuid4

import asyncpg
from faststream.kafka import KafkaBroker

from services.plumbing import metrics
from services.plumbing.kafka import TopicNames, encode, headers_for
from services.plumbing.tasks import cancel_and_wait
from shared.events import topics
from shared.events.envelope import Event

log = logging.getLogger(__name__)


async def enqueue(conn: asyncpg.Connection, events: Iterable[Event]) -> None:
    """Add events to the outbox inside the caller's transaction (with the catalogue's topic name; the relay
    adds the environment's prefix)."""
    await _insert(
        conn, [(e.event_id, topics.topic_of(e).name, e.message_key(), encode(e), headers_for(e)) for e in events]
    )


async def enqueue_raw(
    conn: asyncpg.Connection, *, topic: str, key: bytes, payload: bytes, headers: dict[str, str]
) -> None:
    """A message that is not a contract event (a dead letter), to the catalogue topic `topic`."""
    await _insert(conn, [(uuid4(), topic, key, payload, headers)])


async def _insert(conn: asyncpg.Connection, rows: list[tuple]) -> None:
    if rows:
        await conn.executemany(
            "INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (event_id) DO NOTHING",
            rows,
        )
        # Delivered at commit (and not at all on rollback) to whichever relay listens for this schema, in
        # any process; PostgreSQL folds identical notifications of one transaction into one.
        await conn.execute("SELECT pg_notify('nir_outbox_' || current_schema(), '')")


class OutboxRelay:
    """Publishes unpublished outbox rows in id order. One relay works at a time per schema (advisory
    lock), which keeps each key's events in the order they were committed."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        *,
        schema: str,
        names: TopicNames,
        service: str = "",
        batch_size: int = 500,
        idle_interval: float = 1.0,
    ) -> None:
        self._service = service or schema
        self._names = names
        self._channel = f"nir_outbox_{schema}"
        self._listener: asyncpg.Connection | None = None
        self._pool = pool
        self._broker = broker
        self._lock_name = f"outbox:{schema}"
        self._batch_size = batch_size
        self._idle = idle_interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    def wake(self) -> None:
        """Tell the relay there is work (after a commit in this process)."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """One batch; returns how many rows were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtext($1))", self._lock_name):
                return 0
            rows = await conn.fetch(
                "SELECT id, topic, key, payload, headers FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
                self._batch_size,
            )
            # Hand the whole batch to the producer in id order (it keeps that order per partition), then
            # wait for every acknowledgement: one round trip per batch instead of one per event.
            pending = []
            failed: BaseException | None = None
            for r in rows:
                try:
                    pending.append(
                        await self._broker.publish(
                            r["payload"],
                            topic=self._names(r["topic"]),
                            key=r["key"],
                            headers=r["headers"],
                            no_confirm=True,
                        )
                    )
                except Exception as exc:  # noqa: BLE001 - e.g. no metadata while the broker is down: send the rest later
                    failed = exc
                    break
            results = await asyncio.gather(*pending, return_exceptions=True)
            # Mark what the broker acknowledged; what failed is sent on the next pass. The idempotent producer
            # keeps a partition's order while it retries, but a batch that expires (no leader for too long)
            # fails on its own, and a later one may still land: then the failed event arrives after it.
            # Consumers therefore de-duplicate on event_id and do not depend on order across such an outage.
            sent = [r["id"] for r, result in zip(rows, results, strict=False) if not isinstance(result, BaseException)]
            failed = failed or next((x for x in results if isinstance(x, BaseException)), None)
            if sent:
                await conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", sent)
        self.published += len(sent)
        metrics.EVENTS_PUBLISHED.labels(self._service).inc(len(sent))
        if failed is not None:
            raise failed
        return len(sent)

    async def pending(self) -> int:
        return await self._pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")

    async def _run(self) -> None:
        while True:
            try:
                if await self.publish_pending():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle)
            self._wake.clear()

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def start(self) -> None:
        """Listen for commits (NOTIFY, on a connection held for it: releasing it would UNLISTEN), and poll
        every `idle_interval` as a fallback for a lost notification or connection."""
        self._listener = await self._pool.acquire()
        await self._listener.add_listener(self._channel, self._notified)
        self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self._lock_name}")

    async def stop(self) -> None:
        if self._listener is not None:
            try:
                await self._listener.remove_listener(self._channel, self._notified)
            finally:
                await self._pool.release(self._listener)
                self._listener = None
        await cancel_and_wait(self._task)
        self._task = None
