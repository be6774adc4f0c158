"""Follows the feed from the durable pointer: one page, one transaction (facts, outbox rows, pointer).

A crash before the commit leaves the pointer where it was, so the page is read again; the outbox ignores an
event it already holds (event_id derives from the hendelse), so nothing is lost and nothing doubled. 429
waits for Retry-After, 5xx and timeouts back off exponentially, 406 stops at the gap and says so (log,
metric, readiness) until an operator decides: reading on would skip hendelser silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import asyncpg
from prometheus_client import Counter as PromCounter
from prometheus_client import Gauge

from services.folkeregister_adapter import lager
from services.folkeregister_adapter.domain import KJENTE_TYPER, KjenteFakta, NyIdent, trenger_persondokument, vurder
from services.folkeregister_adapter.hendelser import til_event
from services.folkeregister_adapter.kilde import (
    Feedhendelse,
    Folkeregisterkilde,
    ForMangeForesporsler,
    Identifikasjonsnummer,
    Innslag,
    Kildefeil,
    Persondokument,
    Side,
    UgyldigInnslag,
    UtenforRetensjon,
)
from services.folkeregister_adapter.maskinporten import Maskinportenfeil
from services.plumbing import outbox
from services.plumbing.tasks import cancel_and_wait

log = logging.getLogger(__name__)

HENDELSER = PromCounter("nir_folkeregister_hendelser_total", "Feed hendelser read, by outcome", ["utfall"])
PUBLISERT = PromCounter("nir_folkeregister_publisert_total", "Events written to the outbox, by type", ["type"])
KILDEFEIL = PromCounter("nir_folkeregister_kildefeil_total", "Failed calls to the Folkeregister", ["status"])
PEKER = Gauge("nir_folkeregister_neste_sekvensnummer", "The next sekvensnummer the adapter reads")
FULL_SIDE = 1000  # a page this long means more is waiting
GAP = Gauge("nir_folkeregister_gap_fra", "Sekvensnummer the feed answered 406 for (0: no gap)")


def identer_i(h: Feedhendelse) -> list[str]:
    """Every identifier a hendelse names: an identity change names the old number too."""
    return [h.ident, *(e.opplysning.ident for e in h.egenskaper if isinstance(e.opplysning, Identifikasjonsnummer))]


def deltaker_for(identer: Iterable[str], kjente: dict[str, UUID]) -> UUID | None:
    return next((kjente[i] for i in identer if i in kjente), None)


class Feedfolger:
    def __init__(
        self,
        pool: asyncpg.Pool,
        kilde: Folkeregisterkilde,
        *,
        vekk_relay: Callable[[], None],
        poll_interval: float = 5.0,
        backoff_start: float = 1.0,
        backoff_maks: float = 60.0,
    ) -> None:
        self.pool = pool
        self.kilde = kilde
        self.vekk_relay = vekk_relay
        self.poll_interval = poll_interval
        self.backoff_start = backoff_start
        self.backoff_maks = backoff_maks
        self.for_commit: Callable[[Side], None] | None = None  # test hook: raise here to crash mid-page
        self.siste_kildefeil: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._forhent: tuple[int, asyncio.Future[Side | None]] | None = None

    # -- one step ------------------------------------------------------------------------------------------
    async def steg(self) -> str:
        """Read and handle one page: 'side', 'tom' (nothing new) or 'gap' (stopped at a 406)."""
        async with self.pool.acquire() as conn:
            p = await lager.peker(conn)
        PEKER.set(p["neste_sekvensnummer"])
        if p["gap_fra"] is not None:
            GAP.set(p["gap_fra"])
            return "gap"
        GAP.set(0)
        fra = p["neste_sekvensnummer"]
        forhent, self._forhent = self._forhent, None
        if forhent is not None and forhent[0] != fra:
            forhent[1].cancel()
            forhent = None
        try:
            side = await (forhent[1] if forhent is not None else self.kilde.side(fra))
        except UtenforRetensjon as exc:
            await self._gap(exc)
            return "gap"
        if side is None or not side.innslag:
            return "tom"
        if len(side.innslag) >= FULL_SIDE:
            # Fetch the next page while this one is handled; it is used only if the pointer gets there.
            neste = asyncio.ensure_future(self.kilde.side(side.neste))
            neste.add_done_callback(lambda f: f.cancelled() or f.exception())  # a dropped one's error is not lost noise
            self._forhent = (side.neste, neste)
        await self.behandle(side)
        return "side"

    async def _gap(self, exc: UtenforRetensjon) -> None:
        melding = f"feeden svarte 406 fra sekvensnummer {exc.fra} ({exc.kode}: {exc.melding})"
        async with self.pool.acquire() as conn:
            await lager.registrer_gap(conn, exc.fra, melding)
        GAP.set(exc.fra)
        KILDEFEIL.labels("406").inc()
        log.error(
            "folkeregister feed gap: hendelser deleted before they were read; the adapter stops here "
            "until an operator decides (see README)",
            extra={"gap_fra": exc.fra, "kode": exc.kode},
        )

    async def behandle(self, side: Side) -> None:
        tellere: Counter[str] = Counter()
        innslag: list[Innslag] = []
        for i in side.innslag:
            if isinstance(i, UgyldigInnslag):
                self._ugyldig(i, tellere)
            else:
                innslag.append(i)
                if i.hendelsestype not in KJENTE_TYPER:
                    tellere["unknown_type"] += 1
        alle_identer = [ident for i in innslag for ident in i.identer]
        async with self.pool.acquire() as conn:
            kjente = await lager.deltakere_for(conn, alle_identer)
        # Only NIR's entries are parsed in full; person lookups happen before the transaction (no network
        # call while holding the pointer's lock), a few at a time.
        lest = {i.sekvensnummer: i.les() for i in innslag if deltaker_for(i.identer, kjente) is not None}
        oppslag = [h for h in lest.values() if isinstance(h, Feedhendelse) and trenger_persondokument(h)]
        dokumenter: dict[str, Persondokument | None] = {}
        for start in range(0, len(oppslag), 16):
            bolk = oppslag[start : start + 16]
            svar = await asyncio.gather(*(self.kilde.persondokument(h.ident) for h in bolk))
            for hendelse, doc in zip(bolk, svar, strict=True):
                dokumenter[hendelse.hendelse_id] = doc

        events = []
        async with self.pool.acquire() as conn, conn.transaction():
            p = await lager.peker(conn, for_update=True)
            if p["neste_sekvensnummer"] != side.fra or p["gap_fra"] is not None:
                log.warning("feed pointer moved by someone else; page dropped", extra={"fra": side.fra})
                return
            kjente = await lager.deltakere_for(conn, alle_identer)
            forste = [h for h in lest.values() if isinstance(h, Feedhendelse)]
            nye = await lager.nye_hendelser(conn, [(h.hendelse_id, h.sekvensnummer) for h in forste])
            fakta = await lager.fakta_for(conn, [d for h in forste if (d := deltaker_for(identer_i(h), kjente))])
            endret: set[UUID] = set()
            for i in innslag:
                # Looked up again: an identity change earlier on the page may have taught us this number.
                d = deltaker_for(i.identer, kjente)
                if d is None:
                    tellere["ikke_nir"] += 1
                    continue
                if i.sekvensnummer not in lest:
                    lest[i.sekvensnummer] = h0 = i.les()
                    if isinstance(h0, Feedhendelse):
                        nye |= await lager.nye_hendelser(conn, [(h0.hendelse_id, h0.sekvensnummer)])
                        if d not in fakta:
                            fakta.update(await lager.fakta_for(conn, [d]))
                h = lest[i.sekvensnummer]
                if isinstance(h, UgyldigInnslag):
                    self._ugyldig(h, tellere)
                    continue
                if h.hendelse_id not in nye:
                    tellere["duplikat"] += 1
                    continue
                nye.discard(h.hendelse_id)  # the same hendelse twice on one page counts once
                v = vurder(h, fakta.get(d) or KjenteFakta(), dokumenter.get(h.hendelse_id))
                if v.trenger_persondokument:
                    tellere["person_ikke_funnet"] += 1
                    continue
                if v.kjent != fakta.get(d):
                    fakta[d] = v.kjent
                    endret.add(d)
                for u in v.utfall:
                    if isinstance(u, NyIdent):
                        for ident in (u.ny, *u.tidligere):
                            await lager.kjenn_ident(conn, ident, d)
                            kjente[ident] = d
                    elif (e := til_event(u, h, d)) is not None:
                        events.append(e)
                tellere[
                    "publisert"
                    if any(not isinstance(u, NyIdent) for u in v.utfall)
                    else "ny_ident"
                    if v.utfall
                    else "ingen_endring"
                ] += 1
                log.info(
                    "folkeregister hendelse for deltaker",
                    extra={
                        "sekvensnummer": h.sekvensnummer,
                        "hendelse_id": h.hendelse_id,
                        "deltaker_id": str(d),
                        "hendelsestype": h.hendelsestype,
                        "regel": v.regel,
                        "utfall": [type(u).__name__ for u in v.utfall],
                    },
                )
            await lager.lagre_fakta(conn, {d: fakta[d] for d in endret})
            await outbox.enqueue(conn, events)
            if self.for_commit is not None:
                self.for_commit(side)
            await lager.flytt_peker(conn, side.neste)
        for navn, n in tellere.items():
            HENDELSER.labels(navn).inc(n)
        for e in events:
            PUBLISERT.labels(e.type).inc()
        PEKER.set(side.neste)
        if events:
            self.vekk_relay()

    @staticmethod
    def _ugyldig(i: UgyldigInnslag, tellere: Counter[str]) -> None:
        tellere["ugyldig"] += 1
        log.error("unreadable feed entry skipped", extra={"sekvensnummer": i.sekvensnummer, "grunn": i.grunn})

    # -- the loop --------------------------------------------------------------------------------------------
    async def kjor(self) -> None:
        backoff = self.backoff_start
        while True:
            try:
                resultat = await self.steg()
                self.siste_kildefeil = None
                backoff = self.backoff_start
                if resultat != "side":
                    await asyncio.sleep(self.poll_interval)
                continue
            except asyncio.CancelledError:
                raise
            except ForMangeForesporsler as exc:
                KILDEFEIL.labels("429").inc()
                self.siste_kildefeil = "429"
                log.warning("folkeregister says too many requests; waiting", extra={"retry_after": exc.retry_after})
                await asyncio.sleep(exc.retry_after)
                continue
            except Maskinportenfeil as exc:
                # Maskinporten's own words (error, error_description) say what to fix; they never hold the grant.
                KILDEFEIL.labels(exc.merke).inc()
                self.siste_kildefeil = exc.merke
                log.warning(
                    "maskinporten token exchange failed; backing off",
                    extra={"status": exc.status, "feil": exc.melding, "backoff": backoff},
                )
            except Kildefeil as exc:
                KILDEFEIL.labels(exc.merke).inc()
                self.siste_kildefeil = exc.merke
                log.warning("folkeregister call failed; backing off", extra={"status": exc.status, "backoff": backoff})
            except Exception:
                KILDEFEIL.labels("intern").inc()
                self.siste_kildefeil = "intern"
                log.exception("feed step failed; backing off")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.backoff_maks)

    def start(self) -> None:
        self._task = asyncio.create_task(self.kjor(), name="folkeregister-feed")

    async def stop(self) -> None:
        if self._forhent is not None:
            self._forhent[1].cancel()
            self._forhent = None
        await cancel_and_wait(self._task)
        self._task = None

    async def status(self) -> dict[str, Any]:
        """For readiness: where the pointer is, and the gap when the feed answered 406 (then not ready)."""
        async with self.pool.acquire() as conn:
            p = await lager.peker(conn)
        gap = None
        if p["gap_fra"] is not None:
            gap = {"fra": p["gap_fra"], "melding": p["gap_melding"], "oppdaget": p["gap_oppdaget_at"].isoformat()}
        kjorer = self._task is not None and not self._task.done()
        return {
            "ok": gap is None and kjorer,
            "folkeregister": {
                "neste_sekvensnummer": p["neste_sekvensnummer"],
                "gap": gap,
                "siste_kildefeil": self.siste_kildefeil,
                "kjorer": kjorer,
            },
        }
