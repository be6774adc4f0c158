"""Refusals as answers, as problem details (services/plumbing/problem.py): 422 with field-level messages, 409
for the person's state (a code per kind of conflict), 403 for access, and the warn-then-confirm of DOMAIN.md §4
rule 4 (409 KREVER_BEKREFTELSE, distinct from a conflict). Never a stack trace, never an echoed input value (a
fødselsnummer or DUF-nummer in a 422 would end up in client logs)."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from services.plumbing.problem import feltfeil, problem, svar
from services.registrering.domain.regler import Advarsel, Bruddtype, Utfall

log = logging.getLogger(__name__)
_KODE = {Bruddtype.KONFLIKT: "KONFLIKT", Bruddtype.FORBUDT: "INGEN_TILGANG"}
# The stable code of a rule's conflict (the rule's own name cites DOMAIN.md, which is for us, not for clients)
_REGELKODE = {
    "DOMAIN.md §4.1 vedtak om program og sluttmål": "MANGLER_VEDTAK_ELLER_SLUTTMAL",
    "DOMAIN.md §4.2 avslutningsdato innenfor gjennomføringsfristen": "FRIST_KAN_IKKE_BEREGNES",
    "DOMAIN.md §4.5–6 én gjeldende kommuneavslutning": "EN_GJELDENDE_KOMMUNEAVSLUTNING",
    "DOMAIN.md §4.5–6 endre eller slette avslutning": "AVSLUTNING_KAN_IKKE_ENDRES",
    "DOMAIN.md §4.7 permanent stans krever kommunens avslutningsårsak": "VENTER_PAA_KOMMUNENS_ARSAK",
    "DOMAIN.md §4.7 vedtak hører til et program": "MANGLER_VEDTAK_OM_DELTAKELSE",
    "DOMAIN.md §4.9 avvisning før programstart": "AVVISNING_ETTER_PROGRAMSTART",
}


class Avvist(Exception):
    """An answer that ends the request and rolls its transaction back (also a stored Idempotency-Key replay)."""

    def __init__(self, status: int, body: Any, *, replay: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.replay = replay

    @classmethod
    def problem(cls, kode: str, detail: str | None = None, **ekstra: Any) -> Avvist:
        body = problem(kode, detail, **ekstra)
        return cls(body["status"], body)


def offentlig_regel(regel: str) -> str:
    """A rule's name as an answer shows it: without our own document's section numbers (DOMAIN.md is ours, not the
    integrator's; the lov, forskrift or seed the rule cites stays)."""
    return re.sub(r"^DOMAIN\.md §[\d.–]+\s*", "", re.sub(r"\s*\(DOMAIN\.md[^)]*\)", "", regel))


def _feltfeil(u: Utfall) -> dict[str, str]:
    return feltfeil(u.felt or "", u.melding, kode="regel") | {"regel": offentlig_regel(u.regel)}


def avvis(brudd: Utfall | list[Utfall] | tuple[Utfall, ...]) -> Avvist:
    """The answer for broken rules: the most serious kind decides the status (403 > 409 > 422)."""
    liste = [brudd] if isinstance(brudd, Utfall) else list(brudd)
    for typ in (Bruddtype.FORBUDT, Bruddtype.KONFLIKT):
        alvorligste = [u for u in liste if u.bruddtype is typ]
        if alvorligste:
            u = alvorligste[0]
            kode = _REGELKODE.get(u.regel, "KONFLIKT") if typ is Bruddtype.KONFLIKT else _KODE[typ]
            return Avvist.problem(kode, u.melding)
    return Avvist.problem("UGYLDIGE_FELT", feil=[_feltfeil(u) for u in liste])


def krev(*utfall: Utfall) -> None:
    brudd = [u for u in utfall if not u.oppfylt]
    if brudd:
        raise avvis(brudd)


def ikke_funnet(hva: str) -> Avvist:
    return Avvist.problem("IKKE_FUNNET", f"{hva} finnes ikke")


def konflikt(melding: str, kode: str = "KONFLIKT") -> Avvist:
    return Avvist.problem(kode, melding)


def allerede_registrert(melding: str) -> Avvist:
    return Avvist.problem("ALLEREDE_REGISTRERT", melding)


# What each uniqueness of the schema protects, in words for the client (never the key's value: it may be an
# identifier). The rules refuse these first; the schema refuses what slips past them.
_UNIKT = {
    "deltaker_duf_nummer_key": ("ALLEREDE_REGISTRERT", "en deltaker med dette DUF-nummeret er allerede registrert"),
    "deltaker_fodselsnummer_key": (
        "ALLEREDE_REGISTRERT",
        "en annen deltaker er allerede registrert med dette fødselsnummeret",
    ),
    "avslutning_en_gjeldende_kommuneavslutning": (
        "EN_GJELDENDE_KOMMUNEAVSLUTNING",
        "personen har allerede en gjeldende avslutning registrert av kommunen (lagret av en annen "
        "forespørsel samtidig); hent den, og rediger eller slett den",
    ),
    "avslutningsversjon_pkey": (
        "SAMTIDIG_ENDRING",
        "avslutningen ble endret av en annen forespørsel samtidig; hent den på nytt og prøv igjen",
    ),
    "avslutningsversjon_etter_siste": (
        "SAMTIDIG_ENDRING",
        "avslutningen ble endret eller slettet av en annen forespørsel samtidig; hent den på nytt og prøv igjen",
    ),
}


def unikhetskonflikt(exc: asyncpg.UniqueViolationError) -> Avvist:
    """A uniqueness the schema enforces, as a 409 naming what conflicts (never a 500)."""
    kode, melding = _UNIKT.get(
        exc.constraint_name or "",
        (
            "SAMTIDIG_ENDRING",
            "forespørselen er i konflikt med en registrering som ble lagret samtidig; hent dataene på nytt "
            "og prøv igjen",
        ),
    )
    log.info("unikhetskonflikt", extra={"constraint": exc.constraint_name})
    return Avvist.problem(kode, melding)


def krever_bekreftelse(advarsel: Advarsel) -> Avvist:
    """A warning to confirm (DOMAIN.md §4 rule 4; the under-25 hovedregel, issue #13): nothing is stored; the same
    request with confirm=true saves it. The advarsel names its own code and rule."""
    return Avvist.problem(
        "KREVER_BEKREFTELSE",
        advarsel.melding,
        advarsel={
            "kode": advarsel.kode,
            "regel": offentlig_regel(advarsel.regel),
            "vedtak_ids": [str(i) for i in advarsel.vedtak_ids],
            "tiltak_ids": [str(i) for i in advarsel.tiltak_ids],
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
            await svar(problem("INTERN_FEIL", "intern feil"))(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(UventetFeil)

    @app.exception_handler(Avvist)
    async def _avvist(_: Request, exc: Avvist) -> Response:
        headers = {"Idempotent-Replayed": "true"} if exc.replay else None
        if exc.status == 204:
            return Response(status_code=204, headers=headers)
        if exc.status >= 400:
            return svar(exc.body, headers)
        return JSONResponse(exc.body, status_code=exc.status, headers=headers)  # a stored answer, replayed
