"""The one small interface between the adapter and a Folkeregister source, and the source-neutral values it
hands over. Skatteetaten's hendelsesliste (skatteetaten.py) is one source; PDL «leesah» could be another."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class Dodsfallsopplysning:
    dodsdato: date | None
    opphoert: bool = False


@dataclass(frozen=True)
class UtflyttingFraNorge:
    utflyttingsdato: date | None
    tilflyttingsland: str | None
    opphoert: bool = False


@dataclass(frozen=True)
class Bostedsadresse:
    kommunenummer: str | None
    flyttedato: date | None
    opphoert: bool = False  # the old half of an address change (FOLKEREGISTER.md: one change is two facts)


@dataclass(frozen=True)
class Identifikasjonsnummer:
    ident: str
    opphoert: bool = False


Opplysning = Dodsfallsopplysning | UtflyttingFraNorge | Bostedsadresse | Identifikasjonsnummer


@dataclass(frozen=True)
class Egenskapshendelse:
    entitetsendring: str  # registrereNy | korrigere | annullere | korrigereHistorisk
    opplysning: Opplysning | None  # None for annullere: annulments carry no payload


@dataclass(frozen=True)
class Feedhendelse:
    """One feed entry: `hendelse_id` is the feed's own identity (dokumentidentifikator)."""

    hendelse_id: str
    sekvensnummer: int
    ident: str
    hendelsestype: str
    ajourholdstidspunkt: datetime
    egenskaper: tuple[Egenskapshendelse, ...] = ()


@dataclass(frozen=True)
class UgyldigInnslag:
    """An entry the source could not read: which field, why (never its content: it holds a fødselsnummer)."""

    sekvensnummer: int
    grunn: str


@dataclass(frozen=True)
class Innslag:
    """A feed entry read only as far as needed to know whether NIR cares: most of a national feed is about
    other people, so the full hendelse is parsed (`les`) only for NIR's deltakere."""

    sekvensnummer: int
    identer: tuple[str, ...]  # every identifier the entry names (an identity change names the old one too)
    hendelsestype: str
    les: Callable[[], Feedhendelse | UgyldigInnslag]


@dataclass(frozen=True)
class Persondokument:
    """The person as the register has it now (the truth, FOLKEREGISTER.md), reduced to what NIR uses."""

    identer: tuple[str, ...]
    dodsfall: Dodsfallsopplysning | None
    utflytting: UtflyttingFraNorge | None
    bosted: Bostedsadresse | None


@dataclass(frozen=True)
class Side:
    """One page from `fra`; `neste` is where the next page starts (fra when the page is empty)."""

    fra: int
    neste: int
    innslag: tuple[Innslag | UgyldigInnslag, ...] = field(default_factory=tuple)


class ForMangeForesporsler(Exception):
    """429: come back after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"429 Too Many Requests; Retry-After {retry_after}s")
        self.retry_after = retry_after


class Kildefeil(Exception):
    """5xx, timeouts, broken answers: transient, retried with backoff."""

    etikett: str | None = None  # the metric/log label when not the HTTP status (e.g. «maskinporten»)

    def __init__(self, status: int | None, melding: str) -> None:
        super().__init__(f"{status}: {melding}")
        self.status = status
        self.melding = melding

    @property
    def merke(self) -> str:
        return self.etikett or str(self.status or "nettverk")


class UtenforRetensjon(Exception):
    """406: the hendelser from `fra` are deleted (36 months' retention). Reading on would skip them."""

    def __init__(self, fra: int, kode: str | None, melding: str) -> None:
        super().__init__(f"406 from sekvensnummer {fra}: {kode} {melding}")
        self.fra, self.kode, self.melding = fra, kode, melding


class Folkeregisterkilde(Protocol):
    async def side(self, fra: int) -> Side | None:
        """The page from `fra`, or None when nothing is new since the last answer (304)."""

    async def persondokument(self, ident: str) -> Persondokument | None:
        """The person now, or None when the register does not know the identifier."""

    async def siste_sekvensnummer(self) -> int: ...

    async def close(self) -> None: ...
