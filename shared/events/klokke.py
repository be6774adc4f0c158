"""Time as an input (DOMAIN.md §5): rules never read the wall clock, they receive day ticks."""

from __future__ import annotations

from typing import Literal

from shared.events.envelope import Event
from shared.events.felttyper import Dato

KLOKKE_KEY = b"klokke"


class DognPassert(Event):
    """The day `dato` has begun in Europe/Oslo (published at midnight, and caught up after downtime)."""

    type: Literal["DognPassert"] = "DognPassert"
    dato: Dato

    def message_key(self) -> bytes:
        return KLOKKE_KEY
