"""The person page and its Avslutning section, as the seed's screens (§2–6): the table, «+ Legg til» with the
veiledningstekst and the hours when the code asks for them, the API's warning and «Er du sikker på at du vil
lagre?», «Vis detaljer» → «Rediger» / «Slett», «Vis all avslutningshistorikk».

Which view is open is in the query (legg_til, detaljer, rediger, slett, historikk): plain links, so every step
works without JavaScript. A refusal re-renders the page with the form as it was sent and the API's message at
its field. Each form carries its own Idempotency-Key (a double click stores once)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import visning
from services.web.apier import Svar
from services.web.felles import Feilside, Innlogget, apier, innlogget, side, skjema, videre

router = APIRouter(include_in_schema=False)
KODEVERK_SEKUNDER = 600
_kodeverk: dict[str, tuple[float, Any]] = {}


async def arsaker(inn: Innlogget, request: Request) -> list[dict[str, Any]]:
    """registrering's avslutningsårsaker (the kodeverk is part of the deployed code: cached a while)."""
    hit = _kodeverk.get("arsaker")
    if hit is None or hit[0] < time.monotonic():
        svar = await apier(request).registrering(inn.token, "GET", "/api/v1/kodeverk/avslutningsarsaker")
        if not svar.ok:
            raise Feilside(svar.status, "Kodeverket kunne ikke hentes", svar.melding)
        hit = (time.monotonic() + KODEVERK_SEKUNDER, svar.data)
        _kodeverk["arsaker"] = hit
    return hit[1]


def _ikke_funnet() -> Feilside:
    return Feilside(404, "Personen finnes ikke", "Finner ingen person med denne adressen i din kommune.")


async def hent_person(request: Request, inn: Innlogget, deltaker_id: UUID) -> dict[str, Any]:
    api = apier(request)
    base = f"/api/v1/deltakere/{deltaker_id}"
    # two gathers: typed for up to six awaitables each (seven in one would lose the types)
    (deltaker, vedtak, sluttmal, tiltak, frister, avslutninger), (fravaer, koder) = await asyncio.gather(
        asyncio.gather(
            api.registrering(inn.token, "GET", base),
            api.registrering(inn.token, "GET", f"{base}/vedtak"),
            api.registrering(inn.token, "GET", f"{base}/sluttmal"),
            api.registrering(inn.token, "GET", f"{base}/tiltak"),
            api.registrering(inn.token, "GET", f"{base}/frister"),
            api.registrering(inn.token, "GET", f"{base}/avslutninger"),
        ),
        asyncio.gather(api.registrering(inn.token, "GET", f"{base}/fravaer"), arsaker(inn, request)),
    )
    if deltaker.status == 404:
        raise _ikke_funnet()
    for svar in (deltaker, vedtak, sluttmal, tiltak, fravaer, avslutninger):
        if not svar.ok:
            raise Feilside(svar.status, "Personen kan ikke vises", svar.melding)
    return {
        "deltaker": deltaker.data,
        "vedtak": vedtak.data,
        "sluttmal": sluttmal.data,
        "tiltak": tiltak.data,
        "fravaer": fravaer.data,
        "frister": frister.data if frister.ok else None,
        "frister_melding": frister.melding,
        "avslutninger": avslutninger.data,
        "arsaker": koder,
        "kommunens_arsaker": [a for a in koder if a["kan_registreres_av_kommunen"]],
        "arsak_etter_kode": {a["kode"]: a for a in koder},
    }


def _kan_endre(inn: Innlogget, versjon: dict[str, Any], arsak_etter_kode: dict[str, Any]) -> tuple[bool, bool]:
    """Whether to offer «Rediger» and «Slett» for the current avslutning (DOMAIN.md §4 rules 5–6 as the
    kodeverk states them: the kommune's own, and Flyttet/Utvandret/Død whoever set them; the regelmotor's are
    deleted by the regelmotor). Only which buttons show: the API decides, and its refusal is shown."""
    if not inn.bruker.skriver or versjon["slettet"]:
        return False, False
    egen = versjon["kilde"] == "kommune"
    uansett = arsak_etter_kode.get(versjon["arsak"]["kode"], {}).get("redigerbar_uansett_kilde", False)
    return egen or uansett, egen


async def vis(
    request: Request,
    inn: Innlogget,
    deltaker_id: UUID,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    feltfeil: dict[str, str] | None = None,
    advarsel: str = "",
    melding: str = "",
    aapen: str | None = None,
    avslutning_id: str | None = None,
) -> Response:
    data = await hent_person(request, inn, deltaker_id)
    q = request.query_params
    gjeldende = data["avslutninger"]["gjeldende"]
    rediger_lov, slett_lov = _kan_endre(inn, gjeldende, data["arsak_etter_kode"]) if gjeldende else (False, False)
    aapen = aapen or next((v for v in ("legg_til", "rediger", "slett", "detaljer") if v in q), None)
    avslutning_id = avslutning_id or q.get(aapen or "", "") or None
    if aapen in ("rediger", "slett", "detaljer") and (gjeldende is None or avslutning_id != gjeldende["avslutning_id"]):
        aapen = None  # a stale link (the avslutning changed since): show the page as it is now
    if (
        (aapen == "legg_til" and not inn.bruker.skriver)
        or (aapen == "rediger" and not rediger_lov)
        or (aapen == "slett" and not slett_lov)
    ):
        aapen = None
    if form is None and aapen == "rediger":
        form = {
            "avslutningsdato": gjeldende["avslutningsdato"],
            "arsak": gjeldende["arsak"]["kode"],
            "timer_arbeid_per_uke": visning.timer(gjeldende["timer_arbeid_per_uke"]),
        }
    alle = q.get("historikk") == "alle"
    rader = data["avslutninger"]["historikk"] if alle else [gjeldende] if gjeldende else []
    return side(
        request,
        "person.html",
        status=status,
        inn=inn,
        tittel=_navn(data["deltaker"]),
        **data,
        alle=alle,
        rader=rader,
        gjeldende=gjeldende,
        rediger_lov=rediger_lov,
        slett_lov=slett_lov,
        aapen=aapen,
        form=form or {},
        feltfeil=feltfeil or {},
        advarsel=advarsel,
        melding=melding,
        lagret=q.get("lagret"),
        idempotency_key=(form or {}).get("idempotency_key") or str(uuid.uuid4()),
    )


def _navn(d: dict[str, Any]) -> str:
    return f"{d['fornavn']} {d['etternavn']}"


@router.get("/personer/{deltaker_id}")
async def person(deltaker_id: UUID, request: Request) -> Response:
    return await vis(request, await innlogget(request), deltaker_id)


def _avslutning_inn(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"arsak": form.get("arsak", ""), "avslutningsdato": form.get("avslutningsdato", "")}
    timer = visning.timer_til_api(form.get("timer_arbeid_per_uke", ""))
    if timer is not None:
        body["timer_arbeid_per_uke"] = timer
    return body


def _mangler(form: dict[str, str]) -> dict[str, str]:
    """An empty required field, named in Norwegian before the request goes out (the API would refuse it too, in
    its own words; these are the form's)."""
    feil = {}
    if not form.get("avslutningsdato"):
        feil["avslutningsdato"] = "Avslutningsdato må fylles ut"
    if not form.get("arsak"):
        feil["arsak"] = "Avslutningsårsak må velges"
    return feil


async def _lagre(request: Request, deltaker_id: UUID, avslutning_id: UUID | None) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    aapen = "rediger" if avslutning_id else "legg_til"
    aid = str(avslutning_id) if avslutning_id else None
    if feil := _mangler(form):
        return await vis(
            request, inn, deltaker_id, status=422, form=form, feltfeil=feil, aapen=aapen, avslutning_id=aid
        )
    sti = f"/api/v1/deltakere/{deltaker_id}/avslutninger" + (f"/{avslutning_id}" if avslutning_id else "")
    svar: Svar = await apier(request).registrering(
        inn.token,
        "PUT" if avslutning_id else "POST",
        sti,
        json=_avslutning_inn(form),
        params={"confirm": "true"} if form.get("bekreft") == "ja" else None,
        idempotency_key=form.get("idempotency_key") or None,
    )
    if svar.ok:
        return videre(f"/personer/{deltaker_id}?lagret={'endret' if avslutning_id else 'lagt_til'}")
    if svar.status == 404 and avslutning_id is None:
        raise _ikke_funnet()
    if svar.krever_bekreftelse:
        # the page asks «Er du sikker på at du vil lagre?» with its own buttons: show the API's warning up to
        # its own question (which goes on to tell an API client how to confirm)
        advarsel = svar.melding.split(" Er du sikker")[0]
        return await vis(
            request, inn, deltaker_id, status=409, form=form, advarsel=advarsel, aapen=aapen, avslutning_id=aid
        )
    feltfeil = svar.feltfeil()
    melding = feltfeil.pop("", "") if feltfeil else svar.melding
    return await vis(
        request,
        inn,
        deltaker_id,
        status=svar.status,
        form=form,
        feltfeil=feltfeil,
        melding=melding,
        aapen=aapen,
        avslutning_id=aid,
    )


@router.post("/personer/{deltaker_id}/avslutninger")
async def legg_til(deltaker_id: UUID, request: Request) -> Response:
    return await _lagre(request, deltaker_id, None)


@router.post("/personer/{deltaker_id}/avslutninger/{avslutning_id}")
async def rediger(deltaker_id: UUID, avslutning_id: UUID, request: Request) -> Response:
    return await _lagre(request, deltaker_id, avslutning_id)


@router.post("/personer/{deltaker_id}/avslutninger/{avslutning_id}/slett")
async def slett(deltaker_id: UUID, avslutning_id: UUID, request: Request) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    svar = await apier(request).registrering(
        inn.token,
        "DELETE",
        f"/api/v1/deltakere/{deltaker_id}/avslutninger/{avslutning_id}",
        idempotency_key=form.get("idempotency_key") or None,
    )
    if svar.ok:
        return videre(f"/personer/{deltaker_id}?lagret=slettet")
    return await vis(request, inn, deltaker_id, status=svar.status, melding=svar.melding)
