"""«Last ned CSV fil» (DOMAIN.md §7, seed §8–9): read back as Excel with Norwegian settings reads it —
UTF-8 with BOM, semicolon, CRLF — with the 15 columns, æøå intact, dates dd.mm.yyyy, numbers as numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from services.rapport import domain, forbruker
from shared.events.deltaker import Kjonn
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori
from shared.kodeverk.sluttmal import Sluttmalkode
from tests.support.hendelser import Deltaker, person

pytestmark = pytest.mark.integration

KOLONNER = [
    "DUF-nummer",
    "Fornavn",
    "Etternavn",
    "Kjønn",
    "Alder",
    "Kategori",
    "Sluttmål",
    "Avslutningsårsak",
    "Avslutningsårsakgruppe",
    "Avslutningsdato",
    "Oppfølgingsfylke",
    "Oppfølgingskommune",
    "Registrert dato",
    "Registrert av",
    "Frist for gjennomføring",
]


def as_excel_reads(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "BOM: without it Excel reads UTF-8 as Windows-1252"
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


async def test_csv_for_the_current_filter_opens_as_excel_expects(client, rapport_app, token):
    d, d2 = Deltaker(), Deltaker()
    t = datetime(2023, 11, 20, 23, 30, tzinfo=domain.OSLO)  # 23:30 in Oslo: the date is Oslo's, not UTC's
    start = date(2021, 11, 16)
    events = [
        *d.registrering(
            person("110300000001", "Åse Ærlig", "Øvrebø; «Sør»", kommune="1103", fodselsdato=date(1990, 11, 16))
        ),
        d.kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1)),
        d.vedtak(fra=start, til=start + timedelta(days=700), vedtaksdato=start - timedelta(days=10)),
        d.sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, start),
        d.fravaer(date(2022, 1, 3), date(2022, 1, 7)),
        d.kommune_avslutning(date(2023, 11, 15), Kode.ARBEID, t=t, av="1103-ÅØ", kommune="1103", timer=Decimal("37.5")),
        *d2.registrering(person("110300000002", "Bjørn", "Ås", kommune="1103", kjonn=Kjonn.MANN)),
        d2.beregnet_avslutning(Kode.UTVANDRET, date(2022, 4, 28), t=t, kommune="1103"),
    ]
    async with rapport_app.state.runtime.pool.acquire() as conn:
        for e in events:
            async with conn.transaction():
                await forbruker.behandle(conn, [e])

    r = await client.get(
        "/api/v1/rapport/integreringsloven/csv?oppfolgingskommune=1103&sorter=etternavn",
        headers={"Authorization": f"Bearer {token('1103', user='1103-ÅØ')}"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "avsluttede-deltakere-integreringsloven.csv" in r.headers["content-disposition"]
    rows = as_excel_reads(r.content)
    assert rows[0] == KOLONNER
    assert len(rows) == 3
    by_duf = {x[0]: dict(zip(KOLONNER, x, strict=False)) for x in rows[1:]}
    ase = by_duf["110300000001"]
    assert ase["Fornavn"] == "Åse Ærlig" and ase["Etternavn"] == "Øvrebø; «Sør»"  # the ';' is quoted, not a column
    assert ase["Kjønn"] == "Kvinne" and ase["Alder"] == "32"  # 32 on 15.11.2023, 33 the day after
    assert ase["Kategori"] == "Rett og plikt til introduksjonsprogram"
    assert ase["Sluttmål"] == "Arbeid, person har ikke utdanning på videregående nivå"
    assert (ase["Avslutningsårsak"], ase["Avslutningsårsakgruppe"]) == ("Arbeid", "Arbeid")
    assert ase["Avslutningsdato"] == "15.11.2023"
    assert (ase["Oppfølgingsfylke"], ase["Oppfølgingskommune"]) == ("Rogaland", "Stavanger")
    assert ase["Registrert dato"] == "20.11.2023" and ase["Registrert av"] == "1103-ÅØ"
    assert ase["Frist for gjennomføring"] == "20.11.2023"  # 15.11.2023 + 5 days gyldig fravær
    bjorn = by_duf["110300000002"]
    assert (bjorn["Kjønn"], bjorn["Avslutningsårsak"]) == ("Mann", "Utvandret")
    assert bjorn["Avslutningsårsakgruppe"] == "Inngår ikke i tallgrunnlaget for måloppnåelse"
    assert bjorn["Registrert av"] == "Regelmotor" and bjorn["Frist for gjennomføring"] == ""
    assert [x[2] for x in rows[1:]] == ["Øvrebø; «Sør»", "Ås"]  # Norwegian order: Ø before Å
    # a filter applies to the file as to the page
    r = await client.get(
        "/api/v1/rapport/integreringsloven/csv?registrert_av=regelmotor",
        headers={"Authorization": f"Bearer {token('1103')}"},
    )
    assert [x[0] for x in as_excel_reads(r.content)[1:]] == ["110300000002"]
    # a search on DUF-nummer or name: the filter in the POST body, the same file
    h = {"Authorization": f"Bearer {token('1103')}"}
    r = await client.post("/api/v1/rapport/integreringsloven/csv", headers=h, json={"navn": "åse", "sorter": "fornavn"})
    assert r.status_code == 200 and "avsluttede-deltakere-integreringsloven.csv" in r.headers["content-disposition"]
    assert as_excel_reads(r.content) == rows[:2]
    r = await client.post("/api/v1/rapport/integreringsloven/csv", headers=h, json={"duf_nummer": "110300000002"})
    assert [x[0] for x in as_excel_reads(r.content)[1:]] == ["110300000002"]
    r = await client.post(
        "/api/v1/rapport/integreringsloven/csv",
        headers={"Authorization": f"Bearer {token('4223')}"},
        json={"duf_nummer": "110300000002"},
    )
    assert r.status_code == 200 and as_excel_reads(r.content) == [KOLONNER]  # another kommune's person: not in it
    r = await client.post("/api/v1/rapport/integreringsloven/csv", headers=h, json={"duf": "110300000002"})
    assert r.status_code == 422
    r = await client.get("/api/v1/rapport/integreringsloven/csv?duf_nummer=110300000002", headers=h)
    assert r.status_code == 400 and "POST" in r.json()["detail"]
