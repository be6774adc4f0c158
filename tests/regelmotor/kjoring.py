"""Runs the regelmotor's pure domain over events as the service does, for the tests that need no broker."""

from __future__ import annotations

from uuid import UUID

from services.regelmotor.domain import anvend, differanse
from services.regelmotor.domain.differanse import Utgaende
from services.regelmotor.domain.tilstand import Tilstand


def kjor(events, t: Tilstand | None = None, deltaker_id: UUID | None = None) -> tuple[Tilstand, list]:
    """anvend → differanse one event at a time, as the service does (from `t`, or a new deltaker's empty
    state); returns (state, output)."""
    if t is None:
        assert deltaker_id is not None, "a new deltaker's state needs its id"
        t = Tilstand.ny(deltaker_id)
    ut: list[Utgaende] = []
    for e in events:
        r = differanse(anvend(t, e), e)
        t = r.tilstand
        ut.extend(r.hendelser)
    return t, ut
