"""The handlers: load → decide (the pure domain) → save, in the transaction the consumer path
(services/plumbing/consumer.py) commits its marks in; and the deadline sweep of a new day.

A day tick is not applied here: it waits (lager.vent_dogn) until the facts published before it are in
(innhenting.py), so the same batch's facts and ticks can be taken in any order."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

import asyncpg

from services.plumbing import outbox
from services.regelmotor import lager
from services.regelmotor.domain import anvend, differanse, med_idag
from services.regelmotor.domain.differanse import Utgaende
from services.regelmotor.domain.tilstand import IGNORERTE
from shared.events.envelope import DeltakerEvent, Event
from shared.events.klokke import DognPassert

log = logging.getLogger(__name__)

CONSUMER = "regelmotor"


async def behandle(conn: asyncpg.Connection, events: Sequence[Event]) -> None:
    """The consumer's handler: ticks wait, facts are applied (in their order) with today's idag."""
    # The clock's shared lock before the clock's row: the Dognvakt takes them in the same order (exclusively).
    idag, siste_dag = await lager.les_dager(conn)
    for tick in (e for e in events if isinstance(e, DognPassert)):
        await lager.vent_dogn(conn, tick)
        siste_dag = tick.dato if siste_dag is None else max(siste_dag, tick.dato)
    fakta = [e for e in events if isinstance(e, DeltakerEvent) and not isinstance(e, IGNORERTE)]
    await anvend_fakta(conn, fakta, idag, siste_dag)


async def anvend_fakta(
    conn: asyncpg.Connection, events: Sequence[DeltakerEvent], idag: date | None, siste_dag: date | None
) -> int:
    """Deltaker facts: load (locked), anvend → differanse per event in the given order, save, outbox, with
    the clock as read by the caller (under the clock's shared lock). Returns how many computed-avslutning
    events they caused."""
    if not events:
        return 0
    tilstander = await lager.hent(conn, [e.deltaker_id for e in events])
    ut: list[Utgaende] = []
    for e in events:
        # the clock first: a deltaker's first facts record the day it became known (kjent_fra)
        resultat = differanse(anvend(med_idag(tilstander[e.deltaker_id], idag), e, siste_dag), e)
        tilstander[e.deltaker_id] = resultat.tilstand
        ut.extend(resultat.hendelser)
    await lager.lagre(conn, list(tilstander.values()))
    await outbox.enqueue(conn, ut)
    return len(ut)


async def sveip(pool: asyncpg.Pool, idag: date, tick: DognPassert, *, batch: int = 500) -> int:
    """The deltakere whose frist has passed on `idag`, in batches of one transaction each. Idempotent (it
    only finds rows whose neste_tidsfrist lies before idag, and saving moves it on), so a sweep interrupted
    by a crash is simply run again."""
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
    return antall
