"""Outcomes → nir.folkeregister.v1 events. The event_id derives from the feed's hendelse identity, so reading
the same hendelse again yields the same event (the outbox ignores it: ON CONFLICT (event_id))."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.folkeregister_adapter.domain import Annullert, Korrigert, Registrert, Utfall
from services.folkeregister_adapter.folkeregisterkilde import Feedhendelse
from shared.events import folkeregister
from shared.events.envelope import Event

PRODUCER = "folkeregister_adapter"
_NS = uuid.UUID("6f1c1f0e-4e0c-4a8e-9a4e-5f6b8a0c2d11")

_REGISTRERT = {
    folkeregister.Folkeregisterart.FLYTTING: (folkeregister.FlyttingRegistrert, "flytting"),
    folkeregister.Folkeregisterart.UTVANDRING: (folkeregister.UtvandringRegistrert, "utvandring"),
    folkeregister.Folkeregisterart.DODSFALL: (folkeregister.DodsfallRegistrert, "dodsfall"),
}
_KORRIGERT = {
    folkeregister.Folkeregisterart.FLYTTING: (folkeregister.FlyttingKorrigert, "flytting"),
    folkeregister.Folkeregisterart.UTVANDRING: (folkeregister.UtvandringKorrigert, "utvandring"),
    folkeregister.Folkeregisterart.DODSFALL: (folkeregister.DodsfallKorrigert, "dodsfall"),
}


def til_event(u: Utfall, h: Feedhendelse, deltaker_id: UUID, *, nå: datetime | None = None) -> Event | None:
    felles: dict[str, Any] = dict(
        event_id=uuid.uuid5(_NS, f"{h.hendelse_id}/{deltaker_id}/{type(u).__name__}/{getattr(u, 'art', '')}"),
        occurred_at=h.ajourholdstidspunkt,
        recorded_at=nå or datetime.now(UTC),
        correlation_id=uuid.uuid5(_NS, h.hendelse_id),
        producer=PRODUCER,
        deltaker_id=deltaker_id,
        hendelse_id=h.hendelse_id,
        sekvensnummer=h.sekvensnummer,
    )
    match u:
        case Registrert(art, verdi):
            cls, felt = _REGISTRERT[art]
            return cls(**felles, **{felt: verdi})
        case Korrigert(art, verdi, original):
            cls, felt = _KORRIGERT[art]
            return cls(**felles, korrigerer_hendelse_id=original, **{felt: verdi})
        case Annullert(art, original):
            return folkeregister.FolkeregisterhendelseAnnullert(**felles, annullerer_hendelse_id=original, art=art)
    return None
