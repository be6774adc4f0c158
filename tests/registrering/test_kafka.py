"""Through the real broker: what the API publishes arrives on nir.avslutning.v1 / nir.vedtak.v1, and the
regelmotor's computed avslutninger (nir.beregnet-avslutning.v1) land idempotently in registrering's model,
with the flows of DOMAIN.md §4 rules 6–7 (seed §3 permanent stans, §5 legge til over regelmotor)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer

from services.plumbing import dead_letter_cli
from services.plumbing.kafka import publish
from shared.events import topics
from shared.events.avslutning import (
    BeregnetAvslutningOpprettet,
    BeregnetAvslutningTrukketTilbake,
    Regelgrunnlag,
    Tilbaketrekkingsgrunn,
)
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as A
from shared.kodeverk.avslutningsarsaker import Avslutningstype
from tests.registrering.conftest import ny_deltaker
from tests.support.naming import run_id
from tests.support.polling import eventually

pytestmark = pytest.mark.integration


async def read_from_broker(r, topic: topics.Topic, deltaker_id: str, want: int, timeout: float = 30) -> list[dict]:
    """Every message for the deltaker on the (prefixed) topic, read from the beginning by a fresh consumer."""
    return [value for _, value in await read_records(r, topic, deltaker_id, want, timeout)]


async def read_records(
    r, topic: topics.Topic, deltaker_id: str, want: int, timeout: float = 30
) -> list[tuple[dict[str, str], dict]]:
    """(headers, value) of every record for the deltaker on the topic."""
    consumer = AIOKafkaConsumer(
        r.runtime.topics(topic),
        bootstrap_servers=r.settings.kafka_bootstrap_servers,
        group_id=f"test-read-{run_id()}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list[tuple[dict[str, str], dict]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < want and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                found += [
                    ({k: v.decode() for k, v in m.headers}, json.loads(m.value))
                    for m in msgs
                    if m.key == deltaker_id.encode()
                ]
    finally:
        await consumer.stop()
    return found


async def test_published_avslutning_and_vedtak_events_are_on_the_real_broker(registrering):
    r = registrering
    did = await ny_deltaker(r)
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger",
        headers=r.token(),
        json={"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "37.5"},
    )
    assert resp.status_code == 201, resp.text
    [event] = await read_from_broker(r, topics.AVSLUTNING, did, want=1)
    parsed = topics.AVSLUTNING.adapter().validate_python(event)
    assert parsed.type == "AvslutningRegistrert" and str(parsed.deltaker_id) == did
    assert parsed.avslutning.arsak is A.ARBEID and str(parsed.avslutning.timer_arbeid_per_uke) == "37.5"
    assert parsed.avslutning.registrert_av == "4223-CES" and parsed.avslutning.versjon == 1
    vedtak = await read_from_broker(r, topics.VEDTAK, did, want=2)
    assert [e["type"] for e in vedtak] == ["VedtakRegistrert", "SluttmalRegistrert"]


async def test_a_registration_puts_ids_on_the_deltaker_topic_and_identities_on_their_own(registrering):
    """Issue #16 §3: nir.deltaker.v2 carries no identity; IdentitetFastsatt on the compacted identity topic
    does. §2: one correlation header (`correlation-id`), the envelope's ids in the headers."""
    r = registrering
    did = await ny_deltaker(r)
    [(headers, registrert)] = [
        (h, v) for h, v in await read_records(r, topics.DELTAKER, did, want=2) if v["type"] == "DeltakerRegistrert"
    ]  # and its KategoriEndret
    wire = json.dumps(registrert)
    identitet = (await r.client.get(f"/api/v1/deltakere/{did}", headers=r.token())).json()
    for felt in ("duf_nummer", "fodselsnummer", "fornavn", "etternavn", "fodselsdato"):
        assert felt not in registrert["person"]
        if identitet.get(felt):
            assert str(identitet[felt]) not in wire, felt
    assert headers["event-type"] == "DeltakerRegistrert" and headers["event-id"] == registrert["event_id"]
    assert headers["correlation-id"] == registrert["correlation_id"]
    assert "correlation_id" not in headers  # faststream's duplicate is not written
    [(headers, fastsatt)] = await read_records(r, topics.IDENTITET, did, want=1)
    assert fastsatt["type"] == "IdentitetFastsatt" and headers["event-type"] == "IdentitetFastsatt"
    assert fastsatt["identitet"]["duf_nummer"] == identitet["duf_nummer"]
    assert fastsatt["correlation_id"] == registrert["correlation_id"]  # one request, one outbox transaction
    assert "correlation_id" not in headers


def _env(did: str) -> dict:
    now = datetime.now(UTC)
    return dict(occurred_at=now, recorded_at=now, correlation_id=uuid4(), producer="regelmotor", deltaker_id=UUID(did))


def beregnet(did: str, arsak: A, dato: date) -> BeregnetAvslutningOpprettet:
    return BeregnetAvslutningOpprettet(
        **_env(did),
        avslutning_id=uuid4(),
        avslutningstype=(Avslutningstype.STANS if arsak is A.VEDTAK_OM_PERMANENT_STANS else Avslutningstype.ORDINAER),
        arsak=arsak,
        avslutningsdato=dato,
        oppfolgingskommune="4223",
        grunnlag=Regelgrunnlag(regel="test"),
    )


def trukket(e: BeregnetAvslutningOpprettet) -> BeregnetAvslutningTrukketTilbake:
    return BeregnetAvslutningTrukketTilbake(
        **_env(str(e.deltaker_id)),
        avslutning_id=e.avslutning_id,
        arsak=e.arsak,
        grunn=Tilbaketrekkingsgrunn.KOMMUNE_AVSLUTNING,
        grunnlag=Regelgrunnlag(regel="kommune-avslutning"),
    )


async def avslutninger(r, did: str, until=lambda a: True, timeout: float = 30) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        a = (await r.client.get(f"/api/v1/deltakere/{did}/avslutninger", headers=r.token())).json()
        if until(a):
            return a
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out; last answer {a}")
        await asyncio.sleep(0.1)


async def test_rule_4_6_computed_avslutning_consumed_once_kommune_adds_its_own_and_retracted_shows_slettet(
    registrering,
):
    r = registrering
    did = await ny_deltaker(r)
    e = beregnet(did, A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2024, 1, 9))
    await publish(r.runtime.broker, e, names=r.runtime.topics)
    await publish(r.runtime.broker, e, names=r.runtime.topics)  # redelivery: same event_id
    a = await avslutninger(r, did, lambda a: a["gjeldende"] is not None)
    assert a["gjeldende"]["registrert_av"] == "Regelmotor" and a["gjeldende"]["kilde"] == "regelmotor"
    assert a["gjeldende"]["arsak"] == {
        "kode": "AVSLUTNINGSARSAK_IKKE_REGISTRERT",
        "navn": "Avslutningsårsak ikke registrert",
    }
    base = f"/api/v1/deltakere/{did}/avslutninger"
    aid = a["gjeldende"]["avslutning_id"]
    # the kommune may neither edit nor delete it (rule 6) ...
    resp = await r.client.put(
        f"{base}/{aid}", headers=r.token(), json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2024-01-09"}
    )
    assert resp.status_code == 409 and "regelmotor" in resp.json()["detail"]
    assert (await r.client.delete(f"{base}/{aid}", headers=r.token())).status_code == 409
    # ... but adds its own, which is current at once
    resp = await r.client.post(base, headers=r.token(), json={"arsak": "GRUNNSKOLE", "avslutningsdato": "2024-01-09"})
    assert resp.status_code == 201, resp.text
    a = await avslutninger(r, did)
    assert a["gjeldende"]["arsak"]["kode"] == "GRUNNSKOLE" and len(a["historikk"]) == 2  # the duplicate stored once
    # the regelmotor retracts (twice: redelivery); then it shows as (slettet)
    t = trukket(e)
    await publish(r.runtime.broker, t, names=r.runtime.topics)
    await publish(r.runtime.broker, t, names=r.runtime.topics)
    a = await avslutninger(r, did, lambda a: len(a["historikk"]) >= 3)
    await asyncio.sleep(0.5)
    a = await avslutninger(r, did)
    assert [(v["arsak"]["kode"], v["visning"], v["registrert_av"]) for v in a["historikk"]] == [
        ("AVSLUTNINGSARSAK_IKKE_REGISTRERT", "Ordinær avslutning (slettet)", "Regelmotor"),
        ("GRUNNSKOLE", "Ordinær avslutning", "4223-CES"),
        ("AVSLUTNINGSARSAK_IKKE_REGISTRERT", "Ordinær avslutning", "Regelmotor"),
    ]
    assert a["gjeldende"]["arsak"]["kode"] == "GRUNNSKOLE"


async def test_rule_4_7_permanent_stans_flow(registrering):
    r = registrering
    did = await ny_deltaker(r)
    h = r.token()
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/vedtak",
        headers=h,
        json={"vedtakstype": "PERMANENT_STANS", "vedtaksdato": "2022-09-14", "periode": {"fra": "2022-09-14"}},
    )
    assert resp.status_code == 201, resp.text
    [_, _, stansvedtak] = await read_from_broker(r, topics.VEDTAK, did, want=3)
    assert (
        stansvedtak["vedtak"]["vedtakstype"] == "PERMANENT_STANS"
        and stansvedtak["vedtak"]["periode"]["fra"] == "2022-09-14"
    )
    # the regelmotor computes «Vedtak om permanent stans», type Stans, on the stans date
    e = beregnet(did, A.VEDTAK_OM_PERMANENT_STANS, date(2022, 9, 14))
    await publish(r.runtime.broker, e, names=r.runtime.topics)
    a = await avslutninger(r, did, lambda a: a["gjeldende"] is not None)
    assert a["gjeldende"]["visning"] == "Stans" and a["venter_paa_kommunens_arsak"] is True
    # the kommune adds the real årsak (vedtak running past the date: confirmed)
    resp = await r.client.post(
        f"/api/v1/deltakere/{did}/avslutninger?confirm=true",
        headers=h,
        json={"arsak": "ARBEID", "avslutningsdato": "2022-09-14", "timer_arbeid_per_uke": "30.0"},
    )
    assert resp.status_code == 201, resp.text
    await publish(r.runtime.broker, trukket(e), names=r.runtime.topics)
    a = await avslutninger(r, did, lambda a: len(a["historikk"]) == 3)
    assert a["venter_paa_kommunens_arsak"] is False
    assert a["gjeldende"]["arsak"]["kode"] == "ARBEID" and a["gjeldende"]["timer_arbeid_per_uke"] == "30.0"
    assert a["historikk"][0]["visning"] == "Stans (slettet)"
    assert a["historikk"][0]["arsak"]["navn"] == "Vedtak om permanent stans"


async def test_rule_4_6_computed_flyttet_is_editable_by_the_kommune(registrering):
    r = registrering
    did = await ny_deltaker(r)
    e = beregnet(did, A.FLYTTET, date(2023, 5, 1))
    await publish(r.runtime.broker, e, names=r.runtime.topics)
    a = await avslutninger(r, did, lambda a: a["gjeldende"] is not None)
    resp = await r.client.put(
        f"/api/v1/deltakere/{did}/avslutninger/{a['gjeldende']['avslutning_id']}?confirm=true",
        headers=r.token(),
        json={"arsak": "FLYTTET", "avslutningsdato": "2023-04-20"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["avslutning"]["kilde"] == "kommune"  # the kommune's own now; the regelmotor retracts its one
    a = await avslutninger(r, did)
    assert a["gjeldende"]["avslutningsdato"] == "2023-04-20" and a["gjeldende"]["registrert_av"] == "4223-CES"


@pytest.mark.parametrize("dato", [0, "09.01.2024"])
async def test_a_computed_avslutning_whose_date_is_not_an_iso_string_is_dead_lettered_not_stored(registrering, dato):
    """Issue #11 §3: the consumer parses the record's bytes strictly; {"avslutningsdato": 0} is not 1970-01-01.
    It goes to the dead-letter topic naming the field, nothing is stored, and the next record is consumed."""
    r = registrering
    did = await ny_deltaker(r)
    gift = json.loads(beregnet(did, A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2024, 1, 9)).model_dump_json())
    gift["avslutningsdato"] = dato
    await r.runtime.broker.publish(
        json.dumps(gift).encode(),
        topic=r.runtime.topics(topics.BEREGNET_AVSLUTNING),
        key=did.encode(),
        headers={"content-type": "application/json"},
    )
    god = beregnet(did, A.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2024, 1, 9))
    await publish(r.runtime.broker, god, names=r.runtime.topics)
    a = await avslutninger(r, did, lambda a: a["gjeldende"] is not None)
    assert [v["avslutning_id"] for v in a["historikk"]] == [str(god.avslutning_id)]  # the poison stored nothing

    async def brev():
        alle = await dead_letter_cli.read_all(r.settings.kafka_bootstrap_servers, r.runtime.topics.dead_letter)
        return [d for _, d in alle if d.key == did] or None

    letters = await eventually(brev, what="the dead letter of the record with a number for a date")
    assert [(d.error_type, d.original_topic) for d in letters] == [
        ("ValidationError", r.runtime.topics(topics.BEREGNET_AVSLUTNING))
    ]
    assert "avslutningsdato" in letters[0].error and "ÅÅÅÅ-MM-DD" in letters[0].error
