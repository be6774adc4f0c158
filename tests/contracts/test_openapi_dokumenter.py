"""The services' OpenAPI documents (issue #16 §1 and §4): valid OpenAPI 3.1 by openapi-spec-validator, and what a
kommune integrator needs from each operation: a meaningful operationId, a summary and a description, an example
of every request body, every refusal as a problem (application/problem+json), and no internal text. Built from
the apps themselves, without starting them (no infrastructure needed)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from services.folkeregister_adapter.app import create_app as adapter_app
from services.plumbing.problem import KODER, MEDIA_TYPE
from services.rapport.app import create_app as rapport_app
from services.regelmotor.app import create_app as regelmotor_app
from services.registrering.app import create_app as registrering_app
from shared.settings import FolkeregisterAdapterSettings, RapportSettings, RegelmotorSettings, RegistreringSettings

APPS = {
    "registrering": lambda: registrering_app(RegistreringSettings()),
    "rapport": lambda: rapport_app(RapportSettings()),
    "regelmotor": lambda: regelmotor_app(RegelmotorSettings()),
    "folkeregister_adapter": lambda: adapter_app(FolkeregisterAdapterSettings()),
}
API = ("registrering", "rapport")


def _doc(tjeneste: str) -> dict[str, Any]:
    return APPS[tjeneste]().openapi()


def _operasjoner(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]


@pytest.mark.parametrize("tjeneste", list(APPS))
def test_the_document_is_valid_openapi(tjeneste):
    validate(_doc(tjeneste))  # raises OpenAPIValidationError with the path to what is wrong


@pytest.mark.parametrize("tjeneste", list(APPS))
def test_operational_routes_are_not_in_the_public_document(tjeneste):
    doc = _doc(tjeneste)
    assert not {"/health/live", "/health/ready", "/metrics", "/asyncapi.json"} & doc["paths"].keys()


@pytest.mark.parametrize("tjeneste", API)
def test_every_operation_says_what_it_is_and_answers(tjeneste):
    doc = _doc(tjeneste)
    for metode, sti, op in _operasjoner(doc):
        navn = f"{tjeneste} {metode} {sti}"
        assert re.fullmatch(r"[a-z][a-z_]+", op["operationId"]) and "api_v1" not in op["operationId"], navn
        assert op.get("summary") and op.get("description"), navn
        if "requestBody" in op:
            (innhold,) = op["requestBody"]["content"].values()
            skjema = doc["components"]["schemas"][innhold["schema"]["$ref"].rsplit("/", 1)[-1]]
            assert skjema.get("examples"), f"{navn}: no example of its body"
            assert "400" in op["responses"], f"{navn}: an unparseable body is 400"
        for status, svar in op["responses"].items():
            if status[0] in "45":
                assert list(svar["content"]) == [MEDIA_TYPE], (navn, status)
            elif status != "204":
                assert svar["content"], (navn, status)
        assert {"401", "403", "422"} <= op["responses"].keys(), navn


@pytest.mark.parametrize("tjeneste", API)
def test_no_internal_text_in_the_document(tjeneste):
    tekst = str(_doc(tjeneste))
    assert "DOMAIN.md" not in tekst and "issue #" not in tekst


def test_the_problem_codes_are_documented():
    problem = _doc("registrering")["components"]["schemas"]["Problem"]
    assert all(kode in problem["properties"]["kode"]["description"] for kode in KODER)


def test_write_operations_take_an_idempotency_key_and_say_when_they_replay():
    for metode, sti, op in _operasjoner(_doc("registrering")):
        if op["x-nir-tilgang"] != "skrive":
            continue
        assert "Idempotency-Key" in [p["name"] for p in op["parameters"]], (metode, sti)
        ok = next(svar for status, svar in op["responses"].items() if status.startswith("2"))
        assert "Idempotent-Replayed" in ok["headers"], (metode, sti)


def test_the_report_files_have_their_content_types():
    doc = _doc("rapport")
    for sti, typ in (("/api/v1/rapport/{lov}/csv", "text/csv"), ("/api/v1/rapport/{lov}/xlsx", "spreadsheetml")):
        for op in doc["paths"][sti].values():
            assert [t for t in op["responses"]["200"]["content"] if typ in t], (sti, op["responses"]["200"])
            assert "application/json" not in op["responses"]["200"]["content"]


@pytest.mark.parametrize(
    ("tjeneste", "sti", "metoder"),
    [
        ("registrering", "/api/v1/deltakere/00000000-0000-4000-8000-000000000001", {"GET", "HEAD", "PUT"}),
        ("registrering", "/api/v1/deltakere", {"POST"}),
        ("rapport", "/api/v1/rapport/integreringsloven/csv", {"GET", "HEAD", "POST"}),
    ],
)
async def test_options_and_405_name_every_method_of_the_path(tjeneste, sti, metoder):
    """RFC 9110: OPTIONS says what a path answers to, and a 405's Allow names all of it (every route of the path,
    not only the first one Starlette tried). Only routing is involved, so the app runs without its lifespan."""
    doc = _doc(tjeneste)
    dokumentert = {m.upper() for m in doc["paths"][next(p for p in doc["paths"] if _samme(p, sti))]}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=APPS[tjeneste]()), base_url="http://t") as c:
        options = await c.options(sti)
        feil = await c.request("PUT" if "PUT" not in metoder else "TRACE", sti)
    allow = {m.strip() for m in options.headers["allow"].split(",")}
    assert options.status_code == 204 and allow == metoder | {"OPTIONS"}, options.headers
    assert allow - {"HEAD", "OPTIONS"} == dokumentert
    assert feil.status_code == 405 and {m.strip() for m in feil.headers["allow"].split(",")} == allow
    assert feil.headers["content-type"] == MEDIA_TYPE


def _samme(mal: str, sti: str) -> bool:
    return re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", mal), sti) is not None
