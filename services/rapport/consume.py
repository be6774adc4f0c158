"""Kafka batches into the projection: parse each record on its own, project the batch in one transaction,
and dead-letter only what cannot be projected (the pattern of services/regelmotor/behandling.py)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from pydantic import ValidationError

from services.plumbing import metrics
from services.plumbing.db import retry_on_conflict
from services.plumbing.dead_letter import transient
from services.rapport import projection
from shared.events import topics
from shared.events.envelope import DeltakerEvent

log = logging.getLogger(__name__)

SERVICE = "rapport"

DeadLetterFn = Callable[[Any, BaseException], Awaitable[None]]


async def project_records(pool: asyncpg.Pool, topic: topics.Topic, records: Sequence[Any],
                          dead_letter: DeadLetterFn) -> int:
    """One topic's batch of Kafka records (one transaction and one Kafka commit for all); returns how many
    events were projected. A record that is not JSON or not one of the topic's events is dead-lettered on
    its own. If the batch fails as a whole for another reason than an outage, its events are retried one by
    one and only the failing ones are dead-lettered. Outages (dead_letter.transient) propagate: the plumbing retries
    the batch while they last, and the processed ids make the retry harmless. Dead letters are written last,
    once the batch has been decided, so a retried batch does not dead-letter the same record again."""
    lest: list[tuple[Any, DeltakerEvent]] = []
    doede: list[tuple[Any, BaseException]] = []
    for record in records:
        try:
            lest.append((record, topic.adapter().validate_json(record.value or b"")))
        except (ValueError, ValidationError) as exc:  # ValidationError is a ValueError; named for the reader
            doede.append((record, exc))
    projected = await _project(pool, topic, lest, doede) if lest else []
    for record, exc in doede:
        await _dead_letter(dead_letter, topic, record, exc)
    metrics.EVENTS_CONSUMED.labels(SERVICE, topic.name, "ok").inc(len(projected))
    return len(projected)


async def _project(pool: asyncpg.Pool, topic: topics.Topic, lest: list[tuple[Any, DeltakerEvent]],
                   doede: list[tuple[Any, BaseException]]) -> list:
    try:
        projected = await retry_on_conflict(lambda: projection.handle(pool, [e for _, e in lest]))
    except Exception as exc:  # the type only: a database error's text may quote a DUF-nummer
        if transient(exc):
            raise  # an outage: the plumbing retries the batch
        log.warning("batch failed; retrying its events one by one",
                    extra={"topic": topic.name, "events": len(lest), "error_type": type(exc).__name__})
        projected = []
        for record, e in lest:  # projected (or dead-lettered) on their own, in order
            try:
                projected += await retry_on_conflict(lambda e=e: projection.handle(pool, [e]))
            except Exception as exc:
                if transient(exc):
                    raise  # an outage: the plumbing retries the batch
                doede.append((record, exc))
    return projected


async def _dead_letter(dead_letter: DeadLetterFn, topic: topics.Topic, record: Any, exc: BaseException) -> None:
    await dead_letter(record, exc)
    metrics.DEAD_LETTERED.labels(SERVICE).inc()
    metrics.EVENTS_CONSUMED.labels(SERVICE, topic.name, "dead_letter").inc()

