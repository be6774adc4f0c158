"""The programme's facts on pages of their own, reached from the person page: «Legg til», «Rediger» and «Slett» for
vedtak and tiltak, «Legg til» and «Slett» for fravær (registrering has no PUT for it: a wrong one is deleted and
registered anew), «Legg til»/«Endre sluttmål» (a sluttmål is changed by registering the one in force from
now on: the one fastsatt last counts, DOMAIN.md §6) and the utdanningsbakgrunn that decides § 13 or § 14
(issue #13 §2). An API warning to confirm (the «hovedregel for personer under 25 år») is asked on the form
with «Ja»/«Avbryt», as the avslutning form asks DOMAIN.md §4 rule 4's. One way for all five: each is a `Fakta`
— its API path, its form fields, how a form becomes the API's body and a stored row becomes a form.

Pages work without JavaScript (the delete confirmation is a link's query); the API decides, and its field errors
are shown at the fields; each form carries its own Idempotency-Key (a double click stores once)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import visning
from services.web.apier import Svar
from services.web.felles import Feilside, Innlogget, apier, innlogget, side, skjema, videre
from shared.kodeverk.sluttmal import SLUTTMALNAVN
from shared.kodeverk.utdanning import UTDANNINGSNAVN
from shared.kodeverk.vedtak import FRAVAERSTYPENAVN, VEDTAKSTYPENAVN

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Felt:
    navn: str
    etikett: str
    type: str = "date"  # date, text, decimal, select
    paakrevd: bool = True
    hjelp: str = ""
    valg: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Fakta:
    sti: str  # the API's and the pages' path segment
    ubestemt: str  # «vedtak», «tiltak», «sluttmål»
    bestemt: str  # «vedtaket», …: the API's 404 names it so
    felter: tuple[Felt, ...]
    inn: Callable[[dict[str, str]], dict[str, Any]]  # form → the API's body
    ut: Callable[[dict[str, Any]], dict[str, str]]  # a stored row → the form
    id_felt: str | None = None  # None: no «Rediger»/«Slett» (sluttmål)
    endres: bool = True  # False: «Slett» only (fravær)
    # the API's field (the first part of a 422's loc) → the form's field
    feltkart: tuple[tuple[str, str], ...] = (("periode", "fra"),)


def _periode(form: dict[str, str]) -> dict[str, Any]:
    return {"fra": form.get("fra", ""), "til": form.get("til") or None}


VEDTAK = Fakta(
    sti="vedtak",
    ubestemt="vedtak",
    bestemt="vedtaket",
    id_felt="vedtak_id",
    felter=(
        Felt("vedtakstype", "Vedtakstype", "select", valg=tuple((k.value, n) for k, n in VEDTAKSTYPENAVN.items())),
        Felt("vedtaksdato", "Vedtaksdato"),
        Felt("fra", "Fra og med", hjelp="For permanent stans: datoen programmet stanses."),
        Felt("til", "Til og med", paakrevd=False, hjelp="Tom for vedtak uten sluttdato."),
    ),
    inn=lambda f: {"vedtakstype": f["vedtakstype"], "vedtaksdato": f["vedtaksdato"], "periode": _periode(f)},
    ut=lambda v: {
        "vedtakstype": v["vedtakstype"],
        "vedtaksdato": v["vedtaksdato"],
        "fra": v["periode"]["fra"],
        "til": v["periode"]["til"] or "",
    },
)
TILTAK = Fakta(
    sti="tiltak",
    ubestemt="tiltak",
    bestemt="tiltaket",
    id_felt="tiltak_id",
    felter=(
        Felt("tiltakskode", "Tiltak", "text", hjelp="Kommunens kode eller navn på tiltaket."),
        Felt("fra", "Fra og med"),
        Felt("til", "Til og med", paakrevd=False),
        Felt("timer_per_uke", "Timer per uke", "decimal", hjelp="F.eks. 22,5"),
    ),
    inn=lambda f: {
        "tiltakskode": f["tiltakskode"],
        "periode": _periode(f),
        "timer_per_uke": visning.timer_til_api(f["timer_per_uke"]) or "",
    },
    ut=lambda t: {
        "tiltakskode": t["tiltakskode"],
        "fra": t["periode"]["fra"],
        "til": t["periode"]["til"] or "",
        "timer_per_uke": visning.timer(t["timer_per_uke"]),
    },
)
SLUTTMAL = Fakta(
    sti="sluttmal",
    ubestemt="sluttmål",
    bestemt="sluttmålet",
    felter=(
        Felt("sluttmal", "Sluttmål", "select", valg=tuple((k.value, n) for k, n in SLUTTMALNAVN.items())),
        Felt("fastsatt_dato", "Fastsatt dato"),
    ),
    inn=lambda f: {"sluttmal": f["sluttmal"], "fastsatt_dato": f["fastsatt_dato"]},
    ut=lambda s: {"sluttmal": s["sluttmal"], "fastsatt_dato": s["fastsatt_dato"]},
)
FRAVAER = Fakta(
    sti="fravaer",
    ubestemt="fravær",
    bestemt="fraværet",
    id_felt="fravaer_id",
    endres=False,
    felter=(
        Felt(
            "fravaerstype",
            "Type fravær",
            "select",
            valg=tuple((k.value, n) for k, n in FRAVAERSTYPENAVN.items()),
            hjelp="Gyldig fravær kan forlenge gjennomføringsfristen.",
        ),
        Felt("fra", "Fra og med"),
        Felt("til", "Til og med", paakrevd=False),
    ),
    inn=lambda f: {"fravaerstype": f["fravaerstype"], "periode": _periode(f)},
    ut=lambda f: {"fravaerstype": f["fravaerstype"], "fra": f["periode"]["fra"], "til": f["periode"]["til"] or ""},
)
UTDANNINGSBAKGRUNN = Fakta(
    sti="utdanningsbakgrunn",
    ubestemt="utdanningsbakgrunn",
    bestemt="utdanningsbakgrunnen",
    felter=(
        Felt(
            "utdanningsbakgrunn",
            "Utdanningsbakgrunn",
            "select",
            hjelp="Avgjør om sluttmålet er etter integreringsloven § 13 eller § 14. Dokumentasjon kreves ikke.",
            valg=tuple((k.value, n) for k, n in UTDANNINGSNAVN.items()),
        ),
    ),
    inn=lambda f: {"utdanningsbakgrunn": f["utdanningsbakgrunn"]},
    ut=lambda d: {"utdanningsbakgrunn": d.get("utdanningsbakgrunn") or ""},
)
ALLE = {f.sti: f for f in (VEDTAK, TILTAK, SLUTTMAL, UTDANNINGSBAKGRUNN, FRAVAER)}


def _ikke_funnet(hva: str = "Personen finnes ikke") -> Feilside:
    return Feilside(404, hva, "Finner ingen person med denne adressen i din kommune.")


def _mangler(fakta: Fakta, form: dict[str, str]) -> dict[str, str]:
    """An empty required field, named in Norwegian before the request goes out."""
    return {
        f.navn: f"{f.etikett} må {'velges' if f.type == 'select' else 'fylles ut'}"
        for f in fakta.felter
        if f.paakrevd and not form.get(f.navn, "").strip()
    }


async def _vis(
    request: Request,
    inn: Innlogget,
    fakta: Fakta,
    deltaker_id: UUID,
    rad_id: UUID | None = None,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    feltfeil: dict[str, str] | None = None,
    melding: str = "",
    advarsel: str = "",
    slett: bool = False,
) -> Response:
    if not inn.bruker.skriver:
        raise Feilside(403, f"Du kan ikke endre {fakta.ubestemt}", "Brukeren din har lesetilgang i NIR.")
    api = apier(request)
    d = await api.registrering(inn.token, "GET", f"/api/v1/deltakere/{deltaker_id}")
    if d.status == 404:
        raise _ikke_funnet()
    if not d.ok:
        raise Feilside(d.status, "Personen kan ikke vises", d.melding)
    if rad_id is not None and form is None:
        liste = await api.registrering(inn.token, "GET", f"/api/v1/deltakere/{deltaker_id}/{fakta.sti}")
        if not liste.ok:
            raise Feilside(liste.status, "Personen kan ikke vises", liste.melding)
        rad = next((x for x in liste.data if x[fakta.id_felt or ""] == str(rad_id)), None)
        if rad is None:
            raise _ikke_funnet(f"{fakta.bestemt.capitalize()} finnes ikke")
        form = fakta.ut(rad)
    form = form or {}
    ny = rad_id is None
    slett = slett and not ny and fakta.id_felt is not None
    her = f"/personer/{deltaker_id}"
    return side(
        request,
        "fakta_skjema.html",
        status=status,
        inn=inn,
        tittel=f"{'Legg til' if ny else 'Slett' if slett else 'Rediger'} {fakta.ubestemt}",
        fakta=fakta,
        deltaker=d.data,
        her=her,
        handling=f"{her}/{fakta.sti}" + ("" if ny else f"/{rad_id}"),
        rad_id=rad_id,
        slett=slett,
        form=form,
        feltfeil=feltfeil or {},
        melding=melding,
        advarsel=advarsel,
        idempotency_key=form.get("idempotency_key") or str(uuid.uuid4()),
    )


def _feil(fakta: Fakta, svar: Svar) -> tuple[dict[str, str], str]:
    """The API's refusal: its field errors at the form's fields, anything else as the page's message."""
    feltfeil = svar.feltfeil()
    for api_felt, skjemafelt in fakta.feltkart:
        if api_felt in feltfeil:
            feltfeil.setdefault(skjemafelt, feltfeil.pop(api_felt))
    melding = feltfeil.pop("", "") if feltfeil else svar.melding
    if feltfeil and not any(f.navn in feltfeil for f in fakta.felter):
        melding, feltfeil = melding or next(iter(feltfeil.values())), {}
    return feltfeil, melding


async def _lagre(request: Request, fakta: Fakta, deltaker_id: UUID, rad_id: UUID | None) -> Response:
    inn = await innlogget(request)
    form = await skjema(request, inn)
    if feil := _mangler(fakta, form):
        return await _vis(request, inn, fakta, deltaker_id, rad_id, status=422, form=form, feltfeil=feil)
    sti = f"/api/v1/deltakere/{deltaker_id}/{fakta.sti}" + (f"/{rad_id}" if rad_id else "")
    svar = await apier(request).registrering(
        inn.token,
        "PUT" if rad_id else "POST",
        sti,
        json=fakta.inn(form),
        params={"confirm": "true"} if form.get("bekreft") == "ja" else None,
        idempotency_key=form.get("idempotency_key") or None,
    )
    if svar.ok:
        return videre(f"/personer/{deltaker_id}?lagret={fakta.sti}{'_endret' if rad_id else ''}#{fakta.sti}-tittel")
    if svar.status == 404 and rad_id is None:
        raise _ikke_funnet()
    if svar.krever_bekreftelse:
        # the form asks «Er du sikker på at du vil lagre?» with its own buttons: the API's warning up to its own
        # question (which goes on to tell an API client how to confirm)
        advarsel = svar.melding.split(" Er du sikker")[0]
        return await _vis(request, inn, fakta, deltaker_id, rad_id, status=409, form=form, advarsel=advarsel)
    feltfeil, melding = _feil(fakta, svar)
    return await _vis(
        request, inn, fakta, deltaker_id, rad_id, status=svar.status, form=form, feltfeil=feltfeil, melding=melding
    )


def _fakta(sti: str) -> Fakta:
    f = ALLE.get(sti)
    if f is None:
        raise Feilside(404, "Siden finnes ikke")
    return f


def _slettbar(sti: str) -> Fakta:
    f = _fakta(sti)
    if f.id_felt is None:
        raise Feilside(404, "Siden finnes ikke")
    return f


def _redigerbar(sti: str) -> Fakta:
    f = _slettbar(sti)
    if not f.endres:
        raise Feilside(404, "Siden finnes ikke")
    return f


@router.get("/personer/{deltaker_id}/{sti}/ny")
async def ny(deltaker_id: UUID, sti: str, request: Request) -> Response:
    return await _vis(request, await innlogget(request), _fakta(sti), deltaker_id)


@router.post("/personer/{deltaker_id}/{sti}")
async def legg_til(deltaker_id: UUID, sti: str, request: Request) -> Response:
    return await _lagre(request, _fakta(sti), deltaker_id, None)


@router.get("/personer/{deltaker_id}/{sti}/{rad_id}")
async def rediger(deltaker_id: UUID, sti: str, rad_id: UUID, request: Request) -> Response:
    fakta = _slettbar(sti)
    return await _vis(
        request,
        await innlogget(request),
        fakta,
        deltaker_id,
        rad_id,
        slett="slett" in request.query_params or not fakta.endres,
    )


@router.post("/personer/{deltaker_id}/{sti}/{rad_id}")
async def endre(deltaker_id: UUID, sti: str, rad_id: UUID, request: Request) -> Response:
    return await _lagre(request, _redigerbar(sti), deltaker_id, rad_id)


@router.post("/personer/{deltaker_id}/{sti}/{rad_id}/slett")
async def slett(deltaker_id: UUID, sti: str, rad_id: UUID, request: Request) -> Response:
    fakta = _slettbar(sti)
    inn = await innlogget(request)
    form = await skjema(request, inn)
    svar = await apier(request).registrering(
        inn.token,
        "DELETE",
        f"/api/v1/deltakere/{deltaker_id}/{fakta.sti}/{rad_id}",
        idempotency_key=form.get("idempotency_key") or None,
    )
    if svar.ok:
        return videre(f"/personer/{deltaker_id}?lagret={fakta.sti}_slettet#{fakta.sti}-tittel")
    if svar.status == 404:
        raise _ikke_funnet(f"{fakta.bestemt.capitalize()} finnes ikke")
    return await _vis(request, inn, fakta, deltaker_id, rad_id, status=svar.status, melding=svar.melding)
