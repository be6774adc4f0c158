"""«Last ned CSV fil» (DOMAIN.md §7, seed §8–9): the 15 columns, for Excel with Norwegian settings.

UTF-8 with BOM (Excel otherwise reads the file as Windows-1252 and breaks æøå), semicolon as delimiter (the
list separator with Norwegian settings, where the comma is the decimal sign), dates dd.mm.yyyy, decimal
comma, CRLF. Rows come from a server-side cursor and leave in chunks: memory does not grow with the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import _csv  # the writer's type lives only in the stubs of the C module

BOM = "\ufeff"
KOLONNER = (
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
)


def _skriver() -> tuple[io.StringIO, _csv.Writer]:
    buffer = io.StringIO()
    return buffer, csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _ta(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


async def csv_bytes(batches: AsyncIterator[Sequence[Sequence[str]]]) -> AsyncIterator[bytes]:
    """BOM and header, then one chunk per batch of rows (already formatted: sporringer.CSV_KOLONNER)."""
    buffer, w = _skriver()
    buffer.write(BOM)
    w.writerow(KOLONNER)
    yield _ta(buffer)
    async for rows in batches:
        w.writerows(rows)
        yield _ta(buffer)


def filnavn(lov: str) -> str:
    return f"avsluttede-deltakere-{lov}.csv"
