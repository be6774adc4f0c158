"""The report's name search (seed nir-brukerveiledning-avslutning-2023 §8 «Søk»: each word starts the fornavn
or the etternavn) is answered in two disjoint parts for speed (sporringer.side). Whatever the words, sort
order, direction, page, scope and other filters, it must give exactly the rows and the total of the plain query."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime

import pytest

from services.plumbing.auth import Bruker
from services.rapport.domain import sorteringsnokkel
from services.rapport.lager import sporringer
from shared.kodeverk.kategorier import Lov
from shared.tilgang import Omfang, Rolle

pytestmark = pytest.mark.integration

FORNAVN = ["Åse", "Åsmund", "Ola", "Kari", "Øyvind", "Hadi", "Amina", "Ås", "Nord", "Ole Kristian"]
ETTERNAVN = ["Ås", "Åsen", "Nordmann", "Haddad", "Øvrebø", "Olsen", "Kari", "Ahmed", "Hansen", "Åse"]
KOMMUNER = ["4223", "0301", "1103"]


async def _fyll(conn, n: int = 600) -> None:
    rnd = random.Random(7)
    rows = []
    for i in range(n):
        fornavn, etternavn = rnd.choice(FORNAVN), rnd.choice(ETTERNAVN)
        rows.append(
            (
                uuid.UUID(int=i + 1),
                rnd.choice([Lov.INTEGRERINGSLOVEN.value, Lov.INTRODUKSJONSLOVEN.value]),
                f"{i:012d}",
                fornavn,
                etternavn,
                sorteringsnokkel(fornavn),
                sorteringsnokkel(etternavn),
                "K",
                date(1990, 1, 1),
                33,
                uuid.uuid4(),
                "ORDINAER",
                "ARBEID",
                "Arbeid",
                "Arbeid",
                date(rnd.choice([2022, 2023]), 1, 1 + i % 28),
                0,
                rnd.choice(["kommune", "regelmotor"]),
                "x",
                datetime(2023, 1, 1, tzinfo=UTC),
                rnd.choice(KOMMUNER),
                "K",
                "42",
                "F",
            )
        )
    await conn.copy_records_to_table(
        "rapport_rad",
        records=rows,
        columns=[
            "deltaker_id",
            "lov",
            "duf_nummer",
            "fornavn",
            "etternavn",
            "fornavn_sort",
            "etternavn_sort",
            "kjonn",
            "fodselsdato",
            "alder",
            "avslutning_id",
            "avslutningstype",
            "arsak",
            "arsak_navn",
            "gruppe",
            "avslutningsdato",
            "avslutningsaar",
            "kilde",
            "registrert_av",
            "registrert_dato",
            "oppfolgingskommune",
            "kommune_navn",
            "oppfolgingsfylke",
            "fylke_navn",
        ],
    )
    await conn.execute("UPDATE rapport_rad SET avslutningsaar = extract(year FROM avslutningsdato)")


async def _enkel(
    conn, bruker: Bruker, f: sporringer.Filter, *, side: int, per_side: int, sorter: str, retning: sporringer.Retning
) -> tuple[list[uuid.UUID], int]:
    """The plain query (one WHERE with the OR), the reference."""
    where, args = f.where(bruker)
    orden = sporringer.order_by(sorter, retning)
    totalt = await conn.fetchval(f"SELECT count(*) FROM rapport_rad WHERE {where}", *args)
    rows = await conn.fetch(
        f"SELECT deltaker_id FROM rapport_rad WHERE {where} ORDER BY {orden}"
        f" LIMIT {per_side} OFFSET {(side - 1) * per_side}",
        *args,
    )
    return [r["deltaker_id"] for r in rows], totalt


@pytest.mark.parametrize("sorter", ["etternavn", "fornavn", "avslutningsdato"])
async def test_name_search_in_two_parts_gives_the_plain_querys_rows_and_total(schema_pool, sorter):
    async with schema_pool.acquire() as conn:
        await _fyll(conn)
        imdi = Bruker("IMDI-X", Omfang(Rolle.IMDI), "imdi")
        kommune = Bruker("4223-X", Omfang(Rolle.LESETILGANG, "4223"), "4223")
        sok = ["ås", "å", "åse", "ola", "kari", "nord", "ø", "had", "ås åsen", "ole kristian", "x", "a", "%", "o_"]
        checked = 0
        for navn in sok:
            for bruker in (imdi, kommune):
                for lov, andre in (
                    (Lov.INTEGRERINGSLOVEN, {}),
                    (Lov.INTRODUKSJONSLOVEN, {}),
                    (Lov.INTEGRERINGSLOVEN, {"registrert_av": "regelmotor", "avslutningsaar": 2023}),
                    (Lov.INTRODUKSJONSLOVEN, {"duf_nummer": "0000000001"}),
                    (Lov.INTEGRERINGSLOVEN, {"oppfolgingskommune": "4223"}),
                ):
                    f = sporringer.Filter(lov=lov, navn=navn, **andre)
                    for retning in ("stigende", "synkende"):
                        for side, per_side in ((1, 25), (2, 25), (3, 7), (40, 25)):
                            got = await sporringer.side(
                                conn, bruker, f, side=side, per_side=per_side, sorter=sorter, retning=retning
                            )
                            want = await _enkel(
                                conn, bruker, f, side=side, per_side=per_side, sorter=sorter, retning=retning
                            )
                            assert ([r["deltaker_id"] for r in got.rader], got.totalt) == want, (navn, bruker, side)
                            checked += want[1] > 0
        assert checked > 300  # the searches found something, most of the time
