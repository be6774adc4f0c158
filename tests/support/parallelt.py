"""Parallel calls made deterministic (issue #11): a gate holds, on a connection of its own, the lock the calls
of a wave need (a row, or a unique key being inserted), starts the calls, and lets go (without writing anything)
only once every one of them waits in PostgreSQL or has finished. Every round is then the worst case: all calls
queued behind one lock, each of them started before the first one commits. Nothing sleeps to synchronise: the
gate watches pg_stat_activity."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

Kall = Callable[[], Awaitable[Any]]
Hold = Callable[[asyncpg.Connection], Awaitable[Any]]


class Port:
    """The gate: one connection that holds locks in an open transaction, one that watches who waits."""

    def __init__(self, database_url: str, schema: str, timeout: float = 20.0) -> None:
        self.database_url = database_url
        self.schema = schema
        self.timeout = timeout

    async def __aenter__(self) -> Port:
        self.gate = await asyncpg.connect(self.database_url, server_settings={"search_path": self.schema})
        self.gate_pid = self.gate.get_server_pid()
        # pg_stat_activity is read once per transaction: the watcher runs each look in a transaction of its own.
        self.watcher = await asyncpg.connect(self.database_url)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.gate.close()
        await self.watcher.close()

    async def slipp(
        self, hold: Hold, kall: Sequence[Kall], *, forst: Sequence[Kall] = (), commit: bool = False
    ) -> tuple[list, list]:
        """Hold, start `forst` and wait until each of them waits for the gate, then start `kall` (queued behind
        the first ones: PostgreSQL gives a row lock to its waiters in turn) and wait until every call waits or
        is done; then roll the gate back (or commit what `hold` wrote: the gate is then «the previous holder»).
        Returns the answers (or exceptions) of `forst` and of `kall`."""
        tasks: list[asyncio.Future] = []
        alle_venter = False
        tx = self.gate.transaction()
        await tx.start()
        try:
            await hold(self.gate)
            tasks += [asyncio.ensure_future(k()) for k in forst]
            await self._alle_venter(tasks)
            tasks += [asyncio.ensure_future(k()) for k in kall]
            await self._alle_venter(tasks)
            alle_venter = True
        finally:
            await (tx.commit() if commit and alle_venter else tx.rollback())
            svar = await asyncio.gather(*tasks, return_exceptions=True)
        return svar[: len(forst)], svar[len(forst) :]

    async def _alle_venter(self, tasks: list[asyncio.Future]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            venter = await self.watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1"
                " AND cardinality(pg_blocking_pids(pid)) > 0",
                self.gate_pid,
            )
            ferdige = sum(t.done() for t in tasks)
            if venter + ferdige >= len(tasks):
                return
            if loop.time() > deadline:
                raise AssertionError(
                    f"only {venter} of {len(tasks)} calls wait in PostgreSQL ({ferdige} are done): "
                    "they do not queue on the lock the gate holds"
                )
            await asyncio.sleep(0.002)  # a look at pg_stat_activity, not a guess at how long anything takes
