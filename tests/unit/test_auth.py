"""The parts of services/plumbing/auth.py that need no provider: the org→kommune table and the rule that every
route of the API says what it does (the tokens themselves: tests/integration/test_identitet.py)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from services.plumbing.auth import BeskyttetRute, Lesetilgang, les_kommune_orgnr
from shared.settings import DEV_KOMMUNE_ORGNR


def test_the_development_org_kommune_table_is_valid_and_covers_the_demo_kommuner():
    tabell = les_kommune_orgnr(DEV_KOMMUNE_ORGNR)
    assert {"0301", "4601", "5001", "1103", "3201", "4223", "3301", "1804", "4204"} <= set(tabell.values())


@pytest.mark.parametrize(
    "innhold,feil",
    [
        ("kommunenummer,orgnr,navn\n4223,964966754,Vennesla\n", "ikke et organisasjonsnummer"),  # check digit
        ("kommunenummer,orgnr,navn\n9999,964966753,Ingen\n", "finnes ikke i kodeverket"),
        ("kommunenummer,orgnr,navn\n4223,964966753,A\n0301,964966753,B\n", "to ganger"),
    ],
)
def test_a_broken_table_stops_the_service(tmp_path, innhold, feil):
    fil = tmp_path / "t.csv"
    fil.write_text(innhold)
    with pytest.raises(ValueError, match=feil):
        les_kommune_orgnr(fil)
    with pytest.raises(ValueError, match="finnes ikke"):
        les_kommune_orgnr(tmp_path / "mangler.csv")


def test_a_protected_route_must_say_whether_it_reads_or_writes():
    router = APIRouter(route_class=BeskyttetRute)
    with pytest.raises(TypeError, match="Lesetilgang, Skrivetilgang og Oppholdstilgang"):

        @router.get("/uten")
        async def uten() -> dict:
            return {}

    @router.get("/med")
    async def med(_: Lesetilgang) -> dict:
        return {}

    assert router.routes[-1].handling.value == "lese"
