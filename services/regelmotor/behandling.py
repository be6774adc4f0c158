"""The handlers: load → decide (the pure domain) → save, with idempotency and the outbox, in one
transaction per event (and one per batch of the daily sweep)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from pydantic import ValidationError

from services.plumbing import metrics, outbox
from services.plumbing.db import retry_on_conflict
from services.plumbing.dead_letter import transient
from services.plumbing.idempotency import first_delivery
from services.regelmotor import lager
from services.regelmotor.domain import anvend, differanse, med_idag
from services.regelmotor.domain.tilstand import IGNORERTE
from shared.events import topics
from shared.events.envelope import DeltakerEvent, Event
from shared.events.klokke import DognPassert

log = logging.getLogger(__name__)

CONSUMER = "regelmotor"
SERVICE = "regelmotor"


def les(topic: topics.Topic, raw: bytes) -> Event | None:
    """The event, parsed strictly from the record's JSON bytes (a number is not a date), or None for a type
    this topic does not carry (skipped and counted, not dead-lettered: a newer producer may add types). A known
    type that does not parse raises ValidationError, and bytes that are not JSON JSONDecodeError → dead letter."""
    try:
        return topic.adapter().validate_json(raw)
    except ValidationError:
        body = json.loads(raw)  # only on failure: is it a type we do not know, or a broken one?
        typ = body.get("type") if isinstance(body, dict) else None
        if typ not in {cls.model_fields["type"].default for cls in topic.event_types}:
            metrics.EVENTS_CONSUMED.labels(SERVICE, topic.name, "ukjent_type").inc()
            log.warning("unknown event type skipped", extra={"topic": topic.name, "event_type": str(typ)[:100]})
            return None
        metrics.EVENTS_CONSUMED.labels(SERVICE, topic.name, "ugyldig").inc()
        raise


async def behandle(pool: asyncpg.Pool, events: Sequence[DeltakerEvent], topic: str) -> int:
    """Deltaker facts in one transaction: idempotency, load (locked), anvend → differanse per event in the
    given order, save, outbox. Returns how many computed-avslutning events they caused."""
    nyttige = [e for e in events if not isinstance(e, IGNORERTE)]
    if len(nyttige) < len(events):
        metrics.EVENTS_CONSUMED.labels(SERVICE, topic, "ignorert").inc(len(events) - len(nyttige))
    if not nyttige:
        return 0
    async with pool.acquire() as conn, conn.transaction():
        rader = await conn.fetch(
            "INSERT INTO processed_events (consumer, event_id) SELECT $1, unnest($2::uuid[])"
            " ON CONFLICT DO NOTHING RETURNING event_id", CONSUMER, [e.event_id for e in nyttige])
        ferske = {r["event_id"] for r in rader}
        forste = []
        for e in nyttige:  # a redelivered event, or the same event twice in one batch, is applied once
            if e.event_id in ferske:
                ferske.discard(e.event_id)
                forste.append(e)
        if len(forste) < len(nyttige):
            metrics.EVENTS_CONSUMED.labels(SERVICE, topic, "duplikat").inc(len(nyttige) - len(forste))
        if not forste:
            return 0
        idag = await lager.les_idag(conn)
        tilstander = await lager.hent(conn, [e.deltaker_id for e in forste])
        ut = []
        for e in forste:
            # the clock first: a deltaker's first facts record the day it became known (kjent_fra)
            resultat = differanse(anvend(med_idag(tilstander[e.deltaker_id], idag), e), e)
            tilstander[e.deltaker_id] = resultat.tilstand
            ut.extend(resultat.hendelser)
        await lager.lagre(conn, list(tilstander.values()))
        await outbox.enqueue(conn, ut)
    metrics.EVENTS_CONSUMED.labels(SERVICE, topic, "ok").inc(len(forste))
    return len(ut)


DeadLetterFn = Callable[[Any, BaseException], Awaitable[None]]


async def behandle_batch(pool: asyncpg.Pool, topic: topics.Topic, records: Sequence[Any],
                         dead_letter: DeadLetterFn, *, sveip_batch: int = 500,
                         for_dogn: Callable[[], Awaitable[Any]] | None = None) -> int:
    """A batch of Kafka records from one topic (one Kafka commit and one transaction for all: the
    throughput lever). A record that does not parse is dead-lettered on its own; if the batch as a whole
    fails for another reason than an outage, its events are retried one by one and only the failing ones
    are dead-lettered. Outages (dead_letter.transient) propagate: the plumbing retries the batch while they last.
    Dead letters are written last, once the batch has been decided, so a retried batch does not dead-letter the
    same record again."""
    dead_letter = _tellende(dead_letter, topic.name)
    lest: list[tuple[Any, Event]] = []
    doede: list[tuple[Any, BaseException]] = []
    for record in records:
        try:
            event = les(topic, record.value or b"")
        except (ValueError, ValidationError) as exc:  # not JSON, or a known type that does not parse
            doede.append((record, exc))
            continue
        if event is not None:
            lest.append((record, event))
    antall = 0
    fakta: list[tuple[Any, DeltakerEvent]] = []

    async def tom() -> int:
        if not fakta:
            return 0
        try:
            return await retry_on_conflict(lambda: behandle(pool, [e for _, e in fakta], topic.name))
        except Exception as exc:
            if transient(exc):
                raise  # an outage: the plumbing retries the batch
            # the type only: a database error's text may quote an argument (an identifier)
            log.warning("batch failed; retrying its events one by one",
                        extra={"topic": topic.name, "events": len(fakta), "error_type": type(exc).__name__})
            n = 0
            for record, e in fakta:
                try:
                    n += await retry_on_conflict(lambda e=e: behandle(pool, [e], topic.name))
                except Exception as exc:
                    if transient(exc):
                        raise  # an outage: the plumbing retries the batch
                    doede.append((record, exc))
            return n
        finally:
            fakta.clear()

    for record, event in lest:
        if isinstance(event, DognPassert):
            antall += await tom()  # facts before the tick first: per-topic order is kept
            if for_dogn is not None:
                await for_dogn()  # let the other topics' facts catch up (innhenting.py)
            antall += await dogn_passert(pool, event, batch=sveip_batch, topic=topic.name)
        else:
            fakta.append((record, event))  # type: ignore[arg-type]
    antall += await tom()
    for record, exc in doede:
        await dead_letter(record, exc)
    return antall


def _tellende(dead_letter: DeadLetterFn, topic: str) -> DeadLetterFn:
    async def skriv(record: Any, exc: BaseException) -> None:
        await dead_letter(record, exc)
        metrics.DEAD_LETTERED.labels(SERVICE).inc()
        metrics.EVENTS_CONSUMED.labels(SERVICE, topic, "dead_letter").inc()
    return skriv



async def dogn_passert(pool: asyncpg.Pool, tick: DognPassert, *, batch: int = 500, topic: str = "") -> int:
    """Move the clock, then sweep the deltakere whose frist has passed, in batches. The sweep is itself
    idempotent (it only finds rows whose neste_tidsfrist lies before idag), so a redelivered tick sweeps
    again instead of being skipped: a crash halfway leaves nothing behind."""
    async with pool.acquire() as conn, conn.transaction():
        duplikat = not await first_delivery(conn, CONSUMER, tick.event_id)
        idag = await lager.flytt_idag(conn, tick.dato)
    antall = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            tilstander = await lager.hent_utlopte(conn, idag, batch)
            if not tilstander:
                break
            resultater = [differanse(med_idag(t, idag), tick) for t in tilstander]
            await lager.lagre(conn, [r.tilstand for r in resultater])
            hendelser = [h for r in resultater for h in r.hendelser]
            await outbox.enqueue(conn, hendelser)
        antall += len(hendelser)
    metrics.EVENTS_CONSUMED.labels(SERVICE, topic, "duplikat" if duplikat else "ok").inc()
    log.info("day passed", extra={"dato": tick.dato.isoformat(), "idag": idag.isoformat(), "computed_events": antall})
    return antall
