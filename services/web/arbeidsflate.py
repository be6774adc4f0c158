"""Arbeidsflate (the start page): what needs the caseworker now, each line linking to the person.

- The persons the regelmotor ended with «Avslutningsårsak ikke registrert» (seed §1, §7–8: the kommune must
  register the right årsak): rapport's `GET /api/v1/avslutningsarsak-ikke-registrert`.
- Gjennomføringsfrister passing in the next 30, 60 or 90 days (persons in programme), and oppstartsfrister
  passing without vedtak om program and sluttmål (seed §12 «Utgått oppstartsfrist»): rapport's
  `GET /api/v1/frister/{gjennomforing|oppstart}`.
- «Flyttet», «Utvandret» and «Død» the regelmotor registered from the Folkeregister since the caseworker's
  previous visit (lager.forrige_besok): rapport's `GET /api/v1/folkeregisteravslutninger`.

Which window and page each list shows is in the query (plain links, no JavaScript)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.apier import Svar
from services.web.felles import Feilside, apier, innlogget, side
from services.web.lager import forrige_besok

router = APIRouter(include_in_schema=False)
VINDUER = (30, 60, 90)
PER_SIDE = 10
IKKE_REGISTRERT_PER_SIDE = 25
# the first visit: what the Folkeregister brought in this many days
FORSTE_BESOK_DAGER = 30


def _tall(tekst: str | None, tillatt: tuple[int, ...] | None = None, standard: int = 1) -> int:
    """A query value as a number, lenient as a link is: anything else is the default."""
    if not tekst or not tekst.isascii() or not tekst.isdigit() or len(tekst) > 6:
        return standard
    n = int(tekst)
    if tillatt is not None:
        return n if n in tillatt else standard
    return n if n >= 1 else standard


def _valg(q: dict[str, str]) -> dict[str, int]:
    return {
        "gjennomforing": _tall(q.get("gjennomforing"), VINDUER, 30),
        "gside": _tall(q.get("gside")),
        "oppstart": _tall(q.get("oppstart"), VINDUER, 30),
        "oside": _tall(q.get("oside")),
        "fside": _tall(q.get("fside")),
        "iside": _tall(q.get("iside")),
    }


def lenke(valg: dict[str, int], anker: str, **endre: int) -> str:
    """The Arbeidsflate's address with `endre` changed (a new window starts at page 1)."""
    ny = {**valg, **endre}
    if "gjennomforing" in endre:
        ny["gside"] = 1
    if "oppstart" in endre:
        ny["oside"] = 1
    return "/?" + urlencode({k: v for k, v in ny.items() if v != _valg({})[k]}) + f"#{anker}"


def _krev(s: Svar) -> Any:
    if not s.ok:
        raise Feilside(s.status, "Arbeidsflaten kan ikke vises", s.melding)
    return s.data


@router.get("/")
async def arbeidsflate(request: Request) -> Response:
    inn = await innlogget(request)
    valg = _valg(dict(request.query_params))
    forrige = await forrige_besok(request.app.state.pool, inn.bruker.ident, inn.sesjon.id)
    siden = forrige or datetime.now(UTC) - timedelta(days=FORSTE_BESOK_DAGER)
    api = apier(request)
    ikke_registrert, gjennomforing, oppstart, folkeregister = await asyncio.gather(
        api.rapport(
            inn.token,
            "GET",
            "/api/v1/avslutningsarsak-ikke-registrert",
            params={"side": valg["iside"], "per_side": IKKE_REGISTRERT_PER_SIDE},
        ),
        api.rapport(
            inn.token,
            "GET",
            "/api/v1/frister/gjennomforing",
            params={"dager": valg["gjennomforing"], "side": valg["gside"], "per_side": PER_SIDE},
        ),
        api.rapport(
            inn.token,
            "GET",
            "/api/v1/frister/oppstart",
            params={"dager": valg["oppstart"], "side": valg["oside"], "per_side": PER_SIDE},
        ),
        api.rapport(
            inn.token,
            "GET",
            "/api/v1/folkeregisteravslutninger",
            params={"siden": siden.isoformat(), "side": valg["fside"], "per_side": PER_SIDE},
        ),
    )
    return side(
        request,
        "arbeidsflate.html",
        inn=inn,
        tittel="Arbeidsflate",
        ikke_registrert=_krev(ikke_registrert),
        valg=valg,
        vinduer=VINDUER,
        lenke=lenke,
        gjennomforing=_krev(gjennomforing),
        oppstart=_krev(oppstart),
        folkeregister=_krev(folkeregister),
        forrige=forrige,
        forste_besok_dager=FORSTE_BESOK_DAGER,
    )
