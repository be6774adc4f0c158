"""Each of the four services runs as its own process: it starts, connects to Kafka and PostgreSQL, applies its
migrations, reports ready, and stops gracefully on SIGTERM (issue #2 §4)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from services.plumbing import asyncapi
from shared.events import topics
from shared.settings import ALL_SETTINGS
from tests.support.ports import free_port
from tests.support.prosess import vent_til_klar

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


async def wait_ready(port: int, proc: asyncio.subprocess.Process, timeout: float = 60.0) -> dict:
    return (await vent_til_klar(f"http://127.0.0.1:{port}", proc, timeout=timeout)).json()


@pytest.mark.parametrize("settings_cls", ALL_SETTINGS, ids=lambda c: c.SERVICE)
async def test_service_starts_migrates_reports_ready_and_stops_on_sigterm(
    settings_cls, kafka_bootstrap, database_url, unique
):
    port = free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "DATABASE_URL": database_url,
        "HTTP_PORT": str(port),
        "CONSUMER_GROUP": f"test-{settings_cls.SERVICE}-{unique}",
        "TOPIC_PREFIX": f"test-{unique}.",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        f"services.{settings_cls.SERVICE}",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        checks = await wait_ready(port, proc)
        assert checks["postgres"] is True and checks["kafka"] is True, checks

        conn = await asyncpg.connect(database_url)
        try:
            applied = await conn.fetch(
                f'SELECT source, name FROM "{settings_cls.DB_SCHEMA}".schema_migrations ORDER BY source, version'
            )
        finally:
            await conn.close()
        assert ("plumbing", "0001_outbox_and_processed_events.sql") in [tuple(r) for r in applied]
        assert any(r["source"] == "service" for r in applied)

        # It created the catalogue's topics behind its environment's prefix, and only there; the identity topic
        # compacted (issue #16 §3).
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            identiteter = f"test-{unique}.{topics.IDENTITET.name}"
            [described] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, identiteter)])
        finally:
            await admin.close()
        assert {f"test-{unique}.{t.name}" for t in topics.ALL} <= existing
        configs = {c[0]: c[1] for c in described.resources[0][4]}
        assert configs["cleanup.policy"] == "compact"

        # The AsyncAPI document the running service serves, with its environment's topic names, is valid for
        # the AsyncAPI CLI (issue #16 §2).
        async with httpx.AsyncClient() as client:
            served = (await client.get(f"http://127.0.0.1:{port}/asyncapi.json", timeout=5)).json()
        assert {c["address"] for c in served["channels"].values()} <= existing
        result = await asyncio.to_thread(asyncapi.validate, served)
        assert result.returncode == 0, result.stdout + result.stderr

        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    assert proc.returncode == 0, output.decode()[-3000:]
    lines = [json.loads(line) for line in output.decode().splitlines() if line.startswith("{")]
    messages = [(entry["service"], entry["msg"]) for entry in lines]
    assert (settings_cls.SERVICE, "service ready") in messages
    assert messages.index((settings_cls.SERVICE, "service stopping")) < messages.index(
        (settings_cls.SERVICE, "service stopped")
    )
