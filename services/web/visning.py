"""How values read on the pages, as NIR writes them: dates dd.mm.åååå, hours with a decimal comma (30,0), a
kommune or bydel by name, codes by their Norwegian names from shared/kodeverk. Pure functions (Jinja filters)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from shared.kodeverk import geografi
from shared.kodeverk.kategorier import KATEGORINAVN, LOVNAVN, Kategori, Lov
from shared.kodeverk.utdanning import UTDANNINGSNAVN, Utdanningsbakgrunn
from shared.kodeverk.vedtak import (
    FRAVAERSTYPENAVN,
    VEDTAKSRESULTATNAVN,
    VEDTAKSTYPENAVN,
    Fravaerstype,
    Vedtaksresultat,
    Vedtakstype,
)

OSLO = ZoneInfo("Europe/Oslo")


def dato(verdi: str | date | None) -> str:
    if not verdi:
        return ""
    d = verdi if isinstance(verdi, date) else date.fromisoformat(str(verdi)[:10])
    return d.strftime("%d.%m.%Y")


def tidspunkt(verdi: str | None) -> str:
    """A registration time (ISO with offset) as the Oslo date the caseworker saw it: dd.mm.åååå."""
    if not verdi:
        return ""
    return datetime.fromisoformat(str(verdi)).astimezone(OSLO).strftime("%d.%m.%Y")


def timer(verdi: str | float | None) -> str:
    if verdi is None or verdi == "":
        return ""
    try:
        return f"{Decimal(str(verdi)):.1f}".replace(".", ",")
    except InvalidOperation:
        return str(verdi)


def kommune(nr: str | None) -> str:
    if not nr:
        return ""
    k = geografi.kommuner().get(nr)
    return k.navn if k else nr


def sted(kommunenr: str | None, bydelsnr: str | None = None) -> str:
    """«Oppf.kommune/bydel»: the bydel's name for an Oslo bydel, else the kommune's."""
    if bydelsnr:
        b = geografi.bydeler().get(bydelsnr)
        return b.navn if b else bydelsnr
    return kommune(kommunenr)


def _navn(tabell: dict, typ: type, kode: str | None) -> str:
    if not kode:
        return ""
    try:
        return tabell.get(typ(kode), kode)
    except ValueError:
        return kode


def kategori(kode: str | None) -> str:
    return _navn(KATEGORINAVN, Kategori, kode)


def utdanningsbakgrunn(kode: str | None) -> str:
    return _navn(UTDANNINGSNAVN, Utdanningsbakgrunn, kode) or "Ikke registrert"


def lov(kode: str | None) -> str:
    return _navn(LOVNAVN, Lov, kode)


def vedtakstype(kode: str | None) -> str:
    return _navn(VEDTAKSTYPENAVN, Vedtakstype, kode)


def vedtaksresultat(kode: str | None) -> str:
    return _navn(VEDTAKSRESULTATNAVN, Vedtaksresultat, kode)


def fravaerstype(kode: str | None) -> str:
    return _navn(FRAVAERSTYPENAVN, Fravaerstype, kode)


def timer_til_api(tekst: str) -> str | None:
    """What the caseworker typed («30,0», «30.5», « 30 ») as the API's decimal string with a point; the API
    judges the value (DOMAIN.md §4 rule 3). Empty: none."""
    t = tekst.strip().replace(" ", "").replace(",", ".")
    return t or None
