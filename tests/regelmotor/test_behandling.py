"""The handler's parsing (issue #4): unknown types are skipped and counted, a known type that does not
parse raises (→ dead letter), and a batch dead-letters a bad record alone (TestKafkaBroker-free: records are
plain objects, the database is not reached for records that never parse)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import asyncpg
import pytest
from pydantic import ValidationError

from services.plumbing import metrics
from services.regelmotor.behandling import behandle_batch, les
from shared.events import topics
from tests.regelmotor.fakta import PROGRAMSTART, Fakta


def teller(topic: str, utfall: str) -> float:
    return metrics.EVENTS_CONSUMED.labels("regelmotor", topic, utfall)._value.get()


def test_ukjent_type_hoppes_over_og_telles():
    for_ = teller(topics.VEDTAK.name, "ukjent_type")
    assert les(topics.VEDTAK, b'{"type": "TiltakSlettet", "x": 1}') is None
    assert les(topics.VEDTAK, b'["ikke", "et", "objekt"]') is None
    assert teller(topics.VEDTAK.name, "ukjent_type") == for_ + 2


def test_kjent_type_som_ikke_kan_leses_feiler():
    with pytest.raises(ValidationError):
        les(topics.VEDTAK, b'{"type": "VedtakRegistrert"}')


def test_en_type_fra_et_annet_topic_er_ukjent_her():
    f = Fakta()
    body = f.registrert().model_dump_json().encode()
    assert les(topics.VEDTAK, body) is None
    assert les(topics.DELTAKER, body) is not None


@pytest.mark.parametrize("dato", [0, 20220201, 1.5, True, "01.02.2022", "2022-2-1"])
def test_en_dato_som_ikke_er_en_iso_tekst_kan_ikke_leses(dato):
    """Issue #11 §3: {"avvist_dato": 0} is not 1970-01-01 (it made «Person avvist program» dated 01.01.1970)."""
    body = json.loads(Fakta().avvist(PROGRAMSTART).model_dump_json())
    body["avvist_dato"] = dato
    with pytest.raises(ValidationError) as exc:
        les(topics.VEDTAK, json.dumps(body).encode())
    assert [e["loc"] for e in exc.value.errors()] == [("AvvisningRegistrert", "avvist_dato")]
    body["avvist_dato"] = PROGRAMSTART.isoformat()
    assert les(topics.VEDTAK, json.dumps(body).encode()).avvist_dato == PROGRAMSTART


@dataclass
class Record:
    value: bytes
    topic: str = "nir.vedtak.v1"


async def test_batchen_sender_darlige_poster_til_dead_letter_hver_for_seg():
    doede = []

    async def dead_letter(record, exc):
        doede.append((record.value, type(exc).__name__))

    avvist_null = json.loads(Fakta().avvist(PROGRAMSTART).model_dump_json()) | {"avvist_dato": 0}
    poster = [Record(b"ikke json"), Record(json.dumps({"type": "VedtakRegistrert"}).encode()),
              Record(json.dumps({"type": "Ukjent"}).encode()), Record(json.dumps(avvist_null).encode())]
    assert await behandle_batch(None, topics.VEDTAK, poster, dead_letter) == 0  # type: ignore[arg-type]
    assert doede == [(b"ikke json", "JSONDecodeError"), (poster[1].value, "ValidationError"),
                     (poster[3].value, "ValidationError")]


async def test_en_batch_som_proves_igjen_gjennom_et_avbrudd_dead_lettrer_giften_en_gang(database_url):
    """Quality bar «poison to the dead-letter topic, not an endless loop»: while PostgreSQL is away the plumbing
    retries the batch; its bad record is dead-lettered once the batch is decided, not on every retry."""
    doede = []

    async def dead_letter(record, exc):
        doede.append(record.value)

    f = Fakta()
    poster = [Record(b"ikke json", topic="nir.deltaker.v1"),
              Record(f.registrert().model_dump_json().encode(), topic="nir.deltaker.v1")]
    borte = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
    await borte.close()  # «the database is away»: asyncpg says the pool is closed, an outage
    for _ in range(3):
        with pytest.raises(asyncpg.InterfaceError):
            await behandle_batch(borte, topics.DELTAKER, poster, dead_letter)
    assert doede == []
