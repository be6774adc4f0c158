"""Crash safety (issue #7 «Crash»; DOMAIN.md §8 at-least-once in, exactly-once effect): the Vennesla case of
seed nir-brukerveiledning-avslutning-2023 §5–6 and a death from the Folkeregister, with every service killed
with SIGKILL once in the middle and restarted. The outcome is the same as without crashes: no avslutning lost,
none duplicated (one version each in the history; on the topics, re-deliveries carry the same event id)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest

from shared.events import topics
from tests.e2e.nir import Nir
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

VENNESLA = "4223"


async def krasj(nir: Nir, service: str) -> None:
    p = nir.system.processes[service]
    await p.kill9()
    await p.start()


def distinct(events: list[dict], **where: str) -> dict[str, dict]:
    """Events matching `where`, by event id: a redelivered event counts once (its effect is once)."""
    return {e["event_id"]: e for e in events if all(e.get(k) == v for k, v in where.items())}


async def test_hver_tjeneste_drept_midt_i_et_scenario_gir_samme_utfall(nir: Nir) -> None:
    http = nir.http
    kommune = nir.kommune(VENNESLA)

    # --- registrering: killed right after a committed write (its outbox not necessarily relayed yet), then
    #     during an in-flight write that the client retries with the same Idempotency-Key
    d = await nir.ny_deltaker(VENNESLA, fornavn="Krasj", etternavn="Vennesla")
    await nir.vedtak(d, "DELTAKELSE", date(2021, 11, 20), date(2023, 11, 19))
    await krasj(nir, "registrering")

    url = nir.reg(f"/deltakere/{d['deltaker_id']}/sluttmal")
    headers = {**kommune, "Idempotency-Key": str(uuid.uuid4())}
    body = dict(sluttmal="ARBEID_HAR_IKKE_VGO", fastsatt_dato="2021-11-20")
    in_flight = asyncio.create_task(http.post(url, headers=headers, json=body))
    await asyncio.sleep(0.05)  # let the request reach the service; the kill lands before, during or after it
    await nir.system.processes["registrering"].kill9()
    await asyncio.gather(in_flight, return_exceptions=True)
    await nir.system.processes["registrering"].start()
    r = await http.post(url, headers=headers, json=body)
    assert r.status_code == 201, r.text
    assert (await nir.frister(d))["gjennomforingsfrist"]["frist"] == "2023-11-19"

    # --- folkeregister_adapter: killed just after a death entered the feed (mid-page or before it)
    ident = (await nir.folkeregisterperson())["folkeregisteridentifikator"]
    dod = await nir.i_program(
        VENNESLA, date(2023, 6, 1), fodselsnummer=ident, etternavn="Krasjdod", bosettingsdato=date(2023, 3, 1)
    )
    await nir.kjent_for_adapteren(dod)
    await nir.folkeregisterhendelse("doedsfall", ident, dato="2024-01-05")
    await krasj(nir, "folkeregister_adapter")

    # --- regelmotor: killed right after the tick that passes the frist
    await nir.tick(date(2023, 11, 20))
    await krasj(nir, "regelmotor")

    # --- rapport: killed as soon as the regelmotor's avslutning is on the topic (while it projects it)
    async def on_topic() -> bool:
        assert distinct(
            await nir.beregnet(d), type="BeregnetAvslutningOpprettet", arsak="AVSLUTNINGSARSAK_IKKE_REGISTRERT"
        ), "no computed avslutning yet"
        return True

    await eventually(on_topic, what="the regelmotor's avslutning on nir.beregnet-avslutning.v1")
    await krasj(nir, "rapport")

    async def ended() -> bool:
        row = await nir.rad(d, registrert_av="regelmotor")
        assert row is not None and (row["arsak"], row["avslutningsdato"]) == (
            "AVSLUTNINGSARSAK_IKKE_REGISTRERT",
            "2023-11-19",
        ), row
        row = await nir.rad(dod)
        assert row is not None and (row["arsak"], row["avslutningsdato"]) == ("DOD", "2024-01-05"), row
        return True

    await eventually(ended, what="both avslutninger in the report after the crashes")

    await nir.avslutt(d, "ARBEID", date(2023, 11, 19), timer="30.0")

    async def arbeid() -> list[dict]:
        row = await nir.rad(d)
        assert row is not None and (row["arsak"], row["kilde"]) == ("ARBEID", "kommune"), row
        linjer = await nir.historikklinjer(d)
        assert [x["status"] for x in linjer if x["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT"] == ["slettet"], linjer
        return linjer

    linjer = await eventually(arbeid, what="Arbeid in force and the regelmotor's (slettet)")

    # the same outcome as scenario 1, nothing lost or doubled
    assert [(x["arsak"], x["versjon"], x["status"]) for x in linjer if x["kilde"] == "kommune"] == [
        ("ARBEID", 1, "gjeldende")
    ]
    assert len([x for x in linjer if x["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT"]) == 1
    assert [(x["arsak"], x["status"]) for x in await nir.historikklinjer(dod) if x["status"] != "slettet"] == [
        ("DOD", "gjeldende")
    ]

    beregnet = await nir.beregnet(d)
    opprettet = distinct(beregnet, type="BeregnetAvslutningOpprettet", arsak="AVSLUTNINGSARSAK_IKKE_REGISTRERT")
    trukket = distinct(beregnet, type="BeregnetAvslutningTrukketTilbake", arsak="AVSLUTNINGSARSAK_IKKE_REGISTRERT")
    assert len(opprettet) == 1 and len(trukket) == 1, beregnet
    assert {e["avslutning_id"] for e in [*opprettet.values(), *trukket.values()]} == {
        next(iter(opprettet.values()))["avslutning_id"]
    }
    assert len(distinct(await nir.beregnet(dod), type="BeregnetAvslutningOpprettet", arsak="DOD")) == 1
    assert len(distinct(await nir.folkeregisterfakta(dod), type="DodsfallRegistrert")) == 1

    vedtak = [e for e in await nir.system.read_topic(topics.VEDTAK) if e.get("deltaker_id") == d["deltaker_id"]]
    assert len(distinct(vedtak, type="VedtakRegistrert")) == 1
    assert len(distinct(vedtak, type="SluttmalRegistrert")) == 1, "the retried sluttmål written twice"
    avslutninger = [
        e for e in await nir.system.read_topic(topics.AVSLUTNING) if e.get("deltaker_id") == d["deltaker_id"]
    ]
    assert [e["type"] for e in distinct(avslutninger).values()] == ["AvslutningRegistrert"]
    assert (await nir.avslutninger(d))["gjeldende"]["arsak"]["kode"] == "ARBEID"
