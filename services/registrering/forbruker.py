"""The regelmotor's computed avslutninger (nir.beregnet-avslutning.v1) into registrering's own model, once
per event_id: created → version 1 «Regelmotor»; retracted → a new version marked slettet (DOMAIN.md §4 rules
6–7: the regelmotor's avslutning then shows as (slettet))."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import asyncpg

from services.registrering.domain.modell import REGELMOTOR
from services.registrering.lager import laas_deltaker, siste_versjon
from shared.events.avslutning import BeregnetAvslutningOpprettet, BeregnetAvslutningTrukketTilbake
from shared.events.envelope import DeltakerEvent

log = logging.getLogger(__name__)
CONSUMER = "registrering.beregnet-avslutning"


async def ved_beregnet_avslutning(conn: asyncpg.Connection, events: Sequence[DeltakerEvent]) -> None:
    """The consumer's handler, in the transaction that records the events as processed."""
    for event in events:
        # the deltaker's lock, as every write of the API takes it: a retraction decided on a fresh read
        if not await laas_deltaker(conn, event.deltaker_id):
            # Not a person registered here (another environment's, or a test's): nothing to show it on.
            log.warning("beregnet avslutning for ukjent deltaker", extra={"deltaker_id": str(event.deltaker_id)})
            continue
        if isinstance(event, BeregnetAvslutningOpprettet):
            await _opprett(conn, event)
        elif isinstance(event, BeregnetAvslutningTrukketTilbake):
            await _trekk_tilbake(conn, event)


async def _opprett(conn: asyncpg.Connection, e: BeregnetAvslutningOpprettet) -> None:
    ny = await conn.fetchval(
        "INSERT INTO avslutning (avslutning_id, deltaker_id, kilde) VALUES ($1, $2, 'regelmotor')"
        " ON CONFLICT DO NOTHING RETURNING 1",
        e.avslutning_id,
        e.deltaker_id,
    )
    if ny is None:
        return  # the same avslutning under another event_id: the first one stands
    await conn.execute(
        "INSERT INTO avslutningsversjon (avslutning_id, versjon, avslutningstype, arsak, avslutningsdato,"
        " registrert_av, registrert_dato, oppfolgingskommune, bydel) VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8)",
        e.avslutning_id,
        e.avslutningstype.value,
        e.arsak.value,
        e.avslutningsdato,
        REGELMOTOR,
        e.recorded_at,
        e.oppfolgingskommune,
        e.bydel,
    )
    log.info("beregnet avslutning lagret", extra={"deltaker_id": str(e.deltaker_id), "arsak": e.arsak.value})


async def _trekk_tilbake(conn: asyncpg.Connection, e: BeregnetAvslutningTrukketTilbake) -> None:
    siste = await siste_versjon(conn, e.avslutning_id)
    if siste is None or siste["slettet"]:
        log.warning(
            "tilbaketrekking uten gjeldende beregnet avslutning",
            extra={"deltaker_id": str(e.deltaker_id), "avslutning_id": str(e.avslutning_id)},
        )
        return
    await conn.execute(
        "INSERT INTO avslutningsversjon (avslutning_id, versjon, avslutningstype, arsak, avslutningsdato,"
        " timer_arbeid_per_uke, registrert_av, registrert_dato, oppfolgingskommune, bydel, slettet)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true)",
        e.avslutning_id,
        siste["versjon"] + 1,
        siste["avslutningstype"],
        siste["arsak"],
        siste["avslutningsdato"],
        siste["timer_arbeid_per_uke"],
        REGELMOTOR,
        e.recorded_at,
        siste["oppfolgingskommune"],
        siste["bydel"],
    )
    log.info("beregnet avslutning trukket tilbake", extra={"deltaker_id": str(e.deltaker_id), "grunn": e.grunn.value})
