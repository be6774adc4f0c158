"""The access rule (DOMAIN.md §4.8, shared/tilgang.py) once: its SQL filter selects, on the real PostgreSQL,
exactly the rows its Python predicate sees — for every kind of caller, over placements that include other
kommuner, other Oslo bydeler and deltakere without bydel (NULL)."""

from __future__ import annotations

import itertools
import random

import pytest

from shared import tilgang
from shared.tilgang import Avgjorelse, Handling, Omfang, Plassering, Rolle

pytestmark = pytest.mark.integration

KOMMUNER = ["0301", "4223", "1103"]
BYDELER = [None, "030101", "030102", "030104"]


def plasseringer(rng: random.Random, n: int) -> list[Plassering]:
    ut = [Plassering(k, b) for k, b in itertools.product(KOMMUNER, BYDELER) if k == "0301" or b is None]
    ut += [Plassering(rng.choice(KOMMUNER), None) for _ in range(n)]
    ut += [Plassering("0301", rng.choice(BYDELER)) for _ in range(n)]
    return ut


OMFANG = [
    Omfang(Rolle.IMDI),
    Omfang(Rolle.SAKSBEHANDLER, "0301", skrive=True),
    Omfang(Rolle.LESETILGANG, "0301"),
    Omfang(Rolle.SAKSBEHANDLER, "0301", "030102", skrive=True),
    Omfang(Rolle.LESETILGANG, "0301", "030104"),
    Omfang(Rolle.SAKSBEHANDLER, "4223", skrive=True),
    Omfang(Rolle.FAGSYSTEM, "1103", skrive=False),
    Omfang(Rolle.SAKSBEHANDLER, "5001", skrive=True),  # a kommune with no rows at all
]


async def test_the_sql_filter_and_the_function_agree(database_url):
    import asyncpg

    rng = random.Random(14)
    rader = plasseringer(rng, 200)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "CREATE TEMP TABLE plassering (id int PRIMARY KEY, oppfolgingskommune text NOT NULL, bydel text)"
        )
        await conn.copy_records_to_table(
            "plassering", records=[(i, p.oppfolgingskommune, p.bydel) for i, p in enumerate(rader)]
        )
        for omfang in OMFANG:
            where, args = tilgang.sql_filter(omfang, forste_parameter=2, tabell="p")
            # a parameter before the filter's own, as the report's queries have (lov = $1)
            sql = f"SELECT id FROM plassering p WHERE $1::int >= 0 AND {where}"
            fra_sql = {r["id"] for r in await conn.fetch(sql, 0, *args)}
            fra_funksjonen = {i for i, p in enumerate(rader) if tilgang.kan_se(omfang, p)}
            assert fra_sql == fra_funksjonen, omfang
            assert fra_sql or omfang.kommunenummer == "5001"  # the comparison is not vacuous
    finally:
        await conn.close()


def test_the_decisions_per_caller():
    """DOMAIN.md §4.8 with the identity contract's roles: a hidden deltaker is SKJULT (answered 404), one the
    caller sees but may not change FORBUDT (403)."""
    grunerlokka, sagene, vennesla = Plassering("0301", "030102"), Plassering("0301", "030103"), Plassering("4223")
    oslo, oslo_les = Omfang(Rolle.SAKSBEHANDLER, "0301", skrive=True), Omfang(Rolle.LESETILGANG, "0301")
    bydel = Omfang(Rolle.SAKSBEHANDLER, "0301", "030102", skrive=True)
    imdi, system_les = Omfang(Rolle.IMDI), Omfang(Rolle.FAGSYSTEM, "0301")

    def v(o, h, p):
        return tilgang.vurder(o, h, p).avgjorelse

    assert v(oslo, Handling.SKRIVE, sagene) is Avgjorelse.TILLATT  # kommune-wide: every bydel
    assert v(oslo_les, Handling.LESE, sagene) is Avgjorelse.TILLATT
    assert v(oslo_les, Handling.SKRIVE, sagene) is Avgjorelse.FORBUDT
    assert v(bydel, Handling.SKRIVE, grunerlokka) is Avgjorelse.TILLATT
    assert v(bydel, Handling.LESE, sagene) is Avgjorelse.SKJULT  # another bydel: not seen
    assert v(bydel, Handling.LESE, Plassering("0301")) is Avgjorelse.SKJULT  # no bydel: not the bydel's
    assert v(oslo, Handling.LESE, vennesla) is Avgjorelse.SKJULT
    assert v(imdi, Handling.LESE, vennesla) is Avgjorelse.TILLATT
    assert v(imdi, Handling.SKRIVE, vennesla) is Avgjorelse.FORBUDT
    assert v(system_les, Handling.SKRIVE, sagene) is Avgjorelse.FORBUDT
    assert not tilgang.kan_registrere(bydel, sagene).tillatt
    assert tilgang.kan_registrere(oslo, sagene).tillatt
    assert not tilgang.kan_registrere(oslo, vennesla).tillatt
    assert not tilgang.kan_registrere(imdi, vennesla).tillatt
    assert not tilgang.filter_innenfor(bydel, "0301", "030103").tillatt
    assert tilgang.filter_innenfor(bydel, "0301", None).tillatt
    assert not tilgang.filter_innenfor(oslo, "4223", None).tillatt
    assert tilgang.filter_innenfor(imdi, "4223", "030101").tillatt


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(rolle=Rolle.IMDI, kommunenummer="0301"),
        dict(rolle=Rolle.IMDI, skrive=True),
        dict(rolle=Rolle.SAKSBEHANDLER),
        dict(rolle=Rolle.SAKSBEHANDLER, kommunenummer="4223", bydelsnummer="030102"),
    ],
)
def test_impossible_authorities_cannot_be_built(kwargs):
    with pytest.raises(ValueError):
        Omfang(**kwargs)
