"""What schemathesis is taught of our document, loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py:

- the custom string format «fodselsnummer» that shared/identer.py declares (11 digits with Skatteetaten's two
  mod-11 check digits, which no pattern can say), generated as valid numbers;
- a client sends a new Idempotency-Key per request (the document says so): a valid generated key is replaced by
  a fresh one, or keys like "0" would be reused across operations and every later request refused as a reuse;
- UNNTAK: the refusals of schema-valid requests that are right, each with its reason. A failure is dropped only
  when the answer is a 422 whose every field error is of one of these kinds; each drop is counted in the file
  NIR_SCHEMATHESIS_UNNTAK names, so the test can report them. Anything else stays a failure."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import schemathesis
from hypothesis import strategies as st

from shared.identer import med_kontrollsiffer

FODSELSNUMRE = (
    st.from_regex(r"\A[0-9]{9}\Z", fullmatch=True).map(med_kontrollsiffer).filter(lambda fnr: fnr is not None)
)
schemathesis.openapi.format("fodselsnummer", FODSELSNUMRE)

# field error kode (services/plumbing/problem.py) → why a schema-valid value may still be refused
UNNTAK = {
    "regel": "a registration rule over several fields, the person's registered data or today's date "
    "(services/registrering/domain/regler.py: no date before the fødselsdato, fødselsdato not in the future, "
    "programme dates from 2003-09-01 to the longest programme ahead, Arbeid needs hours); JSON Schema cannot "
    "compare two values or know today",
    "periode_rekkefolge": "til before fra in a periode: JSON Schema cannot compare two fields",
    "periode_lengde": "rapport's statistikk over more than 20 years (fra_aar to til_aar): JSON Schema cannot "
    "compare two parameters",
    "int_type": "an integer written as a float (2.0): JSON Schema counts it as an integer, the API's strict JSON "
    "types refuse it on purpose (issue #11 §3: side 2, never 2.0 or «2»)",
    "decimal_max_places": "more than one decimal in hours per week: `multipleOf: 0.1` is not exact for binary "
    "floating point, so the one-decimal rule is in the description only",
    "idempotency_key_brukt": "an Idempotency-Key reused for another request is 422 (IETF "
    "draft-ietf-httpapi-idempotency-key-header); a client sends a new key per request",
}


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and 1 <= len(key) <= 200:
        headers["Idempotency-Key"] = str(uuid.uuid4())


def _feilkoder(response: Any) -> set[str] | None:
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return None
    if not isinstance(body, dict) or body.get("kode") != "UGYLDIGE_FELT" or not body.get("feil"):
        return None
    return {str(f.get("kode")) for f in body["feil"]}


@schemathesis.hook
def filter_failure(ctx: Any, failure: Any, case: Any, response: Any) -> bool:
    """False (drop) only for a documented exception."""
    if failure.code != "ST202" or response.status_code != 422:
        return True
    koder = _feilkoder(response)
    if koder is None or not koder <= UNNTAK.keys():
        return True
    fil = os.environ.get("NIR_SCHEMATHESIS_UNNTAK")
    if fil:
        with open(fil, "a", encoding="utf-8") as f:
            f.write(json.dumps({"operasjon": failure.operation, "koder": sorted(koder)}) + "\n")
    return False
