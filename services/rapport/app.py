"""Bootstrap: the one place that wires the rapport service together."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.kafka.annotations import KafkaMessage

from services.plumbing.auth import JwtVerifier
from services.plumbing.db import apply_migrations, create_pool
from services.plumbing.runtime import ServiceRuntime, create_http_app
from services.rapport import api, consume, projection, web
from shared.events import topics
from shared.settings import RapportSettings

log = logging.getLogger(__name__)

DESCRIPTION = "Read models: the avslutning report, CSV, avslutningshistorikk and måloppnåelse."
MIGRATIONS = Path(__file__).parent / "migrations"
# Every topic whose facts the report shows; the Folkeregister's effect reaches us as computed avslutninger.
CONSUMED = (topics.DELTAKER, topics.VEDTAK, topics.AVSLUTNING, topics.BEREGNET_AVSLUTNING)
# Records per batch at most: one Kafka commit and one PostgreSQL transaction per batch. A batch is whatever
# has arrived (getmany does not wait for it to fill), so a single live event is projected at once.
MAX_RECORDS = 500


def _batch_body(msg: Any) -> list[Any]:
    # The raw records' bytes: each record is parsed on its own (consume.py), so one bad record is
    # dead-lettered alone instead of failing the batch's decoding.
    return list(msg.body)


class RapportRuntime(ServiceRuntime):
    """Before the broker starts: apply migrations, rebuild if the projection version changed, and subscribe
    with the consumer group of the current generation (a rebuild's new group reads from the beginning)."""

    generasjon: int | None = None
    rebuilt: bool = False
    # The report's queries are built from the user's filter, and a prefix pattern (LIKE $n) can use a name
    # index only in a plan made for its value: plan every query for its values (planning costs < 1 ms).
    pool_settings = {"plan_cache_mode": "force_custom_plan"}

    async def start(self) -> None:
        s = self.settings
        pool = await create_pool(s.database_url, self.schema, max_size=1, application_name="nir-rapport-prepare")
        try:
            await apply_migrations(pool, self.schema, self.migrations)
            async with pool.acquire() as conn:
                self.generasjon, self.rebuilt = await projection.prepare(conn)
        finally:
            await pool.close()
        if self.rebuilt:
            log.info("projection version changed: read models reset, rebuilding from the topics",
                     extra={"projection_version": projection.PROJECTION_VERSION, "generation": self.generasjon})
        self._subscribe(projection.group_id(s.group_id, self.generasjon))
        await super().start()

    def _subscribe(self, group_id: str) -> None:
        # One consumer group per topic: a member joining for one topic then never rebalances the others.
        for topic in CONSUMED:
            self._subscribe_one(topic, f"{group_id}.{topic.name}")

    def _subscribe_one(self, topic: topics.Topic, group_id: str) -> None:
        runtime = self

        async def project(body: list[Any], msg: KafkaMessage) -> None:
            await consume.project_records(runtime.pool, topic, msg.raw_message, runtime.dead_letters.dead_letter)

        project.__name__ = f"project_{topic.name.replace('.', '_').replace('-', '_')}"
        self.broker.subscriber(self.topics(topic), group_id=group_id, auto_offset_reset="earliest", batch=True,
                               max_records=MAX_RECORDS, decoder=_batch_body)(project)


def create_app(settings: RapportSettings | None = None) -> FastAPI:
    settings = settings or RapportSettings()
    runtime = RapportRuntime(settings, MIGRATIONS)
    app = create_http_app(runtime, title="NIR avslutning – rapport", description=DESCRIPTION,
                          routers=[api.router(), web.router()])
    app.state.jwt_verifier = JwtVerifier(settings.jwt_public_keys, issuer=settings.jwt_issuer,
                                         audience=settings.jwt_audience)
    return app
