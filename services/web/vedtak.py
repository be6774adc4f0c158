"""«Legg til vedtak» on the person page: vedtak om deltakelse, forlengelse, permisjon and permanent stans
(seed §3, the Bærum example, registers a vedtak om permanent stans before the avslutning). A page of its own,
so it works without JavaScript; the API decides and its field errors are shown at the fields."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.felles import Feilside, Innlogget, apier, innlogget, side, skjema, videre
from shared.kodeverk.vedtak import VEDTAKSTYPENAVN

router = APIRouter(include_in_schema=False)
FELT = ("vedtakstype", "vedtaksdato", "fra", "til")


def _ikke_funnet() -> Feilside:
    return Feilside(404, "Personen finnes ikke", "Finner ingen person med denne adressen i din kommune.")


async def _vis(
    request: Request,
    inn: Innlogget,
    deltaker_id: UUID,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    feltfeil: dict[str, str] | None = None,
    melding: str = "",
) -> Response:
    if not inn.bruker.skriver:
        raise Feilside(403, "Du kan ikke registrere vedtak", "Brukeren din har lesetilgang i NIR.")
    d = await apier(request).registrering(inn.token, "GET", f"/api/v1/deltakere/{deltaker_id}")
    if d.status == 404:
        raise _ikke_funnet()
    if not d.ok:
        raise Feilside(d.status, "Personen kan ikke vises", d.melding)
    form = form or {}
    return side(
        request,
        "vedtak_skjema.html",
        status=status,
        inn=inn,
        tittel="Legg til vedtak",
        deltaker=d.data,
        her=f"/personer/{deltaker_id}",
        typer=list(VEDTAKSTYPENAVN.items()),
        form=form,
        feltfeil=feltfeil or {},
        melding=melding,
        idempotency_key=form.get("idempotency_key") or str(uuid.uuid4()),
    )


@router.get("/personer/{deltaker_id}/vedtak/ny")
async def nytt(deltaker_id: UUID, request: Request) -> Response:
    return await _vis(request, await innlogget(request), deltaker_id)


def _mangler(form: dict[str, str]) -> dict[str, str]:
    feil = {}
    if not form.get("vedtakstype"):
        feil["vedtakstype"] = "Vedtakstype må velges"
    if not form.get("vedtaksdato"):
        feil["vedtaksdato"] = "Vedtaksdato må fylles ut"
    if not form.get("fra"):
        feil["fra"] = "Fra og med må fylles ut"
    return feil


def _inn(form: dict[str, str]) -> dict[str, Any]:
    return {
        "vedtakstype": form["vedtakstype"],
        "vedtaksdato": form["vedtaksdato"],
        "periode": {"fra": form["fra"], "til": form.get("til") or None},
    }


@router.post("/personer/{deltaker_id}/vedtak")
async def lagre(deltaker_id: UUID, request: Request) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    if feil := _mangler(form):
        return await _vis(request, inn, deltaker_id, status=422, form=form, feltfeil=feil)
    svar = await apier(request).registrering(
        inn.token,
        "POST",
        f"/api/v1/deltakere/{deltaker_id}/vedtak",
        json=_inn(form),
        idempotency_key=form.get("idempotency_key") or None,
    )
    if svar.ok:
        return videre(f"/personer/{deltaker_id}?lagret=vedtak")
    if svar.status == 404:
        raise _ikke_funnet()
    feltfeil = svar.feltfeil()
    if "periode" in feltfeil:  # the API's periode.fra / periode.til: the form's two date fields
        feltfeil.setdefault("fra", feltfeil.pop("periode"))
    melding = feltfeil.pop("", "") if feltfeil else svar.melding
    return await _vis(request, inn, deltaker_id, status=svar.status, form=form, feltfeil=feltfeil, melding=melding)
