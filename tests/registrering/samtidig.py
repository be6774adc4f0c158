"""Parallel writes on one deltaker in registrering (issue #11), and what they put on Kafka: rounds of requests
behind the gate of tests/support/parallelt.py; `Kafkaspeil` reads the app's topics back to their end; `speil` checks one
deltaker's events against its rows."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from shared.events import topics
from tests.support.parallelt import Hold
from tests.support.polling import eventually


def laas_deltakerne(deltaker_ids: Sequence[str]) -> Hold:
    async def hold(conn: asyncpg.Connection) -> None:
        await conn.execute(
            "SELECT 1 FROM deltaker WHERE deltaker_id = ANY($1::uuid[]) FOR UPDATE", [UUID(d) for d in deltaker_ids]
        )

    return hold


@dataclass
class Runde:
    """One round: the deltaker (and whatever the set-up made for it), and the answers of its parallel calls."""

    deltaker_id: str
    data: dict[str, Any] = field(default_factory=dict)
    svar: list[Any] = field(default_factory=list)

    def statuser(self) -> list[int | str]:
        """HTTP statuses, «ok» for a call that returned nothing, the exception's type for one that raised."""
        return sorted(
            (
                s.status_code if hasattr(s, "status_code") else "ok" if s is None else type(s).__name__
                for s in self.svar
            ),
            key=str,
        )


def fordeling(runder: Sequence[Runde]) -> str:
    """«201×1 409×7 in 54 of 54 rounds»: how often each outcome of a round occurred."""
    c = Counter(" ".join(f"{s}×{n}" for s, n in sorted(Counter(r.statuser()).items(), key=str)) for r in runder)
    return "; ".join(f"{k} in {n} of {len(runder)} rounds" for k, n in c.most_common())


class Kafkaspeil:
    """Every record on the app's deltaker, identity, vedtak and avslutning topics, by key (the deltaker id), in
    the order of its partition."""

    def __init__(self, r) -> None:
        self.r = r
        self.partisjoner = [
            TopicPartition(r.runtime.topics(t), p)
            for t in (topics.DELTAKER, topics.IDENTITET, topics.VEDTAK, topics.AVSLUTNING)
            for p in range(t.partitions)
        ]
        self.hendelser: dict[str, list[dict]] = defaultdict(list)

    async def __aenter__(self) -> Kafkaspeil:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=self.r.settings.kafka_bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=20,
        )  # read to the end, do not linger
        await self.consumer.start()
        self.consumer.assign(self.partisjoner)  # the app created them at its start
        await self.consumer.seek_to_beginning(*self.partisjoner)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def les_alt(self) -> dict[str, list[dict]]:
        """Once the outbox is empty, every event is acknowledged by the broker: read each partition to its end."""
        pool = self.r.runtime.pool
        await eventually(
            lambda: pool.fetchval("SELECT count(*) = 0 FROM outbox WHERE published_at IS NULL"),
            what="the outbox to be published",
        )
        slutt = await self.consumer.end_offsets(self.partisjoner)
        while True:
            mangler = [tp for tp in self.partisjoner if await self.consumer.position(tp) < slutt[tp]]
            if not mangler:
                return self.hendelser
            for msgs in (await self.consumer.getmany(*mangler, timeout_ms=500)).values():
                for m in msgs:
                    self.hendelser[m.key.decode()].append(json.loads(m.value))


def _av(hendelser: list[dict], *typer: str) -> list[dict]:
    return [h for h in hendelser if h["type"] in typer]


def _unike(verdier: list) -> set:
    assert len(verdier) == len(set(verdier)), f"published twice: {verdier}"
    return set(verdier)


async def speil(pool: asyncpg.Pool, deltaker_id: str, hendelser: list[dict]) -> None:
    """What Kafka says about the deltaker is what is stored: each row published once, nothing published that
    was not stored, and the last word on each row is its stored state."""
    did = UUID(deltaker_id)
    _unike([h["event_id"] for h in hendelser])
    d = await pool.fetchrow("SELECT * FROM deltaker WHERE deltaker_id = $1", did)
    [_] = _av(hendelser, "DeltakerRegistrert")  # exactly one
    siste = _av(hendelser, "DeltakerRegistrert", "DeltakerOppdatert")[-1]["person"]
    lagret = {k: d[k] for k in ("kjonn", "lov", "oppfolgingskommune", "bydel")}
    assert {k: siste[k] for k in lagret} == lagret
    assert siste["bosettingsdato"] == d["bosettingsdato"].isoformat()
    identiteter = _av(hendelser, "IdentitetFastsatt")  # the first with the registration, then one per change
    identitet = identiteter[-1]["identitet"]
    assert {k: identitet[k] for k in ("duf_nummer", "fornavn", "etternavn")} == {
        k: d[k] for k in ("duf_nummer", "fornavn", "etternavn")
    }
    assert identitet["fodselsdato"] == d["fodselsdato"].isoformat()
    fnr = identiteter[0]["identitet"]["fodselsnummer"]
    for h in identiteter[1:]:  # one chain of identities, ending in the stored one
        if h["identitet"]["fodselsnummer"] != fnr:
            assert h["tidligere_fodselsnummer"] == fnr
            fnr = h["identitet"]["fodselsnummer"]
    assert fnr == d["fodselsnummer"]

    for tabell, entitet in (("vedtak", "Vedtak"), ("tiltak", "Tiltak")):
        rader = {
            str(r[f"{tabell}_id"]): r for r in await pool.fetch(f"SELECT * FROM {tabell} WHERE deltaker_id = $1", did)
        }
        assert _unike([h[tabell][f"{tabell}_id"] for h in _av(hendelser, f"{entitet}Registrert")]) == set(rader)
        # the last snapshot of each (a PUT's, or the avslutning's ikke gjeldende) is the stored row
        siste_ord = {
            h[tabell][f"{tabell}_id"]: (
                h[tabell]["gjeldende"],
                h[tabell]["periode"]["fra"],
                h[tabell]["periode"]["til"],
            )
            for h in _av(hendelser, f"{entitet}Registrert", f"{entitet}Endret")
        }
        assert siste_ord == {
            i: (r["gjeldende"], r["fra"].isoformat(), r["til"].isoformat() if r["til"] else None)
            for i, r in rader.items()
        }
        slettede = await pool.fetch(f"SELECT {tabell}_id FROM {tabell} WHERE deltaker_id = $1 AND slettet", did)
        assert _unike([h[f"{tabell}_id"] for h in _av(hendelser, f"{entitet}Slettet")]) == {
            str(r[f"{tabell}_id"]) for r in slettede
        }
    fravaer = await pool.fetch("SELECT fravaer_id, slettet FROM fravaer WHERE deltaker_id = $1", did)
    assert _unike([h["fravaer"]["fravaer_id"] for h in _av(hendelser, "FravaerRegistrert")]) == {
        str(r["fravaer_id"]) for r in fravaer
    }
    assert _unike([h["fravaer_id"] for h in _av(hendelser, "FravaerSlettet")]) == {
        str(r["fravaer_id"]) for r in fravaer if r["slettet"]
    }
    sluttmal = await pool.fetch("SELECT sluttmal, fastsatt_dato FROM sluttmal WHERE deltaker_id = $1 ORDER BY id", did)
    assert [(h["sluttmal"], h["fastsatt_dato"]) for h in _av(hendelser, "SluttmalRegistrert")] == [
        (r["sluttmal"], r["fastsatt_dato"].isoformat()) for r in sluttmal
    ]
    avvisning = await pool.fetch("SELECT avvist_dato FROM avvisning WHERE deltaker_id = $1 ORDER BY id", did)
    assert [h["avvist_dato"] for h in _av(hendelser, "AvvisningRegistrert")] == [
        r["avvist_dato"].isoformat() for r in avvisning
    ]

    versjoner = await pool.fetch(
        "SELECT a.avslutning_id, v.versjon, v.slettet, v.arsak, v.avslutningsdato FROM avslutning a"
        " JOIN avslutningsversjon v USING (avslutning_id) WHERE a.deltaker_id = $1 AND a.kilde = 'kommune'",
        did,
    )
    lagrede = sorted(
        (
            str(v["avslutning_id"]),
            v["versjon"],
            v["slettet"],
            None if v["slettet"] else (v["arsak"], v["avslutningsdato"].isoformat()),
        )
        for v in versjoner
    )
    publiserte = sorted(
        [
            (
                h["avslutning"]["avslutning_id"],
                h["avslutning"]["versjon"],
                False,
                (h["avslutning"]["arsak"], h["avslutning"]["avslutningsdato"]),
            )
            for h in _av(hendelser, "AvslutningRegistrert", "AvslutningEndret")
        ]
        + [(h["avslutning_id"], h["versjon"], True, None) for h in _av(hendelser, "AvslutningSlettet")]
    )
    assert publiserte == lagrede
    assert all(h["avslutning"]["versjon"] == 1 for h in _av(hendelser, "AvslutningRegistrert"))
