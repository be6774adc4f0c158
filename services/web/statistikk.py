"""Statistikk (issue #17 §1; seed imdi-resultater-introduksjonsordningen-2007 Tabell 2, «Tid i programmet», Figur
5–9): måloppnåelse per year and lov over a period (år fra–til), from rapport's GET /api/v1/statistikk/{lov} with
the user's token. rapport decides what the user may see and what is prikket (services/rapport/statistikk.py):
a kommune its fylke and the whole country beside itself, an Oslo bydel Oslo beside itself, IMDi every level.
This module only arranges the answer for the page and draws the charts (figurer.py); a prikket line or code
is shown as «:» with the explanation on the page, never as a number."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import figurer
from services.web.apier import Svar
from services.web.felles import Feilside, Innlogget, apier, innlogget, side

router = APIRouter(include_in_schema=False)
LOVER = {"integreringsloven": "Integreringsloven", "introduksjonsloven": "Introduksjonsloven"}
FORSTE_AAR = 2004  # introduksjonsloven in force 1 September 2004: no avslutning before
PRIKK = ":"  # SSB's and IMDi's mark for a figure that may not be published
GRUPPER = (
    "Arbeid",
    "Arbeid og utdanning",
    "Utdanning – høy/fagskole",
    "Utdanning - Vgo",
    "Annet",
    "Inngår ikke i tallgrunnlaget for måloppnåelse",
)


def _lov(lov: str) -> str:
    if lov not in LOVER:
        raise Feilside(404, "Siden finnes ikke")
    return lov


def _aar(verdi: str | None) -> int | None:
    v = (verdi or "").strip()
    return int(v) if v.isdigit() and len(v) == 4 else None


def _fordeling(linje: dict[str, Any]) -> list[float]:
    """A line's avsluttede per måloppnåelse group as shares of all its avsluttede (GRUPPER's order)."""
    tall = [linje["grupper"].get(g, 0) for g in GRUPPER]
    totalt = sum(tall)
    return [t / totalt if totalt else 0.0 for t in tall]


def aaret(aar: dict[str, Any], egne_linjer: list[str]) -> dict[str, Any]:
    """One year of the API's answer as the page shows it: the lines (with their depth for the indent), the chart
    of andel i jobb eller utdanning per fylke, and the sluttårsak distribution of the country and the user's own
    lines (its fylke, kommune or bydel)."""
    linjer = aar["linjer"]
    etter_id = {linje["id"]: linje for linje in linjer}

    def dybde(linje: dict[str, Any]) -> int:
        d, f = 0, linje["forelder"]
        while f is not None and f in etter_id:
            d, f = d + 1, etter_id[f]["forelder"]
        return d

    landet = etter_id.get("landet")
    nasjonal = None if landet is None or landet["prikket"] else landet["andel_i_jobb_eller_utdanning"]
    fylker = [
        (linje["navn"], linje["andel_i_jobb_eller_utdanning"])
        for linje in linjer
        if linje["nivaa"] == "fylke" and not linje["prikket"] and linje["andel_i_jobb_eller_utdanning"] is not None
    ]
    fordelt = [etter_id[i] for i in ("landet", *egne_linjer) if i in etter_id and not etter_id[i]["prikket"]]
    serier = [(linje["navn"], _fordeling(linje)) for linje in fordelt]
    return dict(
        aar=aar["aar"],
        linjer=[dict(linje, dybde=dybde(linje)) for linje in linjer],
        fylkesfigur=figurer.andel_per_fylke(fylker, nasjonal) if fylker else None,
        fylker=fylker,
        nasjonal=nasjonal,
        fordelingsfigur=figurer.sluttarsak(GRUPPER, serier) if serier else None,
        fordeling=[
            dict(navn=linje["navn"], grupper=linje["grupper"], andeler=andeler)
            for linje, (_, andeler) in zip(fordelt, serier, strict=True)
        ],
        koder=aar["koder"],
    )


def egne_linjer(inn: Innlogget) -> list[str]:
    """The user's own lines for the distribution chart: its kommune's fylke and kommune, or its bydel; none for
    IMDi (it compares fylker in the first chart)."""
    b = inn.bruker
    if "IMDI" in b.roller or not b.kommunenummer:
        return []
    ut = [f"fylke:{b.kommunenummer[:2]}", f"kommune:{b.kommunenummer}"]
    return [*ut, f"bydel:{b.bydelsnummer}"] if b.bydelsnummer else ut


FELTNAVN = {"fra_aar": "Fra år", "til_aar": "Til år"}


def periodefeil(svar: Svar) -> str:
    """rapport's refusal of the period (a problem's `feil`, services/plumbing/problem.py) in the page's words:
    the field by its label."""
    deler = [f"{FELTNAVN.get(felt, 'Perioden')}: {melding}" for felt, melding in svar.feltfeil().items()]
    if not deler:
        return svar.melding or "Perioden kan ikke brukes."
    tekst = "; ".join(deler)
    for k, navn in FELTNAVN.items():
        tekst = tekst.replace(k, navn.lower())
    return tekst + "."


@router.get("/statistikk")
async def statistikk_start(request: Request) -> Response:
    await innlogget(request)
    return Response(status_code=303, headers={"Location": "/statistikk/integreringsloven"})


@router.get("/statistikk/{lov}")
async def statistikk(request: Request, lov: str) -> Response:
    inn = await innlogget(request)
    lov = _lov(lov)
    q = request.query_params
    fra, til = _aar(q.get("fra_aar")), _aar(q.get("til_aar"))
    feil = ""
    if (q.get("fra_aar") and fra is None) or (q.get("til_aar") and til is None):
        feil = "Velg årene fra listen (fire sifre)."
    params = {k: v for k, v in (("fra_aar", fra), ("til_aar", til)) if v is not None}
    svar = await apier(request).rapport(inn.token, "GET", f"/api/v1/statistikk/{lov}", params=params)
    if not svar.ok and svar.status not in (400, 422):
        raise Feilside(svar.status, "Statistikken kan ikke vises", svar.melding)
    if not svar.ok:
        feil = periodefeil(svar)
    data = svar.data if svar.ok else None
    egne = egne_linjer(inn)
    return side(
        request,
        "statistikk.html",
        status=200 if svar.ok and not feil else 422,
        inn=inn,
        tittel=f"Statistikk – {LOVER[lov]}",
        lov=lov,
        lover=LOVER,
        aarvalg=list(range(date.today().year, FORSTE_AAR - 1, -1)),
        fra_aar=data["fra_aar"] if data else fra,
        til_aar=data["til_aar"] if data else til,
        terskel=data["terskel"] if data else None,
        aarene=[aaret(a, egne) for a in data["aar"]] if data else [],
        feil=feil,
        prikk=PRIKK,
        grupper=GRUPPER,
    )
