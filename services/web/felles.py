"""What every page needs: the templates (Jinja2, autoescaped), the logged-in user from the session cookie, the
CSRF check on every POST, the form body, and the error pages in Norwegian with their HTTP status."""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.web import visning
from services.web.apier import Apier, IkkeInnlogget
from services.web.lager import COOKIE, Sesjon, Sesjoner
from services.web.oidc import InnloggingFeilet, Leverandor

TEMPLATES = Path(__file__).parent / "templates"
CSRF_FELT = "_csrf"
# an access token this close to expiry is renewed before the API call (the API allows 30 s leeway)
FORNY_SEKUNDER = 60

miljo = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
)
miljo.filters.update(
    dato=visning.dato,
    timer=visning.timer,
    kommune=visning.kommune,
    sted=visning.sted,
    kategori=visning.kategori,
    utdanningsbakgrunn=visning.utdanningsbakgrunn,
    lov=visning.lov,
    vedtakstype=visning.vedtakstype,
    vedtaksresultat=visning.vedtaksresultat,
    fravaerstype=visning.fravaerstype,
    tidspunkt=visning.tidspunkt,
)


class Feilside(Exception):
    """Ends the request with a Norwegian error page (404 for a person the user does not see, 403, …)."""

    def __init__(self, status: int, tittel: str, melding: str = "") -> None:
        super().__init__(status)
        self.status = status
        self.tittel = tittel
        self.melding = melding


@dataclass(frozen=True)
class Bruker:
    """Who is logged in, from the validated ID token: for the menu and for hiding buttons the API would refuse
    anyway (the API decides: a hidden button is a courtesy, not the access check)."""

    ident: str
    roller: tuple[str, ...]
    kommunenummer: str | None
    bydelsnummer: str | None

    @classmethod
    def fra_claims(cls, c: dict[str, Any]) -> Bruker:
        roller = c.get("roller") or []
        return cls(
            str(c.get("preferred_username") or ""),
            tuple(r for r in roller if isinstance(r, str)),
            c.get("kommunenummer"),
            c.get("bydelsnummer"),
        )

    def som_json(self) -> dict[str, Any]:
        return {
            "preferred_username": self.ident,
            "roller": list(self.roller),
            "kommunenummer": self.kommunenummer,
            "bydelsnummer": self.bydelsnummer,
        }

    @property
    def skriver(self) -> bool:
        return "SAKSBEHANDLER" in self.roller and "IMDI" not in self.roller

    @property
    def hvor(self) -> str:
        if "IMDI" in self.roller:
            return "IMDi"
        if self.bydelsnummer:
            return visning.sted(self.kommunenummer, self.bydelsnummer)
        return visning.kommune(self.kommunenummer)


@dataclass(frozen=True)
class Innlogget:
    sesjon: Sesjon
    bruker: Bruker

    @property
    def token(self) -> str:
        assert self.sesjon.access_token
        return self.sesjon.access_token

    @property
    def csrf(self) -> str:
        return self.sesjon.csrf


def sesjoner(request: Request) -> Sesjoner:
    return request.app.state.sesjoner


def apier(request: Request) -> Apier:
    return request.app.state.apier


def leverandor(request: Request) -> Leverandor:
    return request.app.state.leverandor


async def innlogget(request: Request) -> Innlogget:
    """The logged-in user, or IkkeInnlogget (→ the login page). Renews the access token when it is about to
    expire and the provider gave a refresh token."""
    s = await sesjoner(request).hent(request.cookies.get(COOKIE))
    if s is None or not s.innlogget:
        raise IkkeInnlogget()
    if s.token_utloper is not None and s.token_utloper.timestamp() < time.time() + FORNY_SEKUNDER:
        if not s.refresh_token:
            await sesjoner(request).slett(s.id)
            raise IkkeInnlogget()
        try:
            t = await leverandor(request).forny(s.refresh_token, s.bruker or {})
        except InnloggingFeilet:
            await sesjoner(request).slett(s.id)
            raise IkkeInnlogget() from None
        s = await sesjoner(request).nye_tokens(
            s, access_token=t.access_token, refresh_token=t.refresh_token, id_token=t.id_token, utloper=t.utloper
        )
    return Innlogget(s, Bruker.fra_claims(s.bruker or {}))


async def skjema(request: Request, inn: Innlogget) -> dict[str, str]:
    """A posted form (application/x-www-form-urlencoded) as {name: first value}, after the CSRF check: the
    session's token must be in the form (a cross-site page cannot read it). Refused: 403."""
    felter = {
        k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True).items()
    }
    if not hmac.compare_digest(felter.pop(CSRF_FELT, "").encode(), inn.csrf.encode()):
        raise Feilside(
            403,
            "Skjemaet kunne ikke sendes",
            "Skjemaet manglet sikkerhetsnøkkelen (CSRF) eller den var utløpt. Gå tilbake, last siden på "
            "nytt og prøv igjen.",
        )
    return felter


def side(request: Request, mal: str, status: int = 200, **data: Any) -> HTMLResponse:
    inn: Innlogget | None = data.get("inn")
    html = miljo.get_template(mal).render(
        request=request, bruker=inn.bruker if inn else None, csrf=inn.csrf if inn else "", sti=request.url.path, **data
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def videre(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
