"""Follows the feed from the durable pointer: one page, one transaction (facts, outbox rows, pointer).

A crash before the commit leaves the pointer where it was, so the page is read again; the outbox ignores an
event it already holds (event_id derives from the hendelse), so nothing is lost and nothing doubled. 429
waits for Retry-After, 5xx and timeouts back off exponentially, 406 stops at the gap and says so (log,
metric, readiness) until an operator decides: reading on would skip hendelser silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from prometheus_client import Counter as PromCounter
from prometheus_client import Gauge

from services.folkeregister_adapter import lager
from services.folkeregister_adapter.domain import KjenteFakta, trenger_persondokument
from services.folkeregister_adapter.folkeregisterkilde import (
    Feedhendelse,
    Folkeregisterkilde,
    ForMangeForesporsler,
    Innslag,
    Kildefeil,
    Persondokument,
    Side,
    UgyldigInnslag,
    UtenforRetensjon,
)
from services.folkeregister_adapter.maskinporten import Maskinportenfeil
from services.folkeregister_adapter.sidevurdering import (
    Sidegrunnlag,
    Sidevurdering,
    deltaker_for,
    identer_i,
    vurder_side,
)
from services.plumbing import outbox
from services.plumbing.tasks import cancel_and_wait

log = logging.getLogger(__name__)

HENDELSER = PromCounter("nir_folkeregister_hendelser_total", "Feed hendelser read, by outcome", ["utfall"])
PUBLISERT = PromCounter("nir_folkeregister_publisert_total", "Events written to the outbox, by type", ["type"])
KILDEFEIL = PromCounter("nir_folkeregister_kildefeil_total", "Failed calls to the Folkeregister", ["status"])
PEKER = Gauge("nir_folkeregister_neste_sekvensnummer", "The next sekvensnummer the adapter reads")
FULL_SIDE = 1000  # a page this long means more is waiting
GAP = Gauge("nir_folkeregister_gap_fra", "Sekvensnummer the feed answered 406 for (0: no gap)")


async def _fakta(conn: asyncpg.Connection, deltaker_ids: list[UUID]) -> dict[UUID, KjenteFakta]:
    """The facts of each of these deltakere, KjenteFakta() for one the adapter knows nothing of yet."""
    lagret = await lager.fakta_for(conn, deltaker_ids)
    return {d: lagret.get(d, KjenteFakta()) for d in deltaker_ids}


async def _les_mer(conn: asyncpg.Connection, g: Sidegrunnlag, innslag: Innslag, deltaker_id: UUID) -> Sidegrunnlag:
    """An entry that became NIR's during the page (an identity change taught us its number): parsed, its
    hendelse recorded, its deltaker's facts loaded."""
    lest, nye, fakta = dict(g.lest), set(g.nye), dict(g.fakta)
    if innslag.sekvensnummer not in lest:
        lest[innslag.sekvensnummer] = innslag.les()
        h = lest[innslag.sekvensnummer]
        if isinstance(h, Feedhendelse):
            nye |= await lager.nye_hendelser(conn, [(h.hendelse_id, h.sekvensnummer)])
    if deltaker_id not in fakta:
        fakta.update(await _fakta(conn, [deltaker_id]))
    return Sidegrunnlag(lest, g.kjente, frozenset(nye), fakta, g.dokumenter)


@dataclass(frozen=True)
class Feedoppsett:
    poll_interval: float = 5.0
    backoff_start: float = 1.0
    backoff_maks: float = 60.0
    # Called inside the page's transaction just before the pointer moves: a test raises here to crash mid-page.
    for_commit: Callable[[Side], None] | None = None


class Feedlytter:
    def __init__(self, kilde: Folkeregisterkilde, oppsett: Feedoppsett) -> None:
        self.kilde = kilde
        self.oppsett = oppsett
        self.siste_kildefeil: str | None = None
        self._pool: asyncpg.Pool | None = None
        self._vekk_relay: Callable[[], None] = lambda: None
        self._task: asyncio.Task[None] | None = None
        self._forhent: tuple[int, asyncio.Future[Side | None]] | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the feed is not started")
        return self._pool

    def vekk_relay(self) -> None:
        self._vekk_relay()

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
        """Read → decide (sidevurdering.vurder_side, pure) → save, the saving in one transaction with the
        pointer's move."""
        innslag = [i for i in side.innslag if not isinstance(i, UgyldigInnslag)]
        alle_identer = [ident for i in innslag for ident in i.identer]
        async with self.pool.acquire() as conn:
            kjente = await lager.deltakere_for(conn, alle_identer)
        # Only NIR's entries are parsed in full; person lookups happen before the transaction (no network
        # call while holding the pointer's lock).
        lest = {i.sekvensnummer: i.les() for i in innslag if deltaker_for(i.identer, kjente) is not None}
        dokumenter = await self._persondokumenter(lest.values())

        async with self.pool.acquire() as conn, conn.transaction():
            p = await lager.peker(conn, for_update=True)
            if p["neste_sekvensnummer"] != side.fra or p["gap_fra"] is not None:
                log.warning("feed pointer moved by someone else; page dropped", extra={"fra": side.fra})
                return
            kjente = await lager.deltakere_for(conn, alle_identer)
            forste = [h for h in lest.values() if isinstance(h, Feedhendelse)]
            nye = await lager.nye_hendelser(conn, [(h.hendelse_id, h.sekvensnummer) for h in forste])
            fakta = await _fakta(conn, [d for h in forste if (d := deltaker_for(identer_i(h), kjente))])
            grunnlag = Sidegrunnlag(lest, kjente, frozenset(nye), fakta, dokumenter)
            while (vurdering := vurder_side(side.innslag, grunnlag)).mangler is not None:
                grunnlag = await _les_mer(conn, grunnlag, *vurdering.mangler)
            for ident, deltaker_id in vurdering.nye_identer:
                await lager.kjenn_ident(conn, ident, deltaker_id)
            await lager.lagre_fakta(conn, vurdering.fakta)
            await outbox.enqueue(conn, vurdering.events)
            if self.oppsett.for_commit is not None:
                self.oppsett.for_commit(side)
            await lager.flytt_peker(conn, side.neste)
        self._fortell(vurdering)
        PEKER.set(side.neste)
        if vurdering.events:
            self.vekk_relay()

    async def _persondokumenter(
        self, lest: Iterable[Feedhendelse | UgyldigInnslag]
    ) -> dict[str, Persondokument | None]:
        """The person documents the page's hendelser need (personErOppdatert: «look again»), 16 at a time."""
        oppslag = [h for h in lest if isinstance(h, Feedhendelse) and trenger_persondokument(h)]
        dokumenter: dict[str, Persondokument | None] = {}
        for start in range(0, len(oppslag), 16):
            bolk = oppslag[start : start + 16]
            svar = await asyncio.gather(*(self.kilde.persondokument(h.ident) for h in bolk))
            for hendelse, doc in zip(bolk, svar, strict=True):
                dokumenter[hendelse.hendelse_id] = doc
        return dokumenter

    @staticmethod
    def _fortell(v: Sidevurdering) -> None:
        """Metrics and log lines of a saved page (after the commit: a rolled-back page is not counted)."""
        for i in v.ugyldige:
            log.error("unreadable feed entry skipped", extra={"sekvensnummer": i.sekvensnummer, "grunn": i.grunn})
        for post in v.logg:
            log.info(
                "folkeregister hendelse for deltaker",
                extra={
                    "sekvensnummer": post.sekvensnummer,
                    "hendelse_id": post.hendelse_id,
                    "deltaker_id": str(post.deltaker_id),
                    "hendelsestype": post.hendelsestype,
                    "regel": post.regel,
                    "utfall": post.utfall,
                },
            )
        for navn, n in v.tellere.items():
            HENDELSER.labels(navn).inc(n)
        for e in v.events:
            PUBLISERT.labels(e.type).inc()

    # -- the loop --------------------------------------------------------------------------------------------
    async def kjor(self) -> None:
        backoff = self.oppsett.backoff_start
        while True:
            try:
                resultat = await self.steg()
                self.siste_kildefeil = None
                backoff = self.oppsett.backoff_start
                if resultat != "side":
                    await asyncio.sleep(self.oppsett.poll_interval)
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
            backoff = min(backoff * 2, self.oppsett.backoff_maks)

    def start(self, pool: asyncpg.Pool, vekk_relay: Callable[[], None]) -> None:
        """Runs the loop on the service's pool; `vekk_relay` wakes the outbox relay after a page with events."""
        self._pool, self._vekk_relay = pool, vekk_relay
        self._task = asyncio.create_task(self.kjor(), name="folkeregister-feed")

    async def stop(self) -> None:
        if self._forhent is not None:
            self._forhent[1].cancel()
            self._forhent = None
        await cancel_and_wait(self._task)
        self._task = None

    async def status(self) -> dict[str, Any]:
        """For readiness: where the pointer is, and the gap when the feed answered 406 (then not ready)."""
        if self._pool is None:
            return {}
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
