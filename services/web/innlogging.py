"""/innlogging, /innlogging/callback, /utlogging: the browser's login at the OIDC provider and the logout that
also ends the provider's session. The pending request (state, nonce, PKCE verifier) waits in an anonymous
server-side session bound to this browser's cookie; the login gets a new session id."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.web.felles import Bruker, Feilside, innlogget, leverandor, sesjoner, side, skjema, videre
from services.web.lager import COOKIE
from services.web.oidc import InnloggingFeilet

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


def sett_cookie(request: Request, svar: Response, verdi: str) -> None:
    s = request.app.state.settings
    # Lax: the provider's redirect back to /innlogging/callback is a top-level cross-site GET that must carry it
    svar.set_cookie(COOKIE, verdi, httponly=True, secure=s.cookie_secure, samesite="lax", path="/")


@router.get("/innlogging")
async def logg_inn(request: Request) -> Response:
    forespørsel = await leverandor(request).start()
    s = await sesjoner(request).ny(
        {"state": forespørsel.state, "nonce": forespørsel.nonce, "code_verifier": forespørsel.code_verifier}
    )
    svar = RedirectResponse(forespørsel.url, status_code=303)
    sett_cookie(request, svar, s.id)
    return svar


@router.get("/innlogging/callback")
async def callback(request: Request) -> Response:
    q = request.query_params
    s = await sesjoner(request).hent(request.cookies.get(COOKIE))
    venter = s.innlogging if s is not None else None
    if s is None or not venter or not hmac.compare_digest(q.get("state", "").encode(), venter["state"].encode()):
        log.info("innlogging avvist", extra={"grunn": "state"})
        raise Feilside(
            400,
            "Innloggingen kunne ikke fullføres",
            "Innloggingen hørte ikke til denne nettleseren, eller den tok for lang tid. Prøv igjen.",
        )
    if "error" in q or "code" not in q:
        log.info("innlogging avvist av leverandøren", extra={"feil": q.get("error", "uten kode")[:50]})
        raise Feilside(400, "Innloggingen ble avbrutt", "Identitetsleverandøren fullførte ikke innloggingen.")
    try:
        t = await leverandor(request).fullfor(
            code=q["code"], code_verifier=venter["code_verifier"], nonce=venter["nonce"]
        )
    except InnloggingFeilet as exc:
        log.info("innlogging avvist", extra={"grunn": str(exc)[:80]})
        raise Feilside(
            400,
            "Innloggingen kunne ikke fullføres",
            "Svaret fra identitetsleverandøren kunne ikke godkjennes. Prøv igjen.",
        ) from None
    bruker = Bruker.fra_claims(t.claims)
    ny = await sesjoner(request).logg_inn(
        s,
        {**bruker.som_json(), "sub": t.claims.get("sub")},
        access_token=t.access_token,
        refresh_token=t.refresh_token,
        id_token=t.id_token,
        utloper=t.utloper,
    )
    log.info("innlogget", extra={"brukerident": bruker.ident})
    svar = videre("/")
    sett_cookie(request, svar, ny.id)
    return svar


@router.post("/utlogging")
async def logg_ut(request: Request) -> Response:
    inn = await innlogget(request)
    await skjema(request, inn)
    await sesjoner(request).slett(inn.sesjon.id)
    etter = request.app.state.settings.public_url.rstrip("/") + "/utlogget"
    url = await leverandor(request).utlogging_url(inn.sesjon.id_token, etter)
    svar = videre(url or "/utlogget")
    svar.delete_cookie(COOKIE, path="/")
    log.info("utlogget", extra={"brukerident": inn.bruker.ident})
    return svar


@router.get("/utlogget")
async def utlogget(request: Request) -> Response:
    return side(request, "utlogget.html", tittel="Du er logget ut")
