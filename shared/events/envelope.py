"""The envelope every message carries, and the base classes of all events.

Events are facts, named in the past tense, frozen, and strict (`extra="forbid"`): a producer that sends a
field the contract does not know is a bug we want to hear about, not silently drop.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class Contract(BaseModel):
    """Base of every value that crosses a process boundary."""

    model_config = ConfigDict(frozen=True, extra="forbid")


FORSTE_DATO, SISTE_DATO = date(1900, 1, 1), date(2199, 12, 31)


def _rimelig_dato(d: date) -> date:
    # «No end» is None, never 9999-12-31: dates that far out overflow the frist arithmetic.
    if not FORSTE_DATO <= d <= SISTE_DATO:
        raise ValueError(f"datoen må ligge mellom {FORSTE_DATO.isoformat()} og {SISTE_DATO.isoformat()}")
    return d


Dato = Annotated[date, AfterValidator(_rimelig_dato)]


class Periode(Contract):
    """A closed period of days; `til` None means open-ended."""

    fra: Dato
    til: Dato | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "Periode":
        if self.til is not None and self.til < self.fra:
            raise ValueError("til-dato kan ikke være før fra-dato")
        return self


class Event(Contract):
    """The envelope. Subclasses add `type` (a Literal, the discriminator) and their payload."""

    SCHEMA_VERSION: ClassVar[int] = 1

    event_id: UUID = Field(default_factory=uuid4, description="Our own id; consumers de-duplicate on it.")
    type: str
    schema_version: int = Field(default=1, ge=1)
    occurred_at: AwareDatetime = Field(description="When the fact happened (or was decided).")
    recorded_at: AwareDatetime = Field(description="When the producer stored it.")
    correlation_id: UUID = Field(description="The request or flow this event belongs to.")
    causation_id: UUID | None = Field(default=None, description="The event or request that caused this one.")
    producer: str = Field(min_length=1, description="The service that produced the event.")

    def message_key(self) -> bytes:
        """The Kafka message key: bytes, as aiokafka requires."""
        raise NotImplementedError


class DeltakerEvent(Event):
    """An event about one deltaker, keyed by the internal deltaker id (never a fødselsnummer)."""

    deltaker_id: UUID = Field(description="Stable internal id of the deltaker; the message key.")

    def message_key(self) -> bytes:
        return str(self.deltaker_id).encode()


# Hours of work per week: positive, at most one decimal (DOMAIN.md §4 rule 3, e.g. 30,0).
TimerPerUke = Annotated[Decimal, Field(gt=0, le=168, decimal_places=1)]
Kommunenummer = Annotated[str, Field(pattern=r"^\d{4}$")]
Bydelsnummer = Annotated[str, Field(pattern=r"^\d{6}$")]
Brukerident = Annotated[str, Field(min_length=1, max_length=64, description="e.g. «3024-NIBO» or «Regelmotor»")]
