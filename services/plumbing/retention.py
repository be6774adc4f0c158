"""Bounded storage: published outbox rows, processed event ids (and a service's own tables, e.g.
registrering's Idempotency-Keys) are deleted once they are older than their retention.

Why the windows keep exactly-once effects (README «Delivery guarantees»):
- a published outbox row is never read again: the relay only reads rows with published_at NULL, and a row
  is marked in the transaction that saw the broker acknowledge it;
- a redelivered record (same partition and offset) is recognised by the consumer's position, which is
  never pruned (services/plumbing/idempotency.py);
- the same event id at a new offset comes only from the relay publishing a row again after a crash before
  marking it, i.e. seconds after the first copy and next to it in the partition, and the consumer processes
  the two copies within its own lag of each other. processed_events rows are pruned by *processing* time,
  so the window (default 14 days) has to exceed the time between processing the two copies, not the age of
  the events: even a consumer that was down for a month processes both copies in the same catch-up.
- an operator's republication of a dead letter re-sends an event that was never applied (it was dead-
  lettered), so it is not a duplicate.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from services.plumbing import metrics

log = logging.getLogger(__name__)

_CHUNK = 10_000  # rows per DELETE: short transactions, no long lock on a busy table


@dataclass(frozen=True)
class Retention:
    """Rows of `table` whose `column` (a timestamptz) is older than `keep` are deleted."""

    table: str
    column: str
    keep: timedelta


def standard(processed_events: timedelta, outbox: timedelta) -> list[Retention]:
    return [
        Retention("processed_events", "processed_at", processed_events),
        Retention("outbox", "published_at", outbox),
    ]


async def prune(pool: asyncpg.Pool, rules: list[Retention], service: str) -> dict[str, int]:
    """One pass: delete what is past retention, in chunks; returns the rows deleted per table."""
    deleted: dict[str, int] = {}
    for rule in rules:
        total = 0
        while True:
            # ctid chunks: a bounded delete without an id column; the column's index finds the old rows
            status = await pool.execute(
                f"DELETE FROM {rule.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {rule.table}"
                f" WHERE {rule.column} < now() - $1::interval LIMIT {_CHUNK}))",
                rule.keep,
            )
            n = int(status.split()[-1])
            total += n
            if n < _CHUNK:
                break
        deleted[rule.table] = total
        metrics.PRUNED_ROWS.labels(service, rule.table).inc(total)
        metrics.TABLE_ROWS.labels(service, rule.table).set(await pool.fetchval(f"SELECT count(*) FROM {rule.table}"))
    if any(deleted.values()):
        log.info("old rows pruned", extra={"deleted": deleted})
    return deleted


async def run(pool: asyncpg.Pool, rules: list[Retention], service: str, interval: float) -> None:
    """Prune now and then every `interval` seconds, until cancelled."""
    while True:
        try:
            await prune(pool, rules, service)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the next pass tries again
            log.warning("pruning failed; trying again later", extra={"error_type": type(exc).__name__})
        await asyncio.sleep(interval)
