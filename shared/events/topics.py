"""The topic catalogue: each topic, what it carries, how it is keyed, and which personal data it holds.

Every topic is keyed by the internal deltaker id (so one deltaker's events stay in order on one partition),
except the clock's, whose one partition has the constant key «klokke». Names carry a version: a breaking
contract change gets a new topic (nir.deltaker.v2 when the identities moved to their own topic, issue #16).
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.events import avslutning, deltaker, folkeregister, klokke, vedtak
from shared.events.dead_letter import DeadLetter
from shared.events.envelope import Event


class Topic(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    producer: str
    description: str
    key: str
    partitions: int
    event_types: tuple[type[Event], ...]
    compacted: bool = False  # cleanup.policy=compact: the newest record per key is kept, older ones go
    # The direct identifiers its records hold. Every topic is about deltaker ids (pseudonymous personal data);
    # only this one names who a deltaker is.
    personal_data: str = ""

    def adapter(self) -> TypeAdapter[Any]:
        """Parses any event of this topic, dispatching on `type`."""
        return _ADAPTERS[self.name]

    @property
    def union(self) -> Any:
        return _UNIONS[self.name]


def _union(*types: type[Event]) -> Any:
    # Union over a tuple is the union of its members; ruff's UP007 fix would drop the Union and break this.
    return types[0] if len(types) == 1 else Annotated[Union[types], Field(discriminator="type")]  # noqa: UP007


DELTAKER = Topic(
    name="nir.deltaker.v2",
    producer="registrering",
    description=(
        "The deltaker without identities: registered, updated (lov, bosetting, kommune), kategori changes,"
        " utdanningsbakgrunn."
    ),
    key="deltaker_id",
    partitions=6,
    event_types=(
        deltaker.DeltakerRegistrert,
        deltaker.DeltakerOppdatert,
        deltaker.KategoriEndret,
        deltaker.UtdanningsbakgrunnRegistrert,
    ),
)
IDENTITET = Topic(
    name="nir.deltaker-identitet.v1",
    producer="registrering",
    description=(
        "The deltaker's identities, a full snapshot per deltaker (compacted): read only by folkeregister_adapter"
        " (fødselsnummer) and rapport (DUF-nummer, names, birth date)."
    ),
    key="deltaker_id",
    partitions=6,
    event_types=(deltaker.IdentitetFastsatt,),
    compacted=True,
    personal_data="DUF-nummer, fødselsnummer/d-nummer, fornavn, etternavn, fødselsdato",
)
VEDTAK = Topic(
    name="nir.vedtak.v1",
    producer="registrering",
    description="The programme's facts: vedtak (permisjon included), sluttmål, tiltak, fravær, avvisning.",
    key="deltaker_id",
    partitions=6,
    event_types=(
        vedtak.VedtakRegistrert,
        vedtak.VedtakEndret,
        vedtak.VedtakSlettet,
        vedtak.SluttmalRegistrert,
        vedtak.TiltakRegistrert,
        vedtak.TiltakEndret,
        vedtak.TiltakSlettet,
        vedtak.FravaerRegistrert,
        vedtak.FravaerSlettet,
        vedtak.AvvisningRegistrert,
    ),
)
AVSLUTNING = Topic(
    name="nir.avslutning.v1",
    producer="registrering",
    description="The kommune's avslutninger: registered, edited, deleted (every version).",
    key="deltaker_id",
    partitions=6,
    event_types=(avslutning.AvslutningRegistrert, avslutning.AvslutningEndret, avslutning.AvslutningSlettet),
)
FOLKEREGISTER = Topic(
    name="nir.folkeregister.v1",
    producer="folkeregister_adapter",
    description="Flytting, utvandring and død of NIR's deltakere, with corrections and annulments.",
    key="deltaker_id",
    partitions=6,
    event_types=(
        folkeregister.FlyttingRegistrert,
        folkeregister.FlyttingKorrigert,
        folkeregister.UtvandringRegistrert,
        folkeregister.UtvandringKorrigert,
        folkeregister.DodsfallRegistrert,
        folkeregister.DodsfallKorrigert,
        folkeregister.FolkeregisterhendelseAnnullert,
    ),
)
BEREGNET_AVSLUTNING = Topic(
    name="nir.beregnet-avslutning.v1",
    producer="regelmotor",
    description="The regelmotor's computed avslutninger: created, and retracted when the facts change.",
    key="deltaker_id",
    partitions=6,
    event_types=(avslutning.BeregnetAvslutningOpprettet, avslutning.BeregnetAvslutningTrukketTilbake),
)
KLOKKE = Topic(
    name="nir.klokke.v1",
    producer="regelmotor",
    description="Day ticks (Europe/Oslo): time as an input to the rules.",
    key="the constant «klokke» (not a deltaker id)",
    partitions=1,
    event_types=(klokke.DognPassert,),
)

ALL: tuple[Topic, ...] = (DELTAKER, IDENTITET, VEDTAK, AVSLUTNING, FOLKEREGISTER, BEREGNET_AVSLUTNING, KLOKKE)

DEAD_LETTER_NAME = "nir.dead-letter.v1"
DEAD_LETTER_MODEL = DeadLetter

_UNIONS = {t.name: _union(*t.event_types) for t in ALL}
_ADAPTERS = {name: TypeAdapter(u) for name, u in _UNIONS.items()}

EVENT_TYPES: dict[str, type[Event]] = {cls.model_fields["type"].default: cls for t in ALL for cls in t.event_types}


def topic_of(event: Event) -> Topic:
    for t in ALL:
        if type(event) in t.event_types:
            return t
    raise KeyError(f"no topic carries {type(event).__name__}")
