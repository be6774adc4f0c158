"""Rapporter (seed §7–9): the avslutning report from rapport's API, a page at a time, sorted by the column whose
heading was chosen (again: the other way). Plain filters by GET (a report can be bookmarked); a DUF-nummer or
name search is POSTed and never in a URL — its sorting, paging and downloads are small POST forms carrying the
search. «Last ned til Excel» and «Last ned CSV» stream rapport's file through with its filename and content type;
nothing is stored here."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask

from services.web.apier import IkkeInnlogget
from services.web.felles import Feilside, Innlogget, apier, innlogget, side, skjema

router = APIRouter(include_in_schema=False)
LOVER = {"integreringsloven": "Integreringsloven", "introduksjonsloven": "Introduksjonsloven"}
# the GET filters rapport accepts in a URL: none identifies a person
FILTRE = ("oppfolgingskommune", "bydel", "kategori", "avslutningsaar", "registrert_av", "side", "sorter", "retning")
# the table's columns (seed §7) by rapport's sort keys
KOLONNER = (
    ("duf_nummer", "DUF-nummer"),
    ("fornavn", "Fornavn"),
    ("etternavn", "Etternavn"),
    ("kategori", "Kategori"),
    ("sluttmal", "Sluttmål"),
    ("avslutningsarsak", "Avslutningsårsak"),
    ("avslutningsdato", "Avslutningsdato"),
)
STANDARD_SORTERING = "etternavn"


def sortering(filtre: dict[str, str], kolonne: str) -> dict[str, str]:
    """The filters sorted by `kolonne`: ascending, or the other way when it is the current sort; from page 1."""
    naa = filtre.get("sorter", STANDARD_SORTERING)
    retning = "synkende" if naa == kolonne and filtre.get("retning", "stigende") == "stigende" else "stigende"
    return {**{k: v for k, v in filtre.items() if k != "side"}, "sorter": kolonne, "retning": retning}


def aria_sort(filtre: dict[str, str], kolonne: str) -> str | None:
    if filtre.get("sorter", STANDARD_SORTERING) != kolonne:
        return None
    return "descending" if filtre.get("retning") == "synkende" else "ascending"


def _lov(lov: str) -> str:
    if lov not in LOVER:
        raise Feilside(404, "Siden finnes ikke")
    return lov


def _filtre(verdier: dict[str, str]) -> dict[str, str]:
    return {k: verdier[k].strip() for k in FILTRE if verdier.get(k, "").strip()}


def _sokebody(filtre: dict[str, str], sok: dict[str, str]) -> dict[str, Any]:
    """The search as rapport's POST body (JSON numbers where it wants numbers)."""
    body: dict[str, Any] = {k: v for k, v in filtre.items() if k not in ("side", "avslutningsaar")}
    for k in ("side", "avslutningsaar"):
        if filtre.get(k, "").isdigit() and len(filtre[k]) <= 7:
            body[k] = int(filtre[k])
    return {**body, **sok}


def _funn(form: dict[str, str]) -> dict[str, str]:
    return {k: form[k].strip() for k in ("duf_nummer", "navn") if form.get(k, "").strip()}


async def _vis(request: Request, inn: Innlogget, lov: str, filtre: dict[str, str], sok: dict[str, str]) -> Response:
    if sok:
        svar = await apier(request).rapport(
            inn.token, "POST", f"/api/v1/rapport/{lov}/sok", json=_sokebody(filtre, sok)
        )
    else:
        svar = await apier(request).rapport(inn.token, "GET", f"/api/v1/rapport/{lov}", params=filtre)
    valg = await apier(request).rapport(inn.token, "GET", f"/api/v1/rapport/{lov}/filtervalg")
    if not svar.ok and svar.status not in (400, 422):
        raise Feilside(svar.status, "Rapporten kan ikke vises", svar.melding)
    return side(
        request,
        "rapporter.html",
        status=200 if svar.ok else 422,
        inn=inn,
        tittel=f"Rapport – {LOVER[lov]}",
        lov=lov,
        lover=LOVER,
        filtre=filtre,
        sok=sok,
        filtervalg=valg.data if valg.ok else {},
        feil="" if svar.ok else "Filteret kan ikke brukes. Sjekk feltene og prøv igjen.",
        rapport=svar.data if svar.ok else None,
        kolonner=KOLONNER,
        sortering=sortering,
        aria_sort=aria_sort,
    )


@router.get("/rapporter")
async def rapporter(request: Request) -> Response:
    await innlogget(request)
    return Response(status_code=303, headers={"Location": "/rapporter/integreringsloven"})


@router.get("/rapporter/{lov}")
async def rapport(request: Request, lov: str) -> Response:
    inn = await innlogget(request)
    return await _vis(request, inn, _lov(lov), _filtre(dict(request.query_params)), {})


@router.post("/rapporter/{lov}")
async def sok(request: Request, lov: str) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    return await _vis(request, inn, _lov(lov), _filtre(form), _funn(form))


def _format(format: str) -> str:
    if format not in ("xlsx", "csv"):
        raise Feilside(404, "Siden finnes ikke")
    return format


@router.get("/rapporter/{lov}/{format}")
async def last_ned(request: Request, lov: str, format: str) -> Response:
    """The file for the plain filters, streamed from rapport as it comes, with the user's token."""
    inn = await innlogget(request)
    a = apier(request)
    params = {k: v for k, v in _filtre(dict(request.query_params)).items() if k != "side"}
    req = a.http.build_request(
        "GET",
        f"{a.rapport_url}/api/v1/rapport/{_lov(lov)}/{_format(format)}",
        params=params,
        headers={"Authorization": f"Bearer {inn.token}"},
    )
    return await _strom(request, req)


@router.post("/rapporter/{lov}/{format}")
async def last_ned_sok(request: Request, lov: str, format: str) -> Response:
    """The file for a DUF-nummer or name search: POSTed (with the CSRF token) to here and on to rapport's POST
    …/{format}, so the search stays out of every URL."""
    inn = await innlogget(request)
    form = await skjema(request, inn)
    a = apier(request)
    body = {k: v for k, v in _sokebody(_filtre(form), _funn(form)).items() if k != "side"}
    req = a.http.build_request(
        "POST",
        f"{a.rapport_url}/api/v1/rapport/{_lov(lov)}/{_format(format)}",
        json=body,
        headers={"Authorization": f"Bearer {inn.token}"},
    )
    return await _strom(request, req)


async def _strom(request: Request, req: httpx.Request) -> Response:
    a = apier(request)
    r = await a.http.send(req, stream=True)
    if r.status_code == 401:
        await r.aclose()
        raise IkkeInnlogget()
    if r.status_code != 200:
        await r.aclose()
        raise Feilside(r.status_code if r.status_code < 500 else 503, "Filen kan ikke lastes ned")
    hoder = {k: r.headers[k] for k in ("content-disposition",) if k in r.headers}
    return StreamingResponse(
        r.aiter_bytes(), media_type=r.headers.get("content-type"), headers=hoder, background=BackgroundTask(r.aclose)
    )
