"""Refusals as answers: 422 with field-level messages, 409 for the person's state, 403 for access, and the
warn-then-confirm 409 of DOMAIN.md §4 rule 4. Never a stack trace, never an echoed input value (a
fødselsnummer or DUF-nummer in a 422 would end up in client logs)."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from services.registrering.domain.regler import Advarsel, Bruddtype, Utfall

log = logging.getLogger(__name__)
_STATUS = {Bruddtype.UGYLDIG: 422, Bruddtype.KONFLIKT: 409, Bruddtype.FORBUDT: 403}


class Avvist(Exception):
    """An answer that ends the request and rolls its transaction back (also a stored Idempotency-Key replay)."""

    def __init__(self, status: int, body: Any, *, replay: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.replay = replay


def _feltfeil(u: Utfall) -> dict[str, Any]:
    return {"loc": ["body", *(u.felt.split(".") if u.felt else [])], "msg": u.melding, "type": u.regel}


def avvis(brudd: Utfall | list[Utfall] | tuple[Utfall, ...]) -> Avvist:
    """The answer for broken rules: the most serious kind decides the status (403 > 409 > 422)."""
    liste = [brudd] if isinstance(brudd, Utfall) else list(brudd)
    for typ in (Bruddtype.FORBUDT, Bruddtype.KONFLIKT):
        alvorligste = [u for u in liste if u.bruddtype is typ]
        if alvorligste:
            u = alvorligste[0]
            return Avvist(_STATUS[typ], {"detail": u.melding, "regel": u.regel})
    return Avvist(422, {"detail": [_feltfeil(u) for u in liste]})


def krev(*utfall: Utfall) -> None:
    brudd = [u for u in utfall if not u.oppfylt]
    if brudd:
        raise avvis(brudd)


def ikke_funnet(hva: str) -> Avvist:
    return Avvist(404, {"detail": f"{hva} finnes ikke"})


def konflikt(melding: str) -> Avvist:
    return Avvist(409, {"detail": melding})


# What each uniqueness of the schema protects, in words for the client (never the key's value: it may be an
# identifier). The rules refuse these first; the schema refuses what slips past them.
_UNIKT = {
    "deltaker_duf_nummer_key": {"detail": "en deltaker med dette DUF-nummeret er allerede registrert"},
    "deltaker_fodselsnummer_key": {"detail": "en annen deltaker er allerede registrert med dette fødselsnummeret"},
    "avslutning_en_gjeldende_kommuneavslutning": {
        "detail": "personen har allerede en gjeldende avslutning registrert av kommunen (lagret av en annen "
        "forespørsel samtidig); hent den, og rediger eller slett den",
        "regel": "DOMAIN.md §4.5–6 én gjeldende kommuneavslutning",
    },
    "avslutningsversjon_pkey": {
        "detail": "avslutningen ble endret av en annen forespørsel samtidig; hent den på nytt og prøv igjen"
    },
    "avslutningsversjon_etter_siste": {
        "detail": "avslutningen ble endret eller slettet av en annen forespørsel "
        "samtidig; hent den på nytt og prøv igjen"
    },
}


def unikhetskonflikt(exc: asyncpg.UniqueViolationError) -> Avvist:
    """A uniqueness the schema enforces, as a 409 naming what conflicts (never a 500)."""
    body = _UNIKT.get(
        exc.constraint_name or "",
        {
            "detail": "forespørselen er i konflikt med en registrering som ble lagret samtidig; hent dataene på nytt "
            "og prøv igjen"
        },
    )
    log.info("unikhetskonflikt", extra={"constraint": exc.constraint_name})
    return Avvist(409, dict(body))


def krever_bekreftelse(advarsel: Advarsel) -> Avvist:
    return Avvist(
        409,
        {
            "detail": advarsel.melding,
            "advarsel": {
                "kode": advarsel.kode,
                "regel": advarsel.regel,
                "vedtak_ids": [str(i) for i in advarsel.vedtak_ids],
                "tiltak_ids": [str(i) for i in advarsel.tiltak_ids],
            },
            "krever_bekreftelse": True,
        },
    )


class UventetFeil:
    """A bug or an outage is a JSON 500 without details, logged by type and SQLSTATE only: an exception's
    message can carry input values (a unique violation names the key), and those may be identifiers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            route = scope.get("route")
            log.error(
                "uventet feil",
                extra={
                    "feil": type(exc).__name__,
                    "sqlstate": getattr(exc, "sqlstate", None),
                    "metode": scope.get("method"),
                    "rute": getattr(route, "path", None),
                },
            )
            if started:
                raise
            await JSONResponse({"detail": "intern feil"}, status_code=500)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(UventetFeil)

    @app.exception_handler(Avvist)
    async def _avvist(_: Request, exc: Avvist) -> Response:
        headers = {"Idempotent-Replayed": "true"} if exc.replay else None
        if exc.status == 204:
            return Response(status_code=204, headers=headers)
        return JSONResponse(exc.body, status_code=exc.status, headers=headers)
