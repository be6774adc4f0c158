"""Personer: the kommune's persons. A search on DUF-nummer or fødselsnummer goes to registrering's /sok and opens
the person; a name search and the list pages come from rapport's read API (its report holds the persons with an
avslutning: «avsluttet»). Searches are POSTed: no identifier or name in a URL, a log or the browser's history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.felles import Feilside, apier, innlogget, side, skjema, videre

router = APIRouter(include_in_schema=False)
LOVER = ("integreringsloven", "introduksjonsloven")
PER_SIDE = 25


def _side(tekst: str) -> int:
    return int(tekst) if tekst.isascii() and tekst.isdigit() and 0 < len(tekst) <= 6 and int(tekst) > 0 else 1


async def _liste(request: Request, inn, *, lov: str, side_nr: int, navn: str = "") -> dict[str, Any]:
    api = apier(request)
    if navn:
        svar = await api.rapport(inn.token, "POST", f"/api/v1/rapport/{lov}/sok",
                                 json={"navn": navn, "side": side_nr, "per_side": PER_SIDE})
    else:
        svar = await api.rapport(inn.token, "GET", f"/api/v1/rapport/{lov}",
                                 params={"side": side_nr, "per_side": PER_SIDE})
    if svar.status == 422:
        return {"rader": [], "feltfeil": {"navn": "Navnet kan ikke brukes i søket"}}
    if not svar.ok:
        raise Feilside(svar.status, "Personlisten kan ikke vises", svar.melding)
    return {"liste": svar.data, "rader": svar.data["rader"]}


@router.get("/personer")
async def personer(request: Request) -> Response:
    inn = await innlogget(request)
    lov = request.query_params.get("lov", LOVER[0])
    lov = lov if lov in LOVER else LOVER[0]
    data = await _liste(request, inn, lov=lov, side_nr=_side(request.query_params.get("side", "1")))
    return side(request, "personer.html", inn=inn, tittel="Personer", lov=lov, lover=LOVER, form={}, **data)


@router.post("/personer")
async def sok(request: Request) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    lov = form.get("lov", LOVER[0]) if form.get("lov") in LOVER else LOVER[0]
    ident = form.get("ident", "").replace(" ", "")
    if ident:
        felt = "fodselsnummer" if len(ident) == 11 else "duf_nummer"
        svar = await apier(request).registrering(inn.token, "POST", "/api/v1/deltakere/sok", json={felt: ident})
        if svar.ok:
            return videre(f"/personer/{svar.data['deltaker_id']}")
        if svar.status == 422:
            feil = {"ident": "Skriv et DUF-nummer (12 siffer) eller et fødselsnummer (11 siffer)"}
        elif svar.status == 404:
            feil = {"ident": "Fant ingen person med dette DUF-nummeret eller fødselsnummeret i din kommune"}
        else:
            raise Feilside(svar.status, "Søket kunne ikke utføres", svar.melding)
        data = await _liste(request, inn, lov=lov, side_nr=1)
        return side(request, "personer.html", status=svar.status, inn=inn, tittel="Personer", lov=lov, lover=LOVER,
                    form=form, **{**data, "feltfeil": feil})
    navn = form.get("navn", "").strip()
    data = await _liste(request, inn, lov=lov, side_nr=_side(form.get("side", "1")), navn=navn)
    return side(request, "personer.html", inn=inn, tittel="Personer", lov=lov, lover=LOVER, form=form,
                navnesok=bool(navn), **data)
