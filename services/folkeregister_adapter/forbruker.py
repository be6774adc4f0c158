"""Who NIR knows: registrering's deltaker events (nir.deltaker.v2: the kommune) and identities
(nir.deltaker-identitet.v1: the fødselsnummer/d-nummer) → ident → deltaker_id in our own tables.

The two topics arrive in any order: the ident mapping (personer) and the deltaker's facts (deltakere) are
separate rows, and a deltaker without facts yet is judged with none (feedlytter.py). A person joining NIR is known
from then on; the feed is not replayed for them (README: «joins later»)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.folkeregister_adapter import lager
from shared.events.deltaker import DeltakerOppdatert, DeltakerRegistrert, IdentitetFastsatt
from shared.events.envelope import Event

CONSUMER = "folkeregister_adapter.deltakere"


async def behandle(conn: asyncpg.Connection, events: Sequence[Event]) -> None:
    """The consumer's handler, in the transaction that records the events as processed."""
    for event in events:
        match event:
            case DeltakerRegistrert(person=p) | DeltakerOppdatert(person=p):
                await lager.kjenn_deltaker(conn, event.deltaker_id, p.oppfolgingskommune)
            case IdentitetFastsatt(identitet=i):
                # An old number stays mapped too: the feed may still name it for hendelser in flight.
                if i.fodselsnummer:
                    await lager.kjenn_ident(conn, i.fodselsnummer, event.deltaker_id)
