"""The envelope every message carries, and the base classes of all events.

Events are facts, named in the past tense, frozen, and strict: a producer that sends a field the contract
does not know (`extra="forbid"`) or a value of the wrong JSON type (`strict=True`: a number is not a date) is a
bug we want to hear about, not silently drop or coerce. The field types JSON has no literal for (dates, UUIDs,
timestamps, decimals, codes) are in felttyper.py.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from shared.events.felttyper import Dato, Id, Tidspunkt, desimal


class Contract(BaseModel):
    """Base of every value that crosses a process boundary."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Periode(Contract):
    """A closed period of days; `til` None means open-ended."""

    fra: Dato
    til: Dato | None = None

    @field_validator("til")
    @classmethod
    def _ordered(cls, til: date | None, info: ValidationInfo) -> date | None:
        # on `til`, so the error names periode.til (fra is in info.data only when it was itself valid)
        fra = info.data.get("fra")
        if til is not None and fra is not None and til < fra:
            raise PydanticCustomError("periode_rekkefolge", "til-dato kan ikke være før fra-dato")
        return til


class Event(Contract):
    """The envelope. Subclasses add `type` (a Literal, the discriminator) and their payload."""

    SCHEMA_VERSION: ClassVar[int] = 1

    event_id: Id = Field(default_factory=uuid4, description="Our own id; consumers de-duplicate on it.")
    type: str
    schema_version: int = Field(default=1, ge=1)
    occurred_at: Tidspunkt = Field(description="When the fact happened (or was decided).")
    recorded_at: Tidspunkt = Field(description="When the producer stored it.")
    correlation_id: Id = Field(description="The request or flow this event belongs to.")
    causation_id: Id | None = Field(default=None, description="The event or request that caused this one.")
    producer: str = Field(min_length=1, description="The service that produced the event.")

    def message_key(self) -> bytes:
        """The Kafka message key: bytes, as aiokafka requires."""
        raise NotImplementedError


class DeltakerEvent(Event):
    """An event about one deltaker, keyed by the internal deltaker id (never a fødselsnummer)."""

    deltaker_id: Id = Field(description="Stable internal id of the deltaker; the message key.")

    def message_key(self) -> bytes:
        return str(self.deltaker_id).encode()


# Hours of work per week: positive, at most one decimal (DOMAIN.md §4 rule 3; on the wire 30.0 or "30.0").
TimerPerUke = desimal(gt=0, le=168, decimal_places=1)
Kommunenummer = Annotated[str, Field(pattern=r"^\d{4}$")]
Bydelsnummer = Annotated[str, Field(pattern=r"^\d{6}$")]
Brukerident = Annotated[str, Field(min_length=1, max_length=64, description="e.g. «3024-NIBO» or «Regelmotor»")]
