"""Before a day tick is applied, let the fact consumers catch up: a tick read from its own topic must not
overtake facts that were recorded before it but still wait on another topic (after downtime, or in a
replay from the beginning, the few ticks are read long before the many facts). Without this, a deltaker
whose vedtak is still unread gets a computed avslutning that the vedtak then retracts.

Caught up = for every partition this process consumes, the committed offset (committed after the handler
finished) has reached the end offset as it was when we started waiting. Bounded: after `maks_sekunder`
the tick is applied anyway (the outcome is still right, only transient events may appear)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)


async def _etterslep(subscribers: Sequence[Any], maal: dict) -> tuple[int, dict]:
    rest = 0
    for sub in subscribers:
        consumer = getattr(sub, "consumer", None)
        if consumer is None:
            continue
        partisjoner = list(consumer.assignment())
        if not partisjoner:
            continue
        if id(sub) not in maal:
            maal[id(sub)] = await consumer.end_offsets(partisjoner)
        for tp in partisjoner:
            slutt = maal[id(sub)].get(tp)
            if slutt is None:
                continue
            committed = await consumer.committed(tp) or 0
            rest += max(slutt - committed, 0)
    return rest, maal


async def vent_pa_fakta(subscribers: Sequence[Any], maks_sekunder: float = 60.0) -> int:
    """Wait until the fact consumers have processed what was on their topics when the tick came; returns
    the records still behind when it stopped waiting (0 when caught up)."""
    loop = asyncio.get_running_loop()
    frist = loop.time() + maks_sekunder
    maal: dict = {}
    while True:
        try:
            rest, maal = await _etterslep(subscribers, maal)
        except Exception as exc:  # noqa: BLE001 - a broker hiccup must not hold the clock back
            log.warning("could not read consumer lag; applying the tick", extra={"error": type(exc).__name__})
            return -1
        if rest == 0 or loop.time() > frist:
            if rest:
                log.warning("fact consumers still behind; applying the tick", extra={"records_behind": rest})
            return rest
        await asyncio.sleep(0.2)
