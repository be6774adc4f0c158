"""The web page for caseworkers, server-rendered in Norwegian, no build step and no script needed.

These pages move to the caseworkers' web application (services/web, issue #14 §2), which logs users in at the
OIDC provider. Until then they take the user's access token from an HttpOnly cookie (SameSite=Strict) that
something else has set — the web application on the same site, or a test with a token from the provider — and
verify it as the API does (services/plumbing/auth.py). There is no login form here any more: /rapport/logg-inn
says where to log in. The JSON API itself only accepts the Authorization header.

A search on DUF-nummer or name is posted (the filter form, and the paging, sorting and CSV buttons of such a
result), never put in a URL: URLs end up in access logs and browser history. Without those two filters the
links are plain GET links, so a report can be bookmarked. CSRF on the cookie-authenticated POSTs: the cookie
is SameSite=Strict (a cross-site form does not carry it), and a POST whose Origin is another host is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from html import escape
from typing import Annotated, cast
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.plumbing.auth import Bruker, IngenTilgang, Uautentisert, Utilgjengelig, bruker_for
from services.rapport import api
from services.rapport.domain import dato_no, prosent_no
from services.rapport.lager import sporringer
from shared.kodeverk.kategorier import KATEGORINAVN, LOVNAVN, Lov

COOKIE = "nir_rapport_token"

CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:0;color:#1a1a1a}
header{background:#1d3557;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.3rem 1.5rem;align-items:center}
header a{color:#fff} main{padding:1rem 1.5rem} h1{overflow-wrap:break-word}
form.filter{display:grid;grid-template-columns:repeat(4,minmax(12rem,1fr));gap:.6rem 1rem;margin-bottom:1rem}
@media (max-width:60rem){form.filter{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media (max-width:30rem){form.filter{grid-template-columns:minmax(0,1fr)} h1{font-size:1.5rem}}
label select,label input{min-width:0}
.tabell{overflow-x:auto}
label{display:flex;flex-direction:column;font-size:.85rem;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left}
th a{color:inherit} .linjer{margin:.6rem 0} nav.sider span{margin-right:.5rem} .knapp{display:inline-block;background:#2a7a3b;color:#fff;padding:.4rem .8rem;border-radius:4px;text-decoration:none}
.slettet{font-style:italic;color:#666} nav.sider a,nav.sider form{margin-right:.5rem} .feil{color:#a00}
form.lenke{display:inline;margin:0} form.lenke button{background:none;border:none;padding:0;font:inherit;color:inherit;
text-decoration:underline;cursor:pointer} form.lenke button.knapp{background:#2a7a3b;color:#fff;padding:.4rem .8rem;text-decoration:none}
"""
FILTERFELT = ("oppfolgingskommune", "bydel", "kategori", "avslutningsaar", "registrert_av", "duf_nummer", "navn")


def _aarstall(tekst: str) -> bool:
    """A four-digit year in ASCII digits (str.isdigit accepts «²» and other scripts' digits)."""
    return len(tekst) == 4 and tekst.isascii() and tekst.isdigit()


def html(tittel: str, innhold: str, bruker: Bruker | None = None) -> HTMLResponse:
    meny = ""
    if bruker is not None:
        hvem = (
            "IMDi"
            if bruker.imdi
            else f"bydel {bruker.bydelsnummer}"
            if bruker.bydelsnummer
            else f"kommune {bruker.kommunenummer}"
        )
        meny = (
            f'<a href="/rapport/integreringsloven">Rapporter - Integreringsloven</a>'
            f'<a href="/rapport/introduksjonsloven">Rapporter - Introduksjonsloven</a>'
            f'<a href="/rapport/maaloppnaaelse">Måloppnåelse</a>'
            f'<span>{escape(bruker.brukerident)} ({escape(hvem)})</span><a href="/rapport/logg-ut">Logg ut</a>'
        )
    return HTMLResponse(f"""<!doctype html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(tittel)} – NIR</title>
<style>{CSS}</style></head><body><header><strong>IMDi NIR</strong>{meny}</header>
<main><h1>{escape(tittel)}</h1>{innhold}</main></body></html>""")


def rullbar(tabell: str, navn: str) -> str:
    """A wide table scrolls sideways in a box of its own at 360 px, so the page itself does not (WCAG 1.4.10);
    the box takes keyboard focus so it can be scrolled without a mouse (2.1.1), and is named for screen readers."""
    return f'<div class="tabell" role="region" aria-label="{escape(navn)}" tabindex="0">{tabell}</div>'


async def innlogget(request: Request) -> Bruker | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return bruker_for(await request.app.state.token_verifier.verify(token), request)
    except (Uautentisert, IngenTilgang, Utilgjengelig, HTTPException):
        return None


def til_innlogging() -> RedirectResponse:
    return RedirectResponse("/rapport/logg-inn", status_code=303)


def samme_opphav(request: Request) -> None:
    """CSRF guard for the cookie-authenticated POSTs, besides the SameSite=Strict cookie (which a same-site
    neighbour, another host under the same domain, still gets): a browser names the page that sent a POST in
    Origin; refuse one from another host (or «null»). A request without Origin is no browser's form post."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    # behind an ingress the browser's host is Host (kept by ingress-nginx) or X-Forwarded-Host; a cross-site
    # form cannot set either header, so trusting them here gives a forger nothing
    vert = (request.headers.get("x-forwarded-host") or request.headers.get("host", "")).split(",")[0].strip()
    if urlsplit(origin).netloc.lower() != vert.lower():
        raise HTTPException(403, "forespørselen kommer fra en annen side (Origin)")


async def skjemadata(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as {name: first value} (python-multipart is not a dependency,
    and the forms here send nothing else)."""
    return {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}


def _heltall(tekst: str, standard: int) -> int:
    return int(tekst) if tekst.isascii() and tekst.isdigit() and 0 < len(tekst) <= 7 and int(tekst) >= 1 else standard


def _retning(tekst: str) -> sporringer.Retning:
    return "synkende" if tekst == "synkende" else "stigende"


def _filter(lov: Lov, verdier: dict[str, str]) -> sporringer.Filter:
    """The page's filter, lenient as a form is: an unknown choice is no filter; bad numbers raise Ugyldig."""
    return sporringer.Filter(
        lov=lov,
        oppfolgingskommune=verdier["oppfolgingskommune"] or None,
        bydel=verdier["bydel"] or None,
        kategori=verdier["kategori"] if verdier["kategori"] in {k.value for k in KATEGORINAVN} else None,
        avslutningsaar=int(verdier["avslutningsaar"]) if _aarstall(verdier["avslutningsaar"]) else None,
        registrert_av=cast(sporringer.RegistrertAv, verdier["registrert_av"])
        if verdier["registrert_av"] in ("kommunen", "regelmotor")
        else "alle",
        duf_nummer=verdier["duf_nummer"].strip() or None,
        navn=verdier["navn"] or None,
    )


def _postknapp(action: str, felter: Mapping[str, object], tekst: str, id_: str = "", klasse: str = "") -> str:
    """A link that posts: the values travel in the body, not in the URL."""
    skjulte = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(str(v))}">' for k, v in felter.items())
    attr = (f' id="{id_}"' if id_ else "") + (f' class="{klasse}"' if klasse else "")
    return (
        f'<form method="post" action="{escape(action)}" class="lenke">{skjulte}'
        f'<button type="submit"{attr}>{tekst}</button></form>'
    )


def _velg(navn: str, valg: list[tuple[str, str]], valgt: str | None, alle: str) -> str:
    opts = [f'<option value="">{escape(alle)}</option>']
    for verdi, tekst in valg:
        sel = " selected" if verdi == (valgt or "") else ""
        opts.append(f'<option value="{escape(verdi)}"{sel}>{escape(tekst)}</option>')
    return f'<select name="{navn}" id="{navn}">{"".join(opts)}</select>'


def router() -> APIRouter:
    r = APIRouter(prefix="/rapport", include_in_schema=False)

    @r.get("")
    async def start() -> RedirectResponse:
        return RedirectResponse("/rapport/integreringsloven", status_code=303)

    @r.get("/logg-inn")
    async def logg_inn_side() -> HTMLResponse:
        svar = html(
            "Logg inn",
            """<p class="feil">Du er ikke logget inn, eller innloggingen er utløpt.</p>
<p>Logg inn i NIRs webapplikasjon med ID-porten eller kommunens innlogging; rapportene åpnes derfra.</p>""",
        )
        svar.status_code = 401
        return svar

    @r.get("/logg-ut")
    async def logg_ut() -> RedirectResponse:
        svar = til_innlogging()
        svar.delete_cookie(COOKIE, path="/rapport")
        return svar

    @r.get("/maaloppnaaelse")
    async def maaloppnaaelse(
        request: Request, p: Annotated[asyncpg.Pool, Depends(api.pool)], aar: str = "", lov: str = ""
    ) -> Response:
        bruker = await innlogget(request)
        if bruker is None:
            return til_innlogging()
        aar_ = int(aar) if _aarstall(aar) else None
        lov_ = Lov(lov) if lov in {x.value for x in Lov} else None
        async with p.acquire() as conn:
            m = await sporringer.maaloppnaaelse(conn, bruker, aar=aar_, lov=lov_)
        rader = []
        for t in m["linjer"]:
            sted = {"landet": "Hele landet", "fylke": t.get("fylke", ""), "kommune": t.get("kommune", "")}[t["nivaa"]]
            rader.append(
                f"<tr><td>{t['aar']}</td><td>{escape(t['nivaa'])}</td><td>{escape(sted)}</td><td>{t['avsluttet']}</td>"
                f"<td>{t['i_jobb_eller_utdanning']}</td><td>{prosent_no(t['andel_i_jobb'])}</td>"
                f"<td>{prosent_no(t['andel_i_utdanning'])}</td><td>{prosent_no(t['andel_i_jobb_eller_utdanning'])}</td>"
                f"<td>{t['utenfor_tallgrunnlaget']}</td></tr>"
            )
        lovvalg = _velg("lov", [(x.value, LOVNAVN[x]) for x in Lov], lov, "Begge lover")
        innhold = f"""<form class="filter" method="get"><label>År<input name="aar" value="{escape(aar)}" size="6"></label>
<label>Lov{lovvalg}</label><div><button type="submit">Vis</button></div></form>
<p>Antall avsluttet er dem som inngår i tallgrunnlaget; koder i gruppen «Inngår ikke i tallgrunnlaget for
måloppnåelse» står i siste kolonne. Jobb = gruppene Arbeid og Arbeid og utdanning; utdanning = Utdanning – høy/fagskole
og Utdanning - Vgo.</p>
"""
        tabell = f"""<table id="maaloppnaaelse"><thead><tr><th>År</th><th>Nivå</th><th>Fylke/kommune</th><th>Antall avsluttet</th>
<th>Antall i jobb eller utdanning</th><th>Andel i jobb</th><th>Andel i utdanning</th><th>Andel i jobb eller utdanning</th>
<th>Utenfor tallgrunnlaget</th></tr></thead><tbody>{"".join(rader)}</tbody></table>"""
        innhold += rullbar(tabell, "Måloppnåelse")
        return html("Måloppnåelse direkte etter endt program", innhold, bruker)

    @r.get("/historikk/{deltaker_id}")
    async def historikk(request: Request, deltaker_id: UUID, p: Annotated[asyncpg.Pool, Depends(api.pool)]) -> Response:
        bruker = await innlogget(request)
        if bruker is None:
            return til_innlogging()
        try:
            async with p.acquire() as conn:
                h = await sporringer.historikk(conn, bruker, deltaker_id)
        except sporringer.IkkeTilgang as exc:
            return html("Ingen tilgang", f'<p class="feil">{escape(str(exc))}</p>', bruker)
        if h is None:
            return html("Avslutningshistorikk", "<p>Ingen avslutningshistorikk for denne personen.</p>", bruker)
        rader = []
        for li in h["linjer"]:
            klasse = ' class="slettet"' if li["status"] in ("slettet", "endret") else ""
            status = {"endret": " (endret)", "erstattet": " (erstattet)"}.get(li["status"], "")
            timer = (li["timer_arbeid_per_uke"] or "").replace(".", ",")
            slettet = f" – slettet av {escape(li['slettet_av'])}" if li["slettet_av"] else ""
            rader.append(
                f"<tr{klasse}><td>{escape(li['avslutning'])}{status}</td><td>{escape(li['arsak_navn'])}</td>"
                f"<td>{escape(timer)}</td><td>{dato_no(date.fromisoformat(li['avslutningsdato']))}</td>"
                f"<td>{escape(li['registrert_av'])}{slettet}</td>"
                f"<td>{dato_no(datetime.fromisoformat(li['registrert_dato']))}</td>"
                f"<td>{escape(li['oppfolgingskommune_navn'])}</td></tr>"
            )
        person = h["person"]
        hvem = (
            f"<p>{escape(person['fornavn'])} {escape(person['etternavn'])}, DUF-nummer {escape(person['duf_nummer'])}</p>"
            if person
            else ""
        )
        tabell = f"""<table id="historikk"><thead><tr><th>Avslutning</th><th>Avslutningsårsak</th>
<th>Antall timer arbeid per uke</th><th>Avslutningsdato</th><th>Registrert av</th><th>Registrert dato</th>
<th>Oppf.kommune/bydel</th></tr></thead><tbody>{"".join(rader)}</tbody></table>"""
        innhold = f"""{hvem}{rullbar(tabell, "Avslutningshistorikk")}
<p><a href="javascript:history.back()">Tilbake til rapporten</a></p>"""
        return html("All avslutningshistorikk", innhold, bruker)

    @r.get("/{lov}/csv")
    async def csv(
        request: Request,
        f: Annotated[sporringer.Filter, Depends(api.rapportfilter)],
        p: Annotated[asyncpg.Pool, Depends(api.pool)],
        sorter: str = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> Response:
        bruker = await innlogget(request)
        if bruker is None:
            return til_innlogging()
        return api.csv_response(p, bruker, f, sorter, retning)

    @r.post("/{lov}/csv", dependencies=[Depends(samme_opphav)])
    async def csv_post(request: Request, lov: Lov, p: Annotated[asyncpg.Pool, Depends(api.pool)]) -> Response:
        bruker = await innlogget(request)
        if bruker is None:
            return til_innlogging()
        skjema = await skjemadata(request)
        try:
            f = _filter(lov, {k: skjema.get(k, "") for k in FILTERFELT})
        except sporringer.Ugyldig as exc:
            raise api.feil(exc) from None
        return api.csv_response(p, bruker, f, skjema.get("sorter") or "etternavn", _retning(skjema.get("retning", "")))

    @r.get("/{lov}")
    async def rapport(
        request: Request,
        lov: Lov,
        p: Annotated[asyncpg.Pool, Depends(api.pool)],
        side: Annotated[int, Query(ge=1)] = 1,
        sorter: str = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> Response:
        bruker = await innlogget(request)
        if bruker is None:
            return til_innlogging()
        q = request.query_params
        verdier = {k: q.get(k, "") for k in FILTERFELT if k not in api.IDENTIFISERENDE}
        if any(k in q for k in api.IDENTIFISERENDE):
            return await rapportside(p, bruker, lov, verdier, side=1, sorter=sorter, retning=retning, avvist=True)
        return await rapportside(p, bruker, lov, verdier, side=side, sorter=sorter, retning=retning)

    @r.post("/{lov}", dependencies=[Depends(samme_opphav)])
    async def rapport_post(request: Request, lov: Lov, p: Annotated[asyncpg.Pool, Depends(api.pool)]) -> Response:
        bruker = await innlogget(request)
        if bruker is None:
            return til_innlogging()
        skjema = await skjemadata(request)
        return await rapportside(
            p,
            bruker,
            lov,
            {k: skjema.get(k, "") for k in FILTERFELT},
            side=_heltall(skjema.get("side", ""), 1),
            sorter=skjema.get("sorter") or "etternavn",
            retning=_retning(skjema.get("retning", "")),
        )

    return r


async def rapportside(
    p: asyncpg.Pool,
    bruker: Bruker,
    lov: Lov,
    verdier: dict[str, str],
    *,
    side: int,
    sorter: str,
    retning: sporringer.Retning,
    avvist: bool = False,
) -> HTMLResponse:
    """The report page for the filter `verdier` (GET: without the identifying fields; POST: all of them)."""
    verdier = {k: verdier.get(k, "") for k in FILTERFELT}
    s, feilmelding = None, ""
    async with p.acquire() as conn:
        valg = await sporringer.filtervalg(conn, bruker, lov)
        if avvist:  # an old bookmark or a hand-made URL: no search (the identifier has reached the logs already)
            feilmelding = (
                "Søk på DUF-nummer og navn sendes med skjemaet, ikke i lenken (lenker havner i logger). Søk på nytt."
            )
        else:
            try:
                s = await sporringer.side(
                    conn, bruker, _filter(lov, verdier), side=side, per_side=25, sorter=sorter, retning=retning
                )
            except (sporringer.Ugyldig, sporringer.IkkeTilgang) as exc:
                feilmelding = str(exc)
    filtre = {k: v for k, v in verdier.items() if v}
    # with a DUF-nummer or name in the filter, every «link» posts; else they are bookmarkable GET links
    identifiserende = any(filtre.get(k) for k in api.IDENTIFISERENDE)
    adresse = f"/rapport/{lov.value}"

    def lenke(tekst: str, id_: str = "", **endre: object) -> str:
        params = {**filtre, "sorter": sorter, "retning": retning, "side": side, **endre}
        if identifiserende:
            return _postknapp(adresse, params, tekst, id_)
        return (
            f'<a href="{escape(adresse + "?" + urlencode(params))}"' + (f' id="{id_}"' if id_ else "") + f">{tekst}</a>"
        )

    def kolonne(tittel: str, navn: str) -> str:
        pil, ny = "", "stigende"
        if sorter == navn:
            pil = " ↑" if retning == "stigende" else " ↓"
            ny = "synkende" if retning == "stigende" else "stigende"
        return f"<th>{lenke(tittel + pil, sorter=navn, retning=ny, side=1)}</th>"

    kommuner = [(k["kommunenummer"], k["navn"]) for k in valg["kommuner"]]
    bydeler = [(b["bydelsnummer"], b["navn"]) for b in valg["bydeler"]]
    aar = [(str(a), str(a)) for a in valg["avslutningsaar"]]
    skjema = f"""<form class="filter" method="post" action="{adresse}" id="filter"><input type="hidden" name="sorter" value="{escape(sorter)}">
<input type="hidden" name="retning" value="{escape(retning)}">
<label>Oppfølgingskommune{_velg("oppfolgingskommune", kommuner, verdier["oppfolgingskommune"], "Alle kommuner")}</label>
<label>Bydel{_velg("bydel", bydeler, verdier["bydel"], "Alle bydeler")}</label>
<label>Kategori{_velg("kategori", [(k.value, n) for k, n in KATEGORINAVN.items()], verdier["kategori"], "Alle")}</label>
<label>Avslutningsår{_velg("avslutningsaar", aar, verdier["avslutningsaar"], "Alle")}</label>
<label>Avslutningsårsak registrert av{_velg("registrert_av", [("kommunen", "Avslutningsårsak registrert av kommunen"), ("regelmotor", "Avslutningsårsak beregnet av regelmotor")], verdier["registrert_av"], "Alle")}</label>
<label>DUF-nummer<input type="search" name="duf_nummer" id="duf_nummer" placeholder="DUF-nummer" value="{escape(verdier["duf_nummer"])}"></label>
<label>Fornavn eller etternavn<input type="search" name="navn" id="navn" placeholder="Fornavn eller etternavn" value="{escape(verdier["navn"])}"></label>
<div><button type="submit" id="filtrer">Filtrer</button></div></form>"""
    if s is None:
        innhold = skjema + f'<p class="feil">{escape(feilmelding)}</p>'
    else:
        csv_felter = {**filtre, "sorter": sorter, "retning": retning}
        if identifiserende:
            csv_knapp = _postknapp(f"{adresse}/csv", csv_felter, "Last ned CSV fil", "csv", "knapp")
        else:
            csv_url = escape(f"{adresse}/csv?" + urlencode(csv_felter))
            csv_knapp = f'<a class="knapp" id="csv" href="{csv_url}">Last ned CSV fil</a>'
        rader = "".join(
            f"<tr><td>{escape(x['duf_nummer'])}</td><td>{escape(x['fornavn'])}</td><td>{escape(x['etternavn'])}</td>"
            f"<td>{escape(x['kategori_navn'])}</td><td>{escape(x['sluttmal_navn'])}</td><td>{escape(x['arsak_navn'])}</td>"
            f"<td>{dato_no(x['avslutningsdato'])}</td>"
            f'<td><a class="historikk" href="/rapport/historikk/{x["deltaker_id"]}">Vis all avslutningshistorikk</a></td></tr>'
            for x in s.rader
        )
        sider = []
        if s.side > 1:
            sider.append(lenke("‹ Forrige", "forrige", side=s.side - 1))
        sider.append(f"<span>Side {s.side} av {s.antall_sider}</span>")
        if s.side < s.antall_sider:
            sider.append(lenke("Neste ›", "neste", side=s.side + 1))
        tabell = f"""<table id="rapport"><thead><tr>{kolonne("DUF-nummer", "duf_nummer")}{kolonne("Fornavn", "fornavn")}
{kolonne("Etternavn", "etternavn")}{kolonne("Kategori", "kategori")}{kolonne("Sluttmål", "sluttmal")}
{kolonne("Avslutningsårsak", "avslutningsarsak")}{kolonne("Avslutningsdato", "avslutningsdato")}<th>Historikk</th></tr></thead>
<tbody>{rader}</tbody></table>"""
        innhold = (
            skjema
            + f"""<p class="linjer" id="linjer">{escape(s.tekst)}
&nbsp; {csv_knapp}</p>
{rullbar(tabell, "Personer avsluttet")}<nav class="sider">{"".join(sider)}</nav>"""
        )
    svar = html(f"Oversikt over personer avsluttet introduksjonsprogram etter {lov.value}", innhold, bruker)
    if avvist:
        svar.status_code = 400
    return svar
