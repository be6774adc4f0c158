"""Arbeidsflate (the start page): what needs the caseworker now. The persons the regelmotor ended with
«Avslutningsårsak ikke registrert» (seed §1, §7–8: the kommune must register the right årsak), from rapport's read
API, each linking to the person."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.felles import Feilside, apier, innlogget, side

router = APIRouter(include_in_schema=False)
IKKE_REGISTRERT = "AVSLUTNINGSARSAK_IKKE_REGISTRERT"
LOVER = ("integreringsloven", "introduksjonsloven")
# the report's largest page: the worklist shows the first this many of each lov's regelmotor avslutninger
MAKS = 500


@router.get("/")
async def arbeidsflate(request: Request) -> Response:
    inn = await innlogget(request)
    svar = await asyncio.gather(
        *(
            apier(request).rapport(
                inn.token, "GET", f"/api/v1/rapport/{lov}", params={"registrert_av": "regelmotor", "per_side": MAKS}
            )
            for lov in LOVER
        )
    )
    for s in svar:
        if not s.ok:
            raise Feilside(s.status, "Arbeidsflaten kan ikke vises", s.melding)
    rader = [
        {**r, "lov": lov}
        for lov, s in zip(LOVER, svar, strict=True)
        for r in s.data["rader"]
        if r["arsak"] == IKKE_REGISTRERT
    ]
    flere = any(s.data["totalt"] > MAKS for s in svar)
    return side(request, "arbeidsflate.html", inn=inn, tittel="Arbeidsflate", rader=rader, flere=flere)
