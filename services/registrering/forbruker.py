"""The regelmotor's computed avslutninger (nir.beregnet-avslutning.v1) into registrering's own model, once
per event_id: created → version 1 «Regelmotor»; retracted → a new version marked slettet (DOMAIN.md §4 rules
6–7: the regelmotor's avslutning then shows as (slettet))."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

import asyncpg

from services.registrering.domain.modell import REGELMOTOR, Avslutningsversjon
from services.registrering.lager import laas_deltaker, lagre_avslutningsversjon, siste_versjon, som_versjon
from shared.events.avslutning import BeregnetAvslutningOpprettet, BeregnetAvslutningTrukketTilbake
from shared.events.envelope import DeltakerEvent
from shared.kodeverk.avslutningsarsaker import Kilde

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
    if await siste_versjon(conn, e.avslutning_id) is not None:
        return  # the same avslutning under another event_id: the first one stands
    versjon = Avslutningsversjon(
        avslutning_id=e.avslutning_id,
        kilde=Kilde.REGELMOTOR,
        versjon=1,
        avslutningstype=e.avslutningstype,
        arsak=e.arsak,
        avslutningsdato=e.avslutningsdato,
        timer_arbeid_per_uke=None,
        registrert_av=REGELMOTOR,
        registrert_dato=e.recorded_at,
        oppfolgingskommune=e.oppfolgingskommune,
        bydel=e.bydel,
        slettet=False,
    )
    await lagre_avslutningsversjon(conn, versjon, e.deltaker_id)
    log.info("beregnet avslutning lagret", extra={"deltaker_id": str(e.deltaker_id), "arsak": e.arsak.value})


async def _trekk_tilbake(conn: asyncpg.Connection, e: BeregnetAvslutningTrukketTilbake) -> None:
    siste = await siste_versjon(conn, e.avslutning_id)
    if siste is None or siste["slettet"]:
        log.warning(
            "tilbaketrekking uten gjeldende beregnet avslutning",
            extra={"deltaker_id": str(e.deltaker_id), "avslutning_id": str(e.avslutning_id)},
        )
        return
    forrige = som_versjon(siste)
    # the same content, marked slettet: shown as (slettet) in the history (DOMAIN.md §4 rules 6–7)
    versjon = replace(
        forrige, versjon=forrige.versjon + 1, registrert_av=REGELMOTOR, registrert_dato=e.recorded_at, slettet=True
    )
    await lagre_avslutningsversjon(conn, versjon, e.deltaker_id)
    log.info("beregnet avslutning trukket tilbake", extra={"deltaker_id": str(e.deltaker_id), "grunn": e.grunn.value})
