"""The contract says who may call what (issue #14 §5) and what every answer is (issue #16 §1): the OpenAPI
document of every service declares its security schemes and, per operation, the scope it needs; every refusal
the server can give (400 unparseable body, 401, 403, 404, 409, 422, 503) with its problem-details body
(services/plumbing/problem.py, application/problem+json); the Idempotency-Key request header and the
Idempotent-Replayed answer header where the service keeps keys; and every date's accepted range. An operation
outside BeskyttetRute is declared public (`security: []`), so no operation is left without a statement; the
operational routes (health, readiness, metrics, AsyncAPI) are not in the document at all (the README lists
them). Swagger UI at /docs is served from the service's own copy of swagger-ui-dist (npm, package-lock.json),
not from a CDN, and its «Authorize» logs in at the configured OIDC provider (authorization code with PKCE, as
the public client `swagger_ui_client_id`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles

from services.plumbing import problem
from services.plumbing.auth import SAKSBEHANDLER_HEADER, SCOPES, BeskyttetRute
from shared.events.felttyper import FORSTE_DATO, SISTE_DATO
from shared.settings import IdentitySettings
from shared.tilgang import Handling

SWAGGER_UI = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
DOCS, ASSETS, REDIRECT = "/docs", "/docs/assets", "/docs/oauth2-redirect"
OIDC_SCOPES = ["openid", "profile"]

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# Every date of the contracts lies in [FORSTE_DATO, SISTE_DATO] (shared/events/felttyper.py): JSON Schema has no
# range for a date, so the year is a pattern beside `format: date`.
assert FORSTE_DATO.year == 1900 and SISTE_DATO.year == 2199, "DATO_MONSTER says 1900–2199"
DATO_MONSTER = r"^(19|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2}$"

# The answers every operation of its kind can give, each a problem (description: when)
SVAR = {
    "400": "Kroppen er ikke gyldig JSON (UGYLDIG_JSON).",
    "401": "Mangler gyldig token for API-et: ingen, ugyldig, utløpt, fra en annen utsteder, for en annen audience "
    'eller klient, eller uten API-ets scope (IKKE_AUTENTISERT; WWW-Authenticate: Bearer error="invalid_token").',
    "403": "Gyldig token uten tilgang: «ingen tilgang i NIR» (ingen gyldig rolle, ukjent kommune, en organisasjon "
    'som ikke er en kommune), lesetilgang på en skriveoperasjon (error="insufficient_scope" for en klient), '
    "eller en deltaker brukeren ser men ikke kan endre (INGEN_TILGANG). En deltaker brukeren ikke ser, svarer som "
    "ukjent (404).",
    "404": "Finnes ikke, eller hører til en annen kommune eller bydel enn brukerens (IKKE_FUNNET).",
    "422": "Ugyldige felt (UGYLDIGE_FELT): `feil` gir feltet, hvor det står (body, query, path, header), en "
    "stabil kode og meldingen på norsk. Verdien gjentas aldri.",
    "503": "Identitetstjenesten svarer ikke, så tokenet kan ikke verifiseres nå (UTILGJENGELIG; Retry-After).",
}
SAMTIDIG = (
    "SAMTIDIG_ENDRING: en annen forespørsel lagret noe i konflikt med denne samtidig; hent dataene på nytt og "
    "prøv igjen."
)
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Gjør et nytt forsøk trygt: samme nøkkel med samme forespørsel gir det første svaret "
    "(med Idempotent-Replayed: true) og skriver ingenting; samme nøkkel med en annen forespørsel er 422. "
    "Nøkler huskes i 7 dager, per bruker.",
    # no example: a client sends a new key per request, and one fixed example would be reused for others
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "description": "f.eks. en ny UUID per forespørsel"},
}
IDEMPOTENT_REPLAYED = {
    "Idempotent-Replayed": {
        "description": "«true» når svaret er det lagrede svaret på en tidligere forespørsel med samme "
        "Idempotency-Key (ingenting ble skrevet nå).",
        "schema": {"type": "string", "enum": ["true"]},
    }
}
SAKSBEHANDLER = {
    "name": SAKSBEHANDLER_HEADER,
    "in": "header",
    "required": False,
    "description": "Bare for et fagsystem: saksbehandleren som «Registrert av», «<kommunenummer>-<initialer>» "
    "med klientens kommunenummer (ellers 422). Uten headeren: «<kommunenummer>-SYSTEM». Et saksbehandlertoken "
    "har identen selv; headeren brukes da ikke.",
    "schema": {"type": "string"},
    "example": "4223-CES",
}


_FASTAPIS = {"Validation Error", "Successful Response", "Additional Response"}  # FastAPI's default descriptions


def _problem(beskrivelse: str) -> dict[str, Any]:
    return {"description": beskrivelse, "content": {problem.MEDIA_TYPE: {"schema": PROBLEM_REF}}}


def _som_problemer(op: dict[str, Any]) -> None:
    """Every error answer of the operation with the problem schema (FastAPI's own 422 schema replaced)."""
    for status, svar in op.get("responses", {}).items():
        if status[0] in "45":
            beskrivelse = svar.get("description")
            if not beskrivelse or beskrivelse in _FASTAPIS:
                beskrivelse = SVAR.get(status, beskrivelse or "")
            op["responses"][status] = _problem(beskrivelse)


def _med_datomonster(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "date" and node.get("type") == "string":
            node.setdefault("pattern", DATO_MONSTER)
        for v in node.values():
            _med_datomonster(v)
    elif isinstance(node, list):
        for v in node:
            _med_datomonster(v)


def security_schemes(identity: IdentitySettings) -> dict[str, Any]:
    return {
        "saksbehandler": {
            "type": "openIdConnect",
            "openIdConnectUrl": identity.oidc_discovery[0],
            "description": "Saksbehandler (ID-porten eller kommunens Entra ID), via NIRs webapplikasjon. Tilgangen "
            "kommer fra tokenets claims: roller SAKSBEHANDLER (lese og skrive), LESETILGANG (lese), "
            "IMDI (lese alle kommuner); kommunenummer, og bydelsnummer for en bruker i én bydel.",
        },
        "fagsystem": {
            "type": "openIdConnect",
            "openIdConnectUrl": identity.maskinporten_discovery_url,
            "description": "Kommunens fagsystem (Maskinporten). Kommunen er consumer-organisasjonen "
            "(0192:<orgnr>); scope imdi:nir.avslutning.les leser, imdi:nir.avslutning.skriv skriver "
            "og leser. IMDis bosettingssystem (IMDis orgnr) med scope imdi:nir.avslutning.opphold registrerer "
            "opphold og ingenting annet. «Registrert av»: headeren Nir-Saksbehandler («<kommunenummer>-<initialer>»), "
            "ellers «<kommunenummer>-SYSTEM».",
        },
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Et access token fra en av de to utstederne, limt inn.",
        },
    }


def krav(handling: Handling) -> list[dict[str, list[str]]]:
    """Any one of: a caseworker's token, a system token with the operation's scope, or a pasted bearer token;
    reporting opphold takes IMDi's system token only (no caseworker)."""
    if handling is Handling.OPPHOLD:
        return [{"fagsystem": [SCOPES[handling]]}, {"bearer": []}]
    return [{"saksbehandler": OIDC_SCOPES}, {"fagsystem": [SCOPES[handling]]}, {"bearer": []}]


def _beskriv(op: dict[str, Any], route: APIRoute, *, idempotens: bool) -> None:
    """An operation's id, answers and headers, from what the route is."""
    op["operationId"] = route.name  # the handler's name: registrer_deltaker, not FastAPI's path-derived id
    svar = op.setdefault("responses", {})
    har_kropp = "requestBody" in op
    har_parametre = har_kropp or bool(op.get("parameters"))
    if har_kropp:
        svar.setdefault("400", {})
    if har_parametre:
        svar.setdefault("422", {})
    elif "422" in svar:
        del svar["422"]
    if "{" in route.path_format:
        svar.setdefault("404", {})
    if isinstance(route, BeskyttetRute):
        op["security"] = krav(route.handling)
        op["x-nir-tilgang"] = route.handling.value
        for status in ("401", "403", "422", "503"):  # 422: a fagsystem's malformed Nir-Saksbehandler
            svar.setdefault(status, {})
        parametre = op.setdefault("parameters", [])
        parametre.append(SAKSBEHANDLER)
        if route.handling is Handling.SKRIVE:
            svar.setdefault("409", {"description": SAMTIDIG})
        if idempotens and route.handling is Handling.SKRIVE:
            parametre.append(IDEMPOTENCY_KEY)
            for status, ok in svar.items():
                if status.startswith("2"):
                    ok["headers"] = {**ok.get("headers", {}), **IDEMPOTENT_REPLAYED}
    else:
        op["security"] = []
    _som_problemer(op)
    op["responses"] = dict(sorted(svar.items()))


def install(app: FastAPI, identity: IdentitySettings | None, *, idempotens: bool = False) -> None:
    """The document's security statements and answers, and /docs with local assets. Call after every router is
    included. `idempotens`: the service's write operations take an Idempotency-Key."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for kontekst in iter_route_contexts(app.routes):  # routes of included routers too
                route = kontekst.original_route
                if not isinstance(route, APIRoute) or not kontekst.include_in_schema:
                    continue
                for method in kontekst.methods or ():
                    _beskriv(doc["paths"][kontekst.path_format][method.lower()], route, idempotens=idempotens)
            skjemaer = doc.setdefault("components", {}).setdefault("schemas", {})
            for fastapis in ("HTTPValidationError", "ValidationError"):
                skjemaer.pop(fastapis, None)
            skjemaer.update(
                {
                    navn: skjema
                    for navn, skjema in problem.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
                    .pop("$defs", {})
                    .items()
                }
            )
            skjemaer["Problem"] = {
                k: v
                for k, v in problem.Problem.model_json_schema(ref_template="#/components/schemas/{model}").items()
                if k != "$defs"
            }
            _med_datomonster(doc)
            ider = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
            if len(ider) != len(set(ider)):
                raise RuntimeError(f"operationId brukt to ganger: {sorted({i for i in ider if ider.count(i) > 1})}")
            if identity is not None:
                doc["components"]["securitySchemes"] = security_schemes(identity)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    if SWAGGER_UI.is_dir():
        app.mount(ASSETS, StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    init_oauth = None
    if identity is not None and identity.swagger_ui_client_id:
        init_oauth = {
            "clientId": identity.swagger_ui_client_id,
            "usePkceWithAuthorizationCodeGrant": True,
            "scopes": " ".join(OIDC_SCOPES),
        }

    @app.get(DOCS, include_in_schema=False)
    async def docs() -> HTMLResponse:
        if not SWAGGER_UI.is_dir():
            return HTMLResponse("<p>Swagger UI mangler: kjør <code>make setup</code> (npm ci).</p>", status_code=503)
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} – API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=REDIRECT,
            init_oauth=init_oauth,
        )

    @app.get(REDIRECT, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
