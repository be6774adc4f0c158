"""«Last ned Excel-fil» and the CSV, opened by the real programs (issue #17 §2, seed §9): openpyxl reads the
workbook back, and LibreOffice (headless, Norwegian settings) opens both files as a user would — 15 columns
in order on row 3 with an autofilter, Norwegian letters intact, DUF-nummer as text, dates as dates,
numbers as numbers."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from services.rapport import domain, forbruker
from shared.events.deltaker import Kjonn
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Kategori
from shared.kodeverk.sluttmal import Sluttmalkode
from tests.rapport.test_csv import KOLONNER
from tests.support.hendelser import Deltaker, person

pytestmark = pytest.mark.integration

KOMMUNE = "1149"  # Karmøy: a kommune no other rapport test fills
TITTEL = "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven"


@pytest.fixture(scope="module")
async def to_personer(rapport_app):
    """Two persons in a kommune of their own, projected once for the module's tests."""
    d, d2 = Deltaker(), Deltaker()
    t = datetime(2023, 11, 20, 23, 30, tzinfo=domain.OSLO)
    start = date(2021, 11, 16)
    duf1, duf2 = f"2023{uuid.uuid4().int % 10**8:08d}", f"2023{uuid.uuid4().int % 10**8:08d}"
    events = [
        *d.registrering(person(duf1, "Åse Ærlig", "Øvrebø; «Sør»", kommune=KOMMUNE, fodselsdato=date(1990, 11, 16))),
        d.kategori(Kategori.RETT_OG_PLIKT, date(2021, 9, 1)),
        d.vedtak(fra=start, til=start + timedelta(days=700), vedtaksdato=start - timedelta(days=10)),
        d.sluttmal(Sluttmalkode.ARBEID_HAR_IKKE_VGO, start),
        d.kommune_avslutning(
            date(2023, 11, 15), Kode.ARBEID, t=t, av=f"{KOMMUNE}-ÅØ", kommune=KOMMUNE, timer=Decimal("37.5")
        ),
        *d2.registrering(person(duf2, "Bjørn", "Ås", kommune=KOMMUNE, kjonn=Kjonn.MANN)),
        d2.beregnet_avslutning(Kode.UTVANDRET, date(2022, 4, 28), t=t, kommune=KOMMUNE),
    ]
    async with rapport_app.state.runtime.pool.acquire() as conn, conn.transaction():
        await forbruker.behandle(conn, events)
    return duf1, duf2


async def test_the_workbook_has_titles_autofilter_and_typed_cells(client, token, to_personer):
    duf1, duf2 = to_personer
    r = await client.get(
        f"/api/v1/rapport/integreringsloven/xlsx?oppfolgingskommune={KOMMUNE}&sorter=etternavn",
        headers={"Authorization": f"Bearer {token(KOMMUNE)}"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "avsluttede-deltakere-integreringsloven.xlsx" in r.headers["content-disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == TITTEL
    assert ws["A2"].value == "Filter: Oppfølgingskommune: Karmøy"
    assert [c.value for c in ws[3]] == KOLONNER
    assert ws.auto_filter.ref == "A3:O5" and ws.freeze_panes == "A4"
    ase, bjorn = ({KOLONNER[i]: c for i, c in enumerate(row)} for row in ws.iter_rows(min_row=4, max_row=5))
    assert ase["DUF-nummer"].value == duf1 and ase["DUF-nummer"].data_type == "s"  # text, not 2,02312E+11
    assert (ase["Fornavn"].value, ase["Etternavn"].value) == ("Åse Ærlig", "Øvrebø; «Sør»")
    assert ase["Alder"].value == 32 and ase["Alder"].data_type == "n"
    assert (
        ase["Avslutningsdato"].value == datetime(2023, 11, 15) and ase["Avslutningsdato"].number_format == "dd.mm.yyyy"
    )
    assert ase["Registrert dato"].value == datetime(2023, 11, 20)  # Oslo's date (23:30), not UTC's
    assert ase["Frist for gjennomføring"].value == datetime(2023, 11, 15)
    assert (ase["Oppfølgingsfylke"].value, ase["Oppfølgingskommune"].value) == ("Rogaland", "Karmøy")
    assert bjorn["DUF-nummer"].value == duf2 and bjorn["Avslutningsårsak"].value == "Utvandret"
    assert bjorn["Frist for gjennomføring"].value is None
    # a search on a name goes in the POST body; the filter row says it
    r = await client.post(
        "/api/v1/rapport/integreringsloven/xlsx",
        headers={"Authorization": f"Bearer {token(KOMMUNE)}"},
        json={"navn": "åse"},
    )
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert ws["A2"].value == "Filter: Fornavn eller etternavn: åse" and ws.max_row == 4
    # another kommune's user gets a file without them; a kommune filter not its own is refused
    r = await client.get(
        f"/api/v1/rapport/integreringsloven/xlsx?oppfolgingskommune={KOMMUNE}",
        headers={"Authorization": f"Bearer {token('4223')}"},
    )
    assert r.status_code == 403


def soffice(*args: str, cwd: Path) -> None:
    """LibreOffice as a user with Norwegian settings runs it, headless, with a profile of its own."""
    exe = shutil.which("soffice")
    assert exe, "LibreOffice missing: make test installs it (make office)"
    env = {**os.environ, "LANG": "nb_NO.UTF-8", "LC_ALL": "nb_NO.UTF-8", "HOME": str(cwd)}
    done = subprocess.run(
        [exe, f"-env:UserInstallation=file://{cwd}/profil", "--headless", "--norestore", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")


async def test_libreoffice_opens_both_files_as_the_readme_says(client, token, to_personer, tmp_path: Path):
    duf1, _ = to_personer
    h = {"Authorization": f"Bearer {token(KOMMUNE)}"}
    (tmp_path / "rapport.xlsx").write_bytes(
        (await client.get(f"/api/v1/rapport/integreringsloven/xlsx?oppfolgingskommune={KOMMUNE}", headers=h)).content
    )
    (tmp_path / "rapport.csv").write_bytes(
        (await client.get(f"/api/v1/rapport/integreringsloven/csv?oppfolgingskommune={KOMMUNE}", headers=h)).content
    )

    # The workbook, opened and saved again by LibreOffice: the types survive a real spreadsheet program.
    (tmp_path / "ut").mkdir()
    soffice("--convert-to", "xlsx", "--outdir", "ut", "rapport.xlsx", cwd=tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "ut" / "rapport.xlsx").active
    assert [c.value for c in ws[3]] == KOLONNER
    row = {KOLONNER[i]: c for i, c in enumerate(next(ws.iter_rows(min_row=4, max_row=4)))}
    assert row["DUF-nummer"].value == duf1 and row["DUF-nummer"].data_type == "s"
    assert row["Avslutningsdato"].value == datetime(2023, 11, 15) and row["Alder"].value == 32
    assert row["Etternavn"].value == "Øvrebø; «Sør»"

    # The CSV, imported as the README tells users to: UTF-8 (76), separator «;» (59), quote «"» (34), from line 1,
    # DUF-nummer as text (column 1 format 2), Norwegian language (1044) for dates and decimal comma.
    (tmp_path / "csv").mkdir()
    soffice(
        "--infilter=CSV:59,34,76,1,1/2,1044", "--convert-to", "xlsx", "--outdir", "csv", "rapport.csv", cwd=tmp_path
    )
    ws = openpyxl.load_workbook(tmp_path / "csv" / "rapport.xlsx").active
    assert [c.value for c in ws[1]] == KOLONNER
    row = {KOLONNER[i]: c for i, c in enumerate(next(ws.iter_rows(min_row=2, max_row=2)))}
    assert row["DUF-nummer"].value == duf1 and row["DUF-nummer"].data_type == "s"
    assert (row["Fornavn"].value, row["Etternavn"].value) == ("Åse Ærlig", "Øvrebø; «Sør»")
    assert row["Avslutningsdato"].value == datetime(2023, 11, 15)
    assert row["Alder"].value == 32
