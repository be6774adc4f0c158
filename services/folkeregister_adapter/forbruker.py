"""Who NIR knows: registrering's deltaker events (nir.deltaker.v1) → ident → deltaker_id in our own table.

A person joining NIR is known from then on; the feed is not replayed for them (README: «joins later»)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.folkeregister_adapter import lager
from shared.events.deltaker import DeltakerOppdatert, DeltakerRegistrert, IdentitetEndret
from shared.events.envelope import Event

CONSUMER = "folkeregister_adapter.deltakere"


async def behandle(conn: asyncpg.Connection, events: Sequence[Event]) -> None:
    """The consumer's handler, in the transaction that records the events as processed."""
    for event in events:
        match event:
            case DeltakerRegistrert(person=p) | DeltakerOppdatert(person=p):
                await lager.kjenn_deltaker(conn, event.deltaker_id, p.oppfolgingskommune)
                if p.fodselsnummer:
                    await lager.kjenn_ident(conn, p.fodselsnummer, event.deltaker_id)
            case IdentitetEndret():
                # The old number stays mapped too: the feed may still name it for hendelser in flight.
                await lager.kjenn_deltaker(conn, event.deltaker_id, None)
                await lager.kjenn_ident(conn, event.fodselsnummer, event.deltaker_id)
