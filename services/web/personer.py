"""Personer: NIR's personlister — the persons the user sees, in programme or avsluttet, from rapport's read API
(POST /api/v1/personer/sok), a page at a time, filtered by lov, status, kategori and bydel; a name search in the
same form. A DUF-nummer or fødselsnummer goes to registrering's /sok and opens the person. Every search is POSTed
(the paging of a name search too): no identifier or name in a URL, a log or the browser's history. The plain
list's links carry only lov, status, kategori, bydel and page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.felles import Bruker, Feilside, Innlogget, apier, innlogget, side, skjema, videre
from shared.kodeverk import geografi
from shared.kodeverk.kategorier import KATEGORINAVN

router = APIRouter(include_in_schema=False)
LOVER = {"": "Alle", "integreringsloven": "Integreringsloven", "introduksjonsloven": "Introduksjonsloven"}
STATUSER = {"alle": "Alle", "i_program": "I program", "avsluttet": "Avsluttet"}
KATEGORIER = {"": "Alle", **{k.value: navn for k, navn in KATEGORINAVN.items()}}
PER_SIDE = 25


def bydeler(bruker: Bruker) -> dict[str, str]:
    """The bydel choice: the bydeler of the user's kommune (Oslo's), none for a user limited to one bydel, for
    IMDi every bydel. Empty: no bydel filter on the page."""
    if bruker.bydelsnummer:
        return {}
    alle = sorted(geografi.bydeler().values(), key=lambda b: b.bydelsnummer)
    valgt = [b for b in alle if "IMDI" in bruker.roller or b.kommunenummer == bruker.kommunenummer]
    return {"": "Alle", **{b.bydelsnummer: b.navn for b in valgt}} if valgt else {}


def _side(tekst: str) -> int:
    return int(tekst) if tekst.isascii() and tekst.isdigit() and 0 < len(tekst) <= 6 and int(tekst) > 0 else 1


def _valg(verdier: dict[str, str], bruker: Bruker) -> dict[str, Any]:
    """The form's choices, lenient as a form is: an unknown choice is no filter."""
    return {
        "lov": verdier.get("lov", "") if verdier.get("lov", "") in LOVER else "",
        "status": verdier.get("status", "alle") if verdier.get("status") in STATUSER else "alle",
        "kategori": verdier.get("kategori", "") if verdier.get("kategori", "") in KATEGORIER else "",
        "bydel": verdier.get("bydel", "") if verdier.get("bydel", "") in bydeler(bruker) else "",
        "navn": verdier.get("navn", "").strip(),
        "side": _side(verdier.get("side", "1")),
    }


async def _vis(
    request: Request,
    inn: Innlogget,
    valg: dict[str, Any],
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    feltfeil: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"status": valg["status"], "side": valg["side"], "per_side": PER_SIDE}
    for k in ("lov", "kategori", "bydel"):
        if valg[k]:
            body[k] = valg[k]
    if valg["navn"]:
        body["navn"] = valg["navn"]
    svar = await apier(request).rapport(inn.token, "POST", "/api/v1/personer/sok", json=body)
    liste = svar.data if svar.ok else None
    if svar.status == 422:
        feltfeil = {**(feltfeil or {}), "navn": "Navnet kan ikke brukes i søket"}
        status = 422
    elif not svar.ok:
        raise Feilside(svar.status, "Personlisten kan ikke vises", svar.melding)
    return side(
        request,
        "personer.html",
        status=status,
        inn=inn,
        tittel="Personer",
        valg=valg,
        lover=LOVER,
        statuser=STATUSER,
        kategorier=KATEGORIER,
        bydeler=bydeler(inn.bruker),
        form=form or {},
        feltfeil=feltfeil or {},
        liste=liste,
        rader=liste["rader"] if liste else [],
    )


@router.get("/personer")
async def personer(request: Request) -> Response:
    inn = await innlogget(request)
    return await _vis(request, inn, {**_valg(dict(request.query_params), inn.bruker), "navn": ""})


@router.post("/personer")
async def sok(request: Request) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    valg = _valg(form, inn.bruker)
    ident = form.get("ident", "").replace(" ", "")
    if not ident:
        return await _vis(request, inn, valg, form=form)
    felt = "fodselsnummer" if len(ident) == 11 else "duf_nummer"
    svar = await apier(request).registrering(inn.token, "POST", "/api/v1/deltakere/sok", json={felt: ident})
    if svar.ok:
        return videre(f"/personer/{svar.data['deltaker_id']}")
    if svar.status == 422:
        feil = {"ident": "Skriv et DUF-nummer (12 siffer) eller et fødselsnummer (11 siffer)"}
    elif svar.status == 404:
        feil = {"ident": "Fant ingen person med dette DUF-nummeret eller fødselsnummeret"}
    else:
        raise Feilside(svar.status, "Søket kunne ikke utføres", svar.melding)
    return await _vis(request, inn, {**valg, "side": 1}, status=svar.status, form=form, feltfeil=feil)
