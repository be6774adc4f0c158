"""schemathesis, a client nobody here wrote, against registrering and rapport as their own processes (real
Kafka, PostgreSQL and identity provider; issue #16 §4): it reads each service's published OpenAPI document,
generates valid and invalid requests from it (examples, coverage and fuzzing phases) and checks every answer
with all of its checks: no 5xx, only documented statuses, content types and headers, bodies as their schemas
say, schema-valid requests accepted, schema-invalid ones refused, 401 without a token, a complete Allow on 405.

Bounded: a fixed number of cases per operation and a time budget per service (a few minutes in all). The
figures of each run (operations, requests, failures per check) are printed and written to
test-output/schemathesis/<service>.json (and .txt, schemathesis' own account with a curl line per failure). A
failure schemathesis finds fails the test, unless it is one of the documented exceptions of
schemathesis_hooks.UNNTAK (each with its reason: a 422 for a rule JSON Schema cannot state); those are counted
and printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.contracts.schemathesis_hooks import UNNTAK
from tests.e2e.system import System
from tests.support.infrastructure import Infrastructure
from tests.support.naming import run_id

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "schemathesis"
TJENESTER = ("registrering", "rapport")
# per operation and phase; the whole run per service stops at MAX_TID seconds whatever is left
EKSEMPLER = int(os.environ.get("NIR_SCHEMATHESIS_EXAMPLES", "25"))
MAX_TID = int(os.environ.get("NIR_SCHEMATHESIS_MAX_SECONDS", "90"))


@pytest.fixture(scope="module")
async def system(
    kafka_bootstrap: str, infrastructure: Infrastructure, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[System]:
    workdir = tmp_path_factory.mktemp("schemathesis")
    async with fresh_database(infrastructure) as database_url:
        s = System(kafka_bootstrap, database_url, f"st-{run_id()}.", workdir)
        for navn in TJENESTER:
            s.add(navn, f"services.{navn}")
        try:
            await s.start()
            yield s
        finally:
            await s.stop()


def kjor(url: str, token: str, rapport: Path) -> dict:
    """One schemathesis run against the service at `url`; its JSON report."""
    rapport.parent.mkdir(parents=True, exist_ok=True)
    unntak = rapport.with_suffix(".unntak.jsonl")
    unntak.unlink(missing_ok=True)
    cmd = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EKSEMPLER),
        "--max-time",
        str(MAX_TID),
        "--workers",
        "1",
        "--seed",
        "16",
        "--no-shrink",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(rapport),
        "--report-ndjson-path",
        str(rapport.with_suffix(".ndjson")),
        "--warnings",
        "off",
        # a hypothesis health check, not a contract finding: with a name's length limits beside its
        # «no control characters» pattern, hypothesis discards many generated strings and gives up on the operation
        "--suppress-health-check",
        "filter_too_much",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.contracts.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
        "NIR_SCHEMATHESIS_UNNTAK": str(unntak),
    }
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=MAX_TID * 3 + 60, check=False)
    (rapport.with_suffix(".txt")).write_text(res.stdout + res.stderr, encoding="utf-8")
    assert rapport.exists(), res.stdout[-3000:] + res.stderr[-3000:]
    return json.loads(rapport.read_text(encoding="utf-8"))


@pytest.mark.parametrize("tjeneste", TJENESTER)
async def test_schemathesis_finds_nothing(system: System, identity_provider, tjeneste: str) -> None:
    # an Oslo-wide caseworker who may read and write: every operation is allowed, so what schemathesis sees is
    # the contract, not a refusal
    token = identity_provider.caseworker("0301-STH", "0301")
    rapport = kjor(system.url(tjeneste), token, OUTPUT / f"{tjeneste}.json")
    unntak = (
        Counter(
            (u["operasjon"], k)
            for linje in (OUTPUT / f"{tjeneste}.unntak.jsonl").read_text(encoding="utf-8").splitlines()
            if linje
            for u in [json.loads(linje)]
            for k in u["koder"]
        )
        if (OUTPUT / f"{tjeneste}.unntak.jsonl").exists()
        else Counter()
    )
    ops, cases = rapport["operations"], rapport["test_cases"]
    print(
        f"\n[schemathesis] {tjeneste}: {ops['tested']}/{ops['total']} operations, {cases['generated']} test cases, "
        f"{cases['unique_failures']} failures, {sum(unntak.values())} documented exceptions "
        f"({rapport['running_time']:.0f}s, stop: {rapport['stop_reason']})"
    )
    for (operasjon, kode), n in sorted(unntak.items()):
        print(f"[schemathesis]   exception {kode} ×{n} on {operasjon}: {UNNTAK[kode]}")
    assert rapport["errors"] == [], rapport["errors"]
    assert ops["errored"] == 0 and ops["tested"] == ops["total"], ops
    feil = [(f["code"], f["title"], f["operations"]) for f in rapport["failures"]]
    assert feil == [], f"schemathesis failures (see {OUTPUT / tjeneste}.txt): {feil}"
