"""The difference between the computed avslutninger the facts demand and those already published: the
events to publish (created / retracted) and the new published set. Because only the difference is
published, the order in which events from different topics arrive does not change the outcome."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from services.regelmotor.domain.regler import Utledning, gjeldende_folkeregisterhendelser, utled
from services.regelmotor.domain.tilstand import Tilstand, Utsendt
from shared.events.avslutning import (
    BeregnetAvslutningOpprettet,
    BeregnetAvslutningTrukketTilbake,
    Regelgrunnlag,
    Tilbaketrekkingsgrunn,
)
from shared.events.envelope import Event

PRODUCER = "regelmotor"

Utgaende = BeregnetAvslutningOpprettet | BeregnetAvslutningTrukketTilbake


@dataclass(frozen=True)
class Resultat:
    tilstand: Tilstand  # with `utsendte` updated
    hendelser: tuple[Utgaende, ...]
    utledning: Utledning


def _grunn(t: Tilstand, u: Utsendt, utledning: Utledning) -> tuple[Tilbaketrekkingsgrunn, str, tuple[uuid.UUID, ...]]:
    if utledning.kommuneavslutning_i_kraft:
        return (
            Tilbaketrekkingsgrunn.KOMMUNE_AVSLUTNING,
            "kommunens avslutning er i kraft",
            utledning.kommuneavslutning_i_kraft,
        )
    if u.folkeregister_rot is not None:
        annullering = t.annulleringer.get(u.folkeregister_rot)
        gjeldende = gjeldende_folkeregisterhendelser(t).get(u.folkeregister_rot)
        if gjeldende is None:
            # the annulment of the original; otherwise the triggering annulment (added below) is the source
            kilder: tuple[uuid.UUID, ...] = (annullering.event_id,) if annullering else ()
            return Tilbaketrekkingsgrunn.FOLKEREGISTER_ANNULLERT, "folkeregisterhendelsen er annullert", kilder
        h, kilder = gjeldende
        if h.dato != u.avslutningsdato:
            return Tilbaketrekkingsgrunn.FOLKEREGISTER_KORRIGERT, f"korrigert til {h.dato.isoformat()}", kilder
    return Tilbaketrekkingsgrunn.FAKTA_ENDRET, "faktaene som ga avslutningen er endret", ()


def _event_id(avslutning_id: uuid.UUID, hva: str, trigger: Event) -> uuid.UUID:
    # Deterministic: the same trigger yields the same outgoing event ids on a replay (the outbox and
    # consumers de-duplicate on them); a later create of the same avslutning gets a new id.
    return uuid.uuid5(avslutning_id, f"{hva}|{trigger.event_id}")


def publisert_id(t: Tilstand, regel_id: uuid.UUID) -> uuid.UUID:
    """The id to publish a computed avslutning under: the rule's own id the first time; after each retraction
    a new, still deterministic one (registrering and rapport keep a retracted id as (slettet) for good)."""
    generasjon = t.tilbaketrekkinger.get(regel_id, 0)
    return regel_id if generasjon == 0 else uuid.uuid5(regel_id, f"generasjon|{generasjon}")


def differanse(t: Tilstand, trigger: Event) -> Resultat:
    """Derive, compare with what was published, and return what to publish now. The outgoing envelope
    takes its times from the triggering event (not the wall clock), so a replay is identical."""
    utledning = utled(t)
    onsket = {o.avslutning_id: o for o in utledning.onsket}
    envelope: dict[str, Any] = dict(
        occurred_at=trigger.occurred_at,
        recorded_at=trigger.recorded_at,
        correlation_id=trigger.correlation_id,
        causation_id=trigger.event_id,
        producer=PRODUCER,
        deltaker_id=t.deltaker_id,
    )
    hendelser: list[Utgaende] = []
    utsendte = dict(t.utsendte)
    tilbaketrekkinger = dict(t.tilbaketrekkinger)
    for aid, u in sorted(t.utsendte.items(), key=lambda x: str(x[0])):
        if aid in onsket:
            continue
        grunn, tekst, kilder = _grunn(t, u, utledning)
        regelsti = (f"{u.regel}: gjelder ikke lenger", f"{grunn.value}: {tekst}")
        pid = u.publisert_id or aid
        hendelser.append(
            BeregnetAvslutningTrukketTilbake(
                **envelope,
                event_id=_event_id(pid, "trukket", trigger),
                avslutning_id=pid,
                arsak=u.arsak,
                grunn=grunn,
                grunnlag=Regelgrunnlag(
                    regel=f"TILBAKETREKKING_{grunn.value}",
                    regelsti=regelsti,
                    datoer={"avslutningsdato": u.avslutningsdato, **({"idag": t.idag} if t.idag else {})},
                    kilde_event_ids=tuple(dict.fromkeys((*kilder, trigger.event_id))),
                ),
            )
        )
        del utsendte[aid]
        tilbaketrekkinger[aid] = tilbaketrekkinger.get(aid, 0) + 1
    person = t.person
    for aid, o in onsket.items():
        if aid in t.utsendte:
            continue
        assert person is not None  # utled demands none without personopplysninger
        pid = publisert_id(t.model_copy(update={"tilbaketrekkinger": tilbaketrekkinger}), aid)
        hendelser.append(
            BeregnetAvslutningOpprettet(
                **envelope,
                event_id=_event_id(pid, "opprettet", trigger),
                avslutning_id=pid,
                avslutningstype=o.avslutningstype,
                arsak=o.arsak,
                avslutningsdato=o.avslutningsdato,
                oppfolgingskommune=person.oppfolgingskommune,
                bydel=person.bydel,
                grunnlag=o.grunnlag,
            )
        )
        utsendte[aid] = Utsendt(
            avslutning_id=aid,
            regel=o.regel,
            arsak=o.arsak,
            avslutningstype=o.avslutningstype,
            avslutningsdato=o.avslutningsdato,
            folkeregister_rot=o.folkeregister_rot,
            publisert_id=pid,
        )
    ny = t.model_copy(update={"utsendte": utsendte, "tilbaketrekkinger": tilbaketrekkinger}) if hendelser else t
    return Resultat(ny, tuple(hendelser), utledning)
