"""Which of a person's avslutninger is in force (DOMAIN.md §4 rules 5–7, §5), once for registrering (its
avslutningsversjon rows) and rapport (its projection): each passes its own version records; the rule reads
only the fields of `Versjon`. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol, TypeVar
from uuid import UUID

from shared.kodeverk.avslutningsarsaker import Kilde


class Versjon(Protocol):
    """One version of one avslutning, as either service keeps it."""

    @property
    def avslutning_id(self) -> UUID: ...
    @property
    def versjon(self) -> int: ...
    @property
    def kilde(self) -> str: ...  # Kilde, or its value: Kilde is a StrEnum
    @property
    def registrert_dato(self) -> datetime: ...


V = TypeVar("V", bound=Versjon)


def siste_versjoner(versjoner: Iterable[V]) -> dict[UUID, V]:
    """The newest version of each avslutning (a kommune edit is a new versjon of the same avslutning_id)."""
    siste: dict[UUID, V] = {}
    for v in versjoner:
        if v.avslutning_id not in siste or v.versjon > siste[v.avslutning_id].versjon:
            siste[v.avslutning_id] = v
    return siste


def gjeldende_avslutning(versjoner: Iterable[V], slettet: Collection[UUID] = ()) -> V | None:
    """The avslutning in force: the newest version of each, deleted and retracted ones (`slettet`: their
    avslutning_ids) never count; a kommune avslutning wins over a regelmotor one (§4 rules 6–7, §5), even
    before the regelmotor's retraction has arrived; among several of one kilde, the most recently registered
    (then the highest versjon, then the id, so the answer never depends on the order the rows came in)."""
    levende = [v for v in siste_versjoner(versjoner).values() if v.avslutning_id not in slettet]
    kommunens = [v for v in levende if v.kilde == Kilde.KOMMUNE]
    return max(kommunens or levende, key=lambda v: (v.registrert_dato, v.versjon, str(v.avslutning_id)), default=None)
