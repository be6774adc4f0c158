"""The contract says who may call what (issue #14 §5): the OpenAPI document of every service declares its
security schemes and, per operation, the scope it needs and its 401/403 answers; an operation outside
BeskyttetRute (health, readiness, metrics, AsyncAPI) is declared public (`security: []`), so no operation is
left without a statement. Swagger UI at /docs is served from the service's own copy of swagger-ui-dist (npm,
package-lock.json), not from a CDN, and its «Authorize» logs in at the configured OIDC provider
(authorization code with PKCE, as the public client `swagger_ui_client_id`).
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

from services.plumbing.auth import SCOPES, BeskyttetRute
from shared.settings import IdentitySettings
from shared.tilgang import Handling

SWAGGER_UI = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"
DOCS, ASSETS, REDIRECT = "/docs", "/docs/assets", "/docs/oauth2-redirect"
OIDC_SCOPES = ["openid", "profile"]

_FEIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
SVAR = {
    "401": {
        "description": "Mangler gyldig token for API-et: ingen, ugyldig, utløpt, fra en annen utsteder, for en "
        "annen audience eller klient, eller uten API-ets scope (WWW-Authenticate: Bearer "
        'error="invalid_token").',
        "content": {"application/json": {"schema": _FEIL}},
    },
    "403": {
        "description": "Gyldig token uten tilgang: «ingen tilgang i NIR» (ingen gyldig rolle, ukjent kommune, "
        "en organisasjon som ikke er en kommune), lesetilgang på en skriveoperasjon "
        '(error="insufficient_scope" for en klient), eller en deltaker brukeren ser men ikke '
        "kan endre. En deltaker brukeren ikke ser, svarer som ukjent (404).",
        "content": {"application/json": {"schema": _FEIL}},
    },
}


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


def install(app: FastAPI, identity: IdentitySettings | None) -> None:
    """The document's security statements, and /docs with local assets. Call after every router is included."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for kontekst in iter_route_contexts(app.routes):  # routes of included routers too
                route = kontekst.original_route
                if not isinstance(route, APIRoute) or not kontekst.include_in_schema:
                    continue
                for method in kontekst.methods or ():
                    op = doc["paths"][kontekst.path_format][method.lower()]
                    if isinstance(route, BeskyttetRute):
                        op["security"] = krav(route.handling)
                        op["x-nir-tilgang"] = route.handling.value
                        op["responses"] = {**op.get("responses", {}), **SVAR}
                    else:
                        op["security"] = []
            if identity is not None:
                doc.setdefault("components", {})["securitySchemes"] = security_schemes(identity)
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
