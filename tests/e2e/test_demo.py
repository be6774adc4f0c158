"""deploy/local/demo.py's registrations are accepted by the running registrering as the inputs now are (issue
#13): IMDi reports each person's opphold, the kommune sends neither kategori nor lov, utdanningsbakgrunn before
the sluttmål, and every computed kategori and lov is the one the demo planned."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.e2e.nir import Nir

pytestmark = pytest.mark.integration

PERSONER = 40


def demo_modul() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo", Path(__file__).parents[2] / "deploy/local/demo.py")
    assert spec is not None and spec.loader is not None
    modul = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modul)
    return modul


async def test_demoens_registreringer_godtas(nir: Nir, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = demo_modul()
    monkeypatch.setattr(demo, "REGISTRERING", nir.reg(""))
    d = demo.Demo(PERSONER)
    r = await nir.http.post(nir.sim("/personer"), params={"antall": PERSONER})
    assert r.status_code == 200, r.text
    fnr = [p["folkeregisteridentifikator"] for p in r.json()]
    async with httpx.AsyncClient(timeout=30) as client:
        for i, f in enumerate(fnr):
            await d.register(client, i, f)  # raises on any refusal
        lover, kategorier = set(), []
        for i, f in enumerate(fnr):
            plan = d.plan(i, f)
            sok = await client.post(
                f"{demo.REGISTRERING}/deltakere/sok",
                json={"duf_nummer": demo.duf(i)},
                headers=d.headers(plan["kommune"]),
            )
            assert sok.status_code == 200, sok.text
            person = sok.json()
            assert person["lov"] == plan["lov"], (i, person["lov"], plan)
            kategorier.append(person["kategori"])
            lover.add(person["lov"])
    assert lover == {"introduksjonsloven", "integreringsloven"}
    # computed from the flyktning tillatelser and the ages: mostly rett og plikt, none for a minor
    assert set(kategorier) <= {"RETT_OG_PLIKT", "KAN_TILBYS", None}, kategorier
    assert kategorier.count("RETT_OG_PLIKT") > PERSONER // 2, kategorier
