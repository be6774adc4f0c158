"""One error format for every service (issue #16 §1): RFC 9457 problem details, `application/problem+json`.

    {"type": "urn:nir:problem:ugyldige-felt", "title": "Ugyldige felt", "status": 422,
     "detail": "fodselsnummer: fødselsnummer/d-nummer har feil kontrollsiffer", "kode": "UGYLDIGE_FELT",
     "feil": [{"felt": "fodselsnummer", "i": "body", "kode": "value_error",
               "melding": "fødselsnummer/d-nummer har feil kontrollsiffer"}]}

`kode` is the stable machine code a client switches on (KODER lists them; `type` is the same code as a URN, so
it never carries internal text), `detail` the Norwegian message for a human, and a 422's `feil` names each
field. A message never repeats the rejected value (it may be a fødselsnummer, a DUF-nummer or a name, and error
bodies end up in clients' and gateways' logs). pydantic's own messages are English: `melding` translates the
error types a request can produce.

The warn-then-confirm answer of DOMAIN.md §4 rule 4 is a 409 with its own code, KREVER_BEKREFTELSE, distinct
from a real conflict (KONFLIKT and its specific codes)."""

from __future__ import annotations

import functools
import re
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

MEDIA_TYPE = "application/problem+json"

# kode → (status, title): every code an answer can carry
KODER: dict[str, tuple[int, str]] = {
    "UGYLDIG_JSON": (400, "Kroppen er ikke gyldig JSON"),
    "IDENTIFIKATOR_I_URL": (400, "Personidentifikator i URL-en"),
    "IKKE_AUTENTISERT": (401, "Ikke autentisert"),
    "INGEN_TILGANG": (403, "Ingen tilgang"),
    "IKKE_FUNNET": (404, "Finnes ikke"),
    "METODE_IKKE_TILLATT": (405, "Metoden er ikke tillatt"),
    "IKKE_AKSEPTABEL": (406, "Kan ikke svare i formatet klienten ber om"),
    "KONFLIKT": (409, "Konflikt med registrerte data"),
    "ALLEREDE_REGISTRERT": (409, "Allerede registrert"),
    "SAMTIDIG_ENDRING": (409, "Endret av en annen forespørsel samtidig"),
    "EN_GJELDENDE_KOMMUNEAVSLUTNING": (409, "Personen har allerede en gjeldende avslutning fra kommunen"),
    "AVSLUTNING_KAN_IKKE_ENDRES": (409, "Avslutningen kan ikke endres eller slettes"),
    "MANGLER_VEDTAK_ELLER_SLUTTMAL": (409, "Mangler vedtak om deltakelse eller sluttmål"),
    "MANGLER_VEDTAK_OM_DELTAKELSE": (409, "Mangler vedtak om deltakelse"),
    "FRIST_KAN_IKKE_BEREGNES": (409, "Gjennomføringsfristen kan ikke beregnes"),
    "VENTER_PAA_KOMMUNENS_ARSAK": (409, "Venter på kommunens avslutningsårsak"),
    "KREVER_BEKREFTELSE": (409, "Krever bekreftelse"),
    "AVVISNING_ETTER_PROGRAMSTART": (409, "Avvisning kan bare registreres før programstart"),
    "KROPP_FOR_STOR": (413, "Kroppen er for stor"),
    "FEIL_MEDIETYPE": (415, "Kroppen må være JSON"),
    "UGYLDIGE_FELT": (422, "Ugyldige felt"),
    "INTERN_FEIL": (500, "Intern feil"),
    "UTILGJENGELIG": (503, "Tjenesten er midlertidig utilgjengelig"),
}
_STANDARD = {
    400: "UGYLDIG_JSON",
    401: "IKKE_AUTENTISERT",
    403: "INGEN_TILGANG",
    404: "IKKE_FUNNET",
    405: "METODE_IKKE_TILLATT",
    406: "IKKE_AKSEPTABEL",
    409: "KONFLIKT",
    413: "KROPP_FOR_STOR",
    415: "FEIL_MEDIETYPE",
    422: "UGYLDIGE_FELT",
    500: "INTERN_FEIL",
    503: "UTILGJENGELIG",
}


class Feltfeil(BaseModel):
    felt: str = Field(description="Feltet, med punktum mellom nivåene (f.eks. periode.fra); tomt for hele kroppen.")
    i: str = Field(description="Hvor feltet står: body, query, path eller header.")
    kode: str = Field(description="Feiltypen, stabil (f.eks. missing, dato_format, kode_ukjent, value_error).")
    melding: str = Field(description="Meldingen på norsk.")
    regel: str | None = Field(
        default=None, description="Regelen som ble brutt, når feilen kommer fra en av NIRs regler (kode «regel»)."
    )


class Advarsel(BaseModel):
    kode: str
    regel: str | None = Field(default=None, description="Regelen advarselen kommer fra.")
    vedtak_ids: list[str]
    tiltak_ids: list[str]


class Problem(BaseModel):
    """RFC 9457 problem details; `kode`, `feil` and `advarsel` are extension members."""

    type: str = Field(description="urn:nir:problem:<kode med bindestrek>; samme kode som `kode`.")
    title: str
    status: int
    detail: str = Field(description="Meldingen på norsk, for et menneske.")
    kode: str = Field(description="Stabil maskinlesbar kode: " + ", ".join(KODER) + ".")
    feil: list[Feltfeil] | None = Field(None, description="Ved 422 (og 400 for en identifikator i URL-en): feltene.")
    advarsel: Advarsel | None = Field(None, description="Ved KREVER_BEKREFTELSE: hva som blir ikke gjeldende.")

    model_config = {
        "json_schema_extra": {
            "description": "Feilsvar etter RFC 9457 (problem details): `kode` er den stabile koden å handle på, "
            "`detail` meldingen på norsk, og ved 422 gir `feil` hvert felt.",
            "examples": [
                {
                    "type": "urn:nir:problem:ugyldige-felt",
                    "title": "Ugyldige felt",
                    "status": 422,
                    "detail": 'avslutningsdato: datoen må skrives ÅÅÅÅ-MM-DD (ISO 8601, f.eks. "2024-02-01")',
                    "kode": "UGYLDIGE_FELT",
                    "feil": [
                        {
                            "felt": "avslutningsdato",
                            "i": "body",
                            "kode": "dato_format",
                            "melding": 'datoen må skrives ÅÅÅÅ-MM-DD (ISO 8601, f.eks. "2024-02-01")',
                        }
                    ],
                }
            ],
        }
    }


def problem(
    kode: str, detail: str | None = None, *, feil: list[dict[str, str]] | None = None, **ekstra: Any
) -> dict[str, Any]:
    status, title = KODER[kode]
    body: dict[str, Any] = {
        "type": "urn:nir:problem:" + kode.lower().replace("_", "-"),
        "title": title,
        "status": status,
        "detail": detail or (_sammendrag(feil) if feil else title),
        "kode": kode,
    }
    if feil is not None:
        body["feil"] = feil
    body.update(ekstra)
    return body


def kode_for(status: int) -> str:
    return _STANDARD.get(status, "INTERN_FEIL" if status >= 500 else "KONFLIKT")


def feltfeil(felt: str, melding: str, *, kode: str = "value_error", i: str = "body") -> dict[str, str]:
    return {"felt": felt, "i": i, "kode": kode, "melding": melding}


def svar(body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=body["status"], media_type=MEDIA_TYPE, headers=headers)


def _sammendrag(feil: list[dict[str, str]]) -> str:
    deler = [f"{f['felt']}: {f['melding']}" if f["felt"] else f["melding"] for f in feil[:3]]
    return "; ".join(deler) + (f" (og {len(feil) - 3} til)" if len(feil) > 3 else "")


# pydantic's error types a request can produce, in Norwegian (ctx fills the braces); our own validators'
# messages are Norwegian already (value_error, and the custom types of shared/events/felttyper.py)
_MELDINGER = {
    "missing": "feltet er påkrevd",
    "extra_forbidden": "feltet er ukjent",
    "string_type": "må være tekst",
    "int_type": "må være et heltall",
    "int_parsing": "må være et heltall",
    "int_from_float": "må være et heltall",
    "bool_type": "må være true eller false",
    "bool_parsing": "må være true eller false",
    "float_type": "må være et tall",
    "decimal_type": "må være et tall",
    "timezone_aware": "tidspunktet må ha tidssone, f.eks. 2026-01-01T00:00:00+01:00",
    "list_type": "må være en liste",
    "dict_type": "må være et JSON-objekt",
    "model_type": "må være et JSON-objekt",
    "model_attributes_type": "må være et JSON-objekt",
    "uuid_parsing": "må være en UUID",
    "uuid_type": "må være en UUID",
    "string_pattern_mismatch": "har feil format",
    "string_too_short": "må ha minst {min_length} tegn",
    "string_too_long": "kan ha høyst {max_length} tegn",
    "greater_than": "må være større enn {gt}",
    "greater_than_equal": "må være minst {ge}",
    "less_than": "må være mindre enn {lt}",
    "less_than_equal": "kan være høyst {le}",
    "enum": "ukjent verdi; gyldige verdier er {expected}",
    "literal_error": "ukjent verdi; gyldige verdier er {expected}",
    "json_invalid": "kroppen er ikke gyldig JSON",
    "json_type": "kroppen er ikke gyldig JSON",
    "decimal_max_places": "kan ha høyst {decimal_places} desimaler",
    "date_from_datetime_parsing": 'datoen må skrives ÅÅÅÅ-MM-DD (ISO 8601, f.eks. "2024-02-01")',
    "date_parsing": 'datoen må skrives ÅÅÅÅ-MM-DD (ISO 8601, f.eks. "2024-02-01")',
}


def melding(e: dict[str, Any]) -> str:
    """The Norwegian message of one pydantic error (never its input)."""
    typ = e.get("type", "")
    mal = _MELDINGER.get(typ)
    if mal is None:
        msg = str(e.get("msg", ""))
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ") if msg else "ugyldig verdi"
    try:
        return mal.format(
            **{k: (str(v).replace("'", "") if k == "expected" else v) for k, v in e.get("ctx", {}).items()}
        )
    except (KeyError, IndexError):
        return mal.split(" {")[0]


def fra_validering(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """FastAPI's validation errors as a problem: 400 when the body is not JSON at all, else 422 by field."""
    if any(e.get("type") in ("json_invalid", "json_type") for e in errors):
        return problem("UGYLDIG_JSON", "kroppen er ikke gyldig JSON")
    feil = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ())]
        i, sti = (loc[0], loc[1:]) if loc and loc[0] in ("body", "query", "path", "header", "cookie") else ("body", loc)
        feil.append(feltfeil(".".join(sti), melding(e), kode=str(e.get("type", "")), i=i))
    return problem("UGYLDIGE_FELT", feil=feil)


def tillatte_metoder(app: FastAPI, scope: MutableMapping[str, Any]) -> list[str]:
    """Every method the path answers to, over all routes (Starlette's 405 names only the first route's), included
    routers' routes too."""
    metoder: set[str] = set()
    for kontekst in iter_route_contexts(app.routes):
        if kontekst.path is not None and kontekst.methods and _regex(kontekst.path).match(scope["path"]):
            metoder |= set(kontekst.methods)
    if "GET" in metoder:
        metoder.add("HEAD")
    if metoder:
        metoder.add("OPTIONS")  # answered for every path below (install's _http), so it is allowed too
    return sorted(metoder)


@functools.cache
def _regex(sti: str) -> re.Pattern[str]:
    return compile_path(sti)[0]


def install(app: FastAPI) -> None:
    """Every refusal FastAPI or Starlette makes on its own (validation, unknown path, wrong method) as a problem."""

    @app.exception_handler(RequestValidationError)
    async def _validering(_: Request, exc: RequestValidationError) -> JSONResponse:
        # without FastAPI's default "input": that would echo the rejected value into clients' error logs
        return svar(fra_validering(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if isinstance(exc.detail, dict) and "kode" in exc.detail:  # raised as a problem already
            return svar(exc.detail, headers)
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(tillatte_metoder(app, request.scope))
            if request.method == "OPTIONS":
                # RFC 9110 §9.3.7: what the path answers to. Only the path pattern's methods, the same for every
                # caller, so no token is needed (every operation still authenticates first)
                return Response(status_code=204, headers=headers)
        kode = kode_for(exc.status_code)
        if isinstance(exc.detail, list):  # field errors raised by hand (a header)
            return svar(problem("UGYLDIGE_FELT", feil=exc.detail), headers)
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _standardtekst(exc.status_code) else None
        body = problem(kode, detail or KODER[kode][1].lower())
        body["status"] = exc.status_code
        return svar(body, headers)


def _standardtekst(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
