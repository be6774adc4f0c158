"""Bootstrap: the one place that wires the regelmotor service together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.kafka.annotations import KafkaMessage

from services.plumbing.runtime import ServiceRuntime, create_http_app
from services.regelmotor import behandling
from services.regelmotor.innhenting import vent_pa_fakta
from services.regelmotor.klokke import Klokke
from shared.events import topics
from shared.settings import RegelmotorSettings

DESCRIPTION = "The rule engine: computed avslutninger from registrering's facts, the Folkeregister and the passage of time."
MIGRATIONS = Path(__file__).parent / "migrations"
INN = (topics.DELTAKER, topics.VEDTAK, topics.AVSLUTNING, topics.FOLKEREGISTER, topics.KLOKKE)


# Records per batch: one Kafka commit and one PostgreSQL transaction per batch (LIBRARY-NOTES.md).
MAX_RECORDS = 500


def _batch_body(msg: Any) -> list[Any]:
    # The raw records' bytes: every record is parsed on its own in the handler, so one bad record is
    # dead-lettered alone instead of failing the batch's decoding.
    return list(msg.body)


def _subscribe(runtime: ServiceRuntime, settings: RegelmotorSettings, topic: topics.Topic,
               fakta_subscribers: list[Any]) -> None:
    # Records are parsed with the topic's union (topic.adapter()) in the handler, so an unknown type can be
    # skipped and counted instead of failing validation and landing in the dead letters.
    async def handler(body: list[Any], msg: KafkaMessage) -> None:
        await behandling.behandle_batch(runtime.pool, topic, msg.raw_message, runtime.dead_letters.dead_letter,
                                        sveip_batch=settings.sveip_batch,
                                        for_dogn=lambda: vent_pa_fakta(fakta_subscribers))
        if runtime.relay is not None:
            runtime.relay.wake()

    handler.__name__ = f"on_{topic.name.replace('.', '_').replace('-', '_')}"
    subscriber = runtime.broker.subscriber(runtime.topics(topic), group_id=settings.group_id,
                                           auto_offset_reset="earliest", batch=True, max_records=MAX_RECORDS,
                                           decoder=_batch_body)
    subscriber(handler)
    if topic is not topics.KLOKKE:
        fakta_subscribers.append(subscriber)


def create_app(settings: RegelmotorSettings | None = None) -> FastAPI:
    settings = settings or RegelmotorSettings()
    runtime = ServiceRuntime(settings, MIGRATIONS)
    fakta_subscribers: list[Any] = []
    for topic in INN:
        _subscribe(runtime, settings, topic, fakta_subscribers)

    if settings.klokke_aktiv:
        klokke: dict[str, Klokke] = {}

        async def start_klokke(rt: ServiceRuntime) -> None:
            klokke["k"] = Klokke(rt.pool, rt.relay.wake if rt.relay else (lambda: None), settings.tidssone)
            klokke["k"].start()

        async def stopp_klokke(_: ServiceRuntime) -> None:
            if "k" in klokke:
                await klokke["k"].stop()

        runtime.on_started.append(start_klokke)
        runtime.on_stopping.append(stopp_klokke)
    return create_http_app(runtime, title="NIR avslutning – regelmotor", description=DESCRIPTION)
