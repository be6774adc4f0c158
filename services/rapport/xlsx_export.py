"""«Last ned Excel-fil» (issue #17 §2, seed §9): the report's 15 columns as a spreadsheet that opens right.

Laid out as the seed's picture shows it — the title on row 1, the filter on row 2, the column titles on row 3 —
with what the seed tells users to do by hand already done: an autofilter on row 3, and the rows above the
data frozen. DUF-nummer is text (a number column would show 2,02312E+11), dates are real dates shown
dd.mm.yyyy, Alder is a number.

XlsxWriter in constant-memory mode writes each row to a temporary file as it comes, so memory stays flat
whatever the count; the finished file is then streamed from disk in chunks.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime

import xlsxwriter

from services.rapport.csv_export import KOLONNER

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATO = "dd.mm.yyyy"
# Column widths in characters: what the seed's spreadsheet needs to show the values without «###».
BREDDER = (14, 16, 18, 8, 7, 36, 40, 40, 36, 14, 18, 22, 14, 14, 14)
TEKST, TALL, DATO_KOLONNE = "tekst", "tall", "dato"
TYPER = (TEKST, TEKST, TEKST, TEKST, TALL, TEKST, TEKST, TEKST, TEKST, DATO_KOLONNE, TEKST, TEKST,
         DATO_KOLONNE, TEKST, DATO_KOLONNE)
CHUNK = 64 * 1024


def filnavn(lov: str) -> str:
    return f"avsluttede-deltakere-{lov}.xlsx"


async def xlsx_bytes(tittel: str, filterlinje: str, batches: AsyncIterator[Sequence[Sequence[object]]]
                     ) -> AsyncIterator[bytes]:
    """The workbook for `batches` of typed rows (queries.XLSX_KOLONNER order), as chunks of bytes."""
    with tempfile.TemporaryDirectory(prefix="nir-xlsx-") as tmp:
        path = f"{tmp}/rapport.xlsx"
        # tmpdir: constant_memory keeps one row in memory and the rest in temporary files there
        bok = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tmp,
                                         "default_date_format": DATO, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
        ark = bok.add_worksheet("Avsluttede deltakere")
        fet = bok.add_format({"bold": True})
        tittelformat = bok.add_format({"bold": True, "font_size": 14})
        dato = bok.add_format({"num_format": DATO})
        for i, bredde in enumerate(BREDDER):
            ark.set_column(i, i, bredde, dato if TYPER[i] == DATO_KOLONNE else None)
        ark.write_string(0, 0, tittel, tittelformat)
        ark.write_string(1, 0, filterlinje)
        for i, navn in enumerate(KOLONNER):
            ark.write_string(2, i, navn, fet)
        ark.freeze_panes(3, 0)
        rad = 3
        async for rows in batches:
            for r in rows:
                for i, verdi in enumerate(r):
                    _skriv(ark, rad, i, verdi, TYPER[i], dato)
                rad += 1
        ark.autofilter(2, 0, max(rad - 1, 2), len(KOLONNER) - 1)
        bok.set_properties({"title": tittel, "comments": filterlinje})
        bok.close()
        with open(path, "rb") as fil:
            while chunk := fil.read(CHUNK):
                yield chunk


def _skriv(ark: "xlsxwriter.worksheet.Worksheet", rad: int, kolonne: int, verdi: object, typ: str,
           dato: "xlsxwriter.format.Format") -> None:
    if verdi is None or verdi == "":
        ark.write_blank(rad, kolonne, None)
    elif typ == DATO_KOLONNE and isinstance(verdi, (date, datetime)):
        ark.write_datetime(rad, kolonne, verdi, dato)
    elif typ == TALL and isinstance(verdi, (int, float)):
        ark.write_number(rad, kolonne, verdi)
    else:
        ark.write_string(rad, kolonne, str(verdi))  # DUF-nummer stays text, never 2,02312E+11
