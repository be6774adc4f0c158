"""The barrier (issue #11 §2, services/regelmotor/innhenting.py), on the real broker and PostgreSQL: a waiting
day tick is applied only when the consumer's positions have reached the fact topics' end offsets, and a person
first seen while a tick waits is known from that tick's day, so applying it cannot arm the person's frister
before its vedtak (published after the tick) has been read."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from services.plumbing import idempotency
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.kafka import TopicNames, ensure_topics, make_broker, publish
from services.regelmotor import forbruker, lager
from services.regelmotor.app import FAKTA, MIGRATIONS
from services.regelmotor.innhenting import Dognvakt, Faktabarriere
from shared.events import topics
from shared.events.klokke import DognPassert
from tests.conftest import fresh_database
from tests.support.hendelser import Deltaker, person

pytestmark = pytest.mark.integration

D = date(2023, 1, 10)


def tick(dato: date) -> DognPassert:
    now = datetime.now(UTC)
    return DognPassert(dato=dato, occurred_at=now, recorded_at=now, correlation_id=uuid4(), producer="test")


@pytest.fixture
async def pool(infrastructure):
    async with fresh_database(infrastructure) as url:  # the regelmotor's schema has its own name
        p = await create_pool(url, "regelmotor")
        await apply_migrations(p, "regelmotor", MIGRATIONS)
        async with p.acquire() as conn, conn.transaction():
            await lager.flytt_idag(conn, tick(D))
        yield p
        await p.close()


async def test_a_waiting_tick_is_applied_when_the_facts_before_it_are_decided(kafka_bootstrap, pool, unique):
    names = TopicNames(f"test-{unique}.")
    await ensure_topics(kafka_bootstrap, names.specs())
    f = Deltaker()
    facts = [f.registrert(), f.vedtak(), f.sluttmal()]
    broker = make_broker(kafka_bootstrap, client_id="test-innhenting")
    await broker.start()
    try:
        for e in facts:
            await publish(broker, e, names=names)
    finally:
        await broker.stop()
    async with pool.acquire() as conn, conn.transaction():
        await forbruker.behandle(conn, [tick(D + timedelta(days=1))])  # consumed ahead of the facts

    vakt = Dognvakt(Faktabarriere(kafka_bootstrap, [names(t) for t in FAKTA], "regelmotor"))
    await vakt.start(pool)
    try:
        await vakt.prov(pool)
        status = await lager.klokkestatus(pool)
        assert status.idag == D and status.venter  # three records not decided: the tick waits
        # the consumer decides the facts (their positions commit with their effect)
        async with pool.acquire() as conn, conn.transaction():
            await forbruker.behandle(conn, facts)
            ends = await vakt._barriere.maal()
            await idempotency.advance(conn, "regelmotor", {tp: end - 1 for tp, end in ends.items() if end > 0})
        await vakt.prov(pool)
        status = await lager.klokkestatus(pool)
        assert status.idag == D + timedelta(days=1) and not status.venter and not status.usveipet
    finally:
        await vakt.stop()


async def test_a_person_first_seen_while_a_tick_waits_is_known_from_that_day(pool):
    later = D + timedelta(days=1)
    f = Deltaker()
    async with pool.acquire() as conn, conn.transaction():
        await forbruker.behandle(conn, [tick(later)])
    async with pool.acquire() as conn, conn.transaction():
        await forbruker.behandle(conn, [f.registrert(person(bosatt=date(2021, 1, 5)))])  # oppstartsfrist long passed
        [t] = (await lager.hent(conn, [f.deltaker_id])).values()
    assert t.idag == D and t.kjent_fra == later
    # the tick applied (as if its barrier held) arms nothing yet: the person became known on its day
    async with pool.acquire() as conn, conn.transaction():
        await lager.flytt_idag(conn, tick(later))
    assert await forbruker.sveip(pool, later, tick(later)) == 0
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE topic = $1", topics.BEREGNET_AVSLUTNING.name) == 0
