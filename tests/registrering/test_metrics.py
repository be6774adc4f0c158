"""Metrics that tell the truth (issue #11 §5), read from registrering's own /metrics as Prometheus scrapes it:
what it publishes from its outbox, what it consumes (the regelmotor's computed avslutninger: ok and duplicate),
and what it dead-letters."""

from __future__ import annotations

import asyncio
from datetime import date

from prometheus_client.parser import text_string_to_metric_families

from services.plumbing.kafka import publish
from shared.events import topics
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as A
from tests.registrering.conftest import ny_deltaker
from tests.registrering.test_kafka import beregnet
from tests.support.polling import eventually

TOPIC = topics.BEREGNET_AVSLUTNING.name


async def scrape(r) -> dict[tuple[str, tuple], float]:
    text = (await r.client.get("/metrics")).text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_published_consumed_and_dead_lettered_counters_move(registrering):
    r = registrering
    before = await scrape(r)
    did = await ny_deltaker(r)  # three events through the outbox

    async def published() -> bool:
        return (
            value(await scrape(r), "nir_events_published_total", service="registrering")
            >= value(before, "nir_events_published_total", service="registrering") + 3
        )

    await eventually(published, what="the outbox's events counted as published")

    e = beregnet(did, A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2024, 1, 9))
    await publish(r.runtime.broker, e, names=r.runtime.topics)
    await publish(r.runtime.broker, e, names=r.runtime.topics)  # the same event again: a duplicate
    await r.runtime.broker.publish(b"{not json", topic=r.runtime.topics(topics.BEREGNET_AVSLUTNING), key=b"x")

    async def consumed() -> bool:
        now = await scrape(r)
        return all(
            value(now, "nir_events_consumed_total", service="registrering", topic=TOPIC, outcome=o)
            >= value(before, "nir_events_consumed_total", service="registrering", topic=TOPIC, outcome=o) + 1
            for o in ("ok", "duplicate", "dead_letter")
        )

    await eventually(consumed, what="ok, duplicate and dead_letter counted")
    await asyncio.sleep(0.2)
    after = await scrape(r)
    assert (
        value(after, "nir_dead_lettered_total", service="registrering")
        == value(before, "nir_dead_lettered_total", service="registrering") + 1
    )
