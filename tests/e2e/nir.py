"""What a scenario does, through the public interfaces only: registrering's API (as a kommune fagsystem), the
Folkeregister simulator's control API, day ticks on nir.klokke.v1; and what it checks: rapport's API and the
topics. Everything is eventually consistent, so checks poll with a deadline (`eventually`), never sleep."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx

from shared.events import topics
from tests.e2e.system import System
from tests.support.polling import eventually

T = TypeVar("T")

API = "/api/v1"
REGELMOTOR_FAKTA = (topics.DELTAKER, topics.VEDTAK, topics.AVSLUTNING, topics.FOLKEREGISTER)


def ny_duf() -> str:
    return f"{random.randrange(10**11, 10**12)}"


class Nir:
    """A test's view of the running system."""

    def __init__(self, system: System, client: httpx.AsyncClient, *, tick_etter_fakta: bool = True) -> None:
        self.system = system
        self.http = client
        self.siste_tick: date | None = None
        # A day tick follows the day's registrations: published once the regelmotor has decided them (see tick)
        self.tick_etter_fakta = tick_etter_fakta

    # --- users --------------------------------------------------------------------------------------------------
    def kommune(self, kommunenummer: str) -> dict[str, str]:
        return self.system.headers(f"{kommunenummer}-saksbehandler", kommune=kommunenummer)

    def imdi(self) -> dict[str, str]:
        return self.system.headers("imdi-analytiker", imdi=True)

    def oppholdskilde(self) -> dict[str, str]:
        """IMDi's bosetting system (Maskinporten, scope imdi:nir.avslutning.opphold): the one source of opphold."""
        assert self.system.idp is not None
        return {"Authorization": f"Bearer {self.system.idp.imdi_opphold()}"}

    # --- registrering --------------------------------------------------------------------------------------------
    def reg(self, path: str) -> str:
        return self.system.url("registrering") + API + path

    async def ok(self, method: str, url: str, headers: dict, json: Any = None, status: int = 201) -> Any:
        r = await self.http.request(method, url, headers=headers, json=json)
        assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    async def ny_deltaker(
        self,
        kommunenummer: str,
        *,
        lov: str = "integreringsloven",
        fodselsnummer: str | None = None,
        fornavn: str = "Test",
        etternavn: str = "Testesen",
        bosettingsdato: date = date(2021, 9, 1),
        fodselsdato: date = date(1990, 5, 17),
        **extra: Any,
    ) -> dict:
        body = dict(
            duf_nummer=ny_duf(),
            fornavn=fornavn,
            etternavn=etternavn,
            kjonn="K",
            fodselsdato=fodselsdato.isoformat(),
            lov=lov,
            bosettingsdato=bosettingsdato.isoformat(),
            oppfolgingskommune=kommunenummer,
            **extra,
        )
        if fodselsnummer:
            body["fodselsnummer"] = fodselsnummer
        return await self.ok("POST", self.reg("/deltakere"), self.kommune(kommunenummer), body)

    async def vedtak(
        self, d: dict, vedtakstype: str, fra: date, til: date | None = None, vedtaksdato: date | None = None
    ) -> dict:
        return await self.ok(
            "POST",
            self.reg(f"/deltakere/{d['deltaker_id']}/vedtak"),
            self.kommune(d["oppfolgingskommune"]),
            dict(
                vedtakstype=vedtakstype,
                vedtaksdato=(vedtaksdato or fra).isoformat(),
                periode=dict(fra=fra.isoformat(), til=til.isoformat() if til else None),
            ),
        )

    async def opphold(self, d: dict, *tillatelser: tuple[str, date, date | None]) -> dict:
        """IMDi reports the person's tillatelser (oppholdsgrunnlag, innvilget, opphørt): kategori and lov follow."""
        body = {
            "duf_nummer": d["duf_nummer"],
            "tillatelser": [
                {"oppholdsgrunnlag": g, "innvilget": fra.isoformat(), "opphort": til.isoformat() if til else None}
                for g, fra, til in tillatelser
            ],
        }
        return await self.ok("POST", self.reg("/opphold"), self.oppholdskilde(), body, status=200)

    async def deltaker(self, d: dict) -> dict:
        return await self.ok(
            "GET", self.reg(f"/deltakere/{d['deltaker_id']}"), self.kommune(d["oppfolgingskommune"]), status=200
        )

    async def utdanningsbakgrunn(self, d: dict, utdanningsbakgrunn: str) -> dict:
        return await self.ok(
            "POST",
            self.reg(f"/deltakere/{d['deltaker_id']}/utdanningsbakgrunn"),
            self.kommune(d["oppfolgingskommune"]),
            {"utdanningsbakgrunn": utdanningsbakgrunn},
            status=200,
        )

    async def sluttmal(self, d: dict, sluttmal: str, fastsatt: date) -> dict:
        return await self.ok(
            "POST",
            self.reg(f"/deltakere/{d['deltaker_id']}/sluttmal"),
            self.kommune(d["oppfolgingskommune"]),
            dict(sluttmal=sluttmal, fastsatt_dato=fastsatt.isoformat()),
        )

    async def i_program(
        self,
        kommunenummer: str,
        start: date,
        sluttmal: str = "ARBEID_HAR_IKKE_VGO",
        til: date | None = None,
        **deltaker: Any,
    ) -> dict:
        """A deltaker with a vedtak om deltakelse from `start` (planned to `til`, default two years less a day)
        and a sluttmål set at start."""
        d = await self.ny_deltaker(kommunenummer, **deltaker)
        await self.vedtak(
            d,
            "DELTAKELSE",
            start,
            til or date(start.year + 2, start.month, start.day) - timedelta(days=1),
            vedtaksdato=start,
        )
        await self.sluttmal(d, sluttmal, start)
        return d

    async def frister(self, d: dict) -> dict:
        return await self.ok(
            "GET", self.reg(f"/deltakere/{d['deltaker_id']}/frister"), self.kommune(d["oppfolgingskommune"]), status=200
        )

    async def avslutt(
        self,
        d: dict,
        arsak: str,
        dato: date,
        timer: str | None = None,
        bekreft: bool = False,
        kommunenummer: str | None = None,
    ) -> dict:
        """The kommune registers an avslutning; `bekreft` answers the warn-then-confirm question (§4 rule 4)."""
        body: dict[str, Any] = dict(arsak=arsak, avslutningsdato=dato.isoformat())
        if timer is not None:
            body["timer_arbeid_per_uke"] = timer
        return await self.ok(
            "POST",
            self.reg(f"/deltakere/{d['deltaker_id']}/avslutninger") + ("?confirm=true" if bekreft else ""),
            self.kommune(kommunenummer or d["oppfolgingskommune"]),
            body,
        )

    async def avslutninger(self, d: dict) -> dict:
        return await self.ok(
            "GET",
            self.reg(f"/deltakere/{d['deltaker_id']}/avslutninger"),
            self.kommune(d["oppfolgingskommune"]),
            status=200,
        )

    # --- time ---------------------------------------------------------------------------------------------------
    async def tick(self, dato: date) -> None:
        """Time only moves forward: a tick for a day already passed re-announces the latest day instead.

        As in production, where midnight comes hours after the day's registrations, the tick is published once
        registrering has published what it stored and the regelmotor has decided it: a person the regelmotor
        first sees while a tick waits is known from that day, and its passed frister are decided by the next
        tick (services/regelmotor/README.md), so a tick published a moment after a POST would make the
        scenario's outcome depend on the relay's timing. Tests of ticks that overtake facts turn this off."""
        if self.siste_tick is not None and dato < self.siste_tick:
            dato = self.siste_tick
        self.siste_tick = dato
        if self.tick_etter_fakta:
            await self.fakta_avgjort()
        await self.system.tick(dato)

    async def fakta_avgjort(self) -> None:
        """Registrering's outbox is published and the regelmotor has decided every record on its fact topics."""

        async def avgjort() -> bool:
            [r] = await self.system.fetch("SELECT count(*) AS n FROM registrering.outbox WHERE published_at IS NULL")
            assert r["n"] == 0, f"{r['n']} events in registrering's outbox"
            behind = await self.system.caught_up("regelmotor", "regelmotor", REGELMOTOR_FAKTA)
            assert behind == 0, f"{behind} fact records not yet decided by the regelmotor"
            return True

        await eventually(avgjort, what="the day's facts decided before the tick")

    # --- Folkeregister simulator ------------------------------------------------------------------------------------
    def sim(self, path: str) -> str:
        return self.system.url("simulator") + "/kontroll" + path

    async def folkeregisterperson(self) -> dict:
        r = await self.http.post(self.sim("/personer"), params={"antall": 1})
        assert r.status_code == 200, r.text
        return r.json()[0]

    async def folkeregisterhendelse(self, art: str, ident: str, **felt: Any) -> dict:
        r = await self.http.post(self.sim("/hendelser"), json=[dict(art=art, folkeregisteridentifikator=ident, **felt)])
        assert r.status_code == 200, r.text
        return r.json()[0]

    # --- rapport ------------------------------------------------------------------------------------------------
    def rap(self, path: str) -> str:
        return self.system.url("rapport") + API + path

    async def rapport(self, headers: dict, lov: str = "integreringsloven", **filter: Any) -> httpx.Response:
        """The report through POST …/sok: the filter (a DUF-nummer, say) in the body, as a client must send it."""
        return await self.http.post(self.rap(f"/rapport/{lov}/sok"), headers=headers, json=filter)

    async def rad(self, d: dict, headers: dict | None = None, **filter: Any) -> dict | None:
        """The person's report row (filtered on the exact DUF-nummer), or None when the person is not listed."""
        r = await self.rapport(
            headers or self.kommune(d["oppfolgingskommune"]), lov=d["lov"], duf_nummer=d["duf_nummer"], **filter
        )
        assert r.status_code == 200, r.text
        rader = r.json()["rader"]
        assert len(rader) <= 1, rader
        return rader[0] if rader else None

    async def historikk(self, d: dict, headers: dict | None = None) -> httpx.Response:
        return await self.http.get(
            self.rap(f"/personer/{d['deltaker_id']}/avslutningshistorikk"),
            headers=headers or self.kommune(d["oppfolgingskommune"]),
        )

    async def historikklinjer(self, d: dict, headers: dict | None = None) -> list[dict]:
        r = await self.historikk(d, headers)
        assert r.status_code == 200, r.text
        return r.json()["linjer"]

    # --- topics -------------------------------------------------------------------------------------------------
    async def beregnet(self, d: dict) -> list[dict]:
        """The regelmotor's events about the person on nir.beregnet-avslutning.v1, in topic order."""
        return [
            e
            for e in await self.system.read_topic(topics.BEREGNET_AVSLUTNING)
            if e.get("deltaker_id") == d["deltaker_id"]
        ]

    async def folkeregisterfakta(self, d: dict) -> list[dict]:
        return [
            e for e in await self.system.read_topic(topics.FOLKEREGISTER) if e.get("deltaker_id") == d["deltaker_id"]
        ]

    async def kjent_for_adapteren(self, d: dict, timeout: float = 60) -> None:
        """Wait until the Folkeregister adapter has consumed the person's identity (IdentitetFastsatt: the
        fødselsnummer it matches the feed on): hendelser the feed delivers before that are «not NIR» and never
        replayed (folkeregister_adapter/README.md). Observed through Kafka: the record is on
        nir.deltaker-identitet.v1 and the adapter's consumer group has committed past it."""

        async def published() -> bool:
            ids = {e.get("deltaker_id") for e in await self.system.read_topic(topics.IDENTITET)}
            assert d["deltaker_id"] in ids, "IdentitetFastsatt not yet on nir.deltaker-identitet.v1"
            return True

        await eventually(published, timeout)
        end = await self.system.end_offsets(topics.IDENTITET)

        async def consumed() -> bool:
            committed = await self.system.committed("folkeregister_adapter", topics.IDENTITET)
            behind = {p: (committed.get(p, 0), o) for p, o in end.items() if committed.get(p, 0) < o}
            assert not behind, f"adapter behind on nir.deltaker-identitet.v1: {behind}"
            return True

        await eventually(consumed, timeout)
