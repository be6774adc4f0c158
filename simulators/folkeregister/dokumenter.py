"""Skatteetaten's document shapes (docs/FOLKEREGISTER.md): opplysninger, hendelsesdokument, feed entry.

Pure builders; every opplysning carries the metadata real opplysninger carry (ajourholdstidspunkt,
gyldighetstidspunkt, opphoerstidspunkt, kilde, erGjeldende).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

SKJEMAVERSJON = "1.4"


def _ts(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def metadata(ajourhold: datetime, *, opphoert: datetime | None = None, kilde: str = "KILDE_DSF") -> dict[str, Any]:
    return {
        "ajourholdstidspunkt": _ts(ajourhold),
        "gyldighetstidspunkt": _ts(ajourhold),
        "opphoerstidspunkt": _ts(opphoert) if opphoert else None,
        "erGjeldende": opphoert is None,
        "kilde": kilde,
    }


def doedsfall(doedsdato: date, ajourhold: datetime) -> dict[str, Any]:
    return {"doedsdato": doedsdato.isoformat(), **metadata(ajourhold)}


def utflytting(utflyttingsdato: date, land: str, sted: str | None, ajourhold: datetime) -> dict[str, Any]:
    return {
        "tilflyttingsland": land,
        "tilflyttingsstedIUtlandet": sted,
        "utflyttingsdato": utflyttingsdato.isoformat(),
        **metadata(ajourhold),
    }


def bostedsadresse(
    kommunenummer: str | None,
    flyttedato: date | None,
    ajourhold: datetime,
    *,
    adressenavn: str = "Storgata",
    husnummer: int = 1,
    opphoert: datetime | None = None,
) -> dict[str, Any]:
    if kommunenummer is None:
        sted: dict[str, Any] = {"ukjentBosted": {"bostedskommune": None}}
    else:
        sted = {
            "vegadresse": {
                "kommunenummer": kommunenummer,
                "adressenavn": adressenavn,
                "adressenummer": {"husnummer": str(husnummer)},
                "postnummer": "0001",
            }
        }
    return {
        **sted,
        "flyttedato": flyttedato.isoformat() if flyttedato else None,
        **metadata(ajourhold, opphoert=opphoert),
    }


def identifikasjonsnummer(ident: str, ajourhold: datetime, *, opphoert: datetime | None = None) -> dict[str, Any]:
    return {
        "foedselsEllerDNummer": ident,
        "identifikatortype": "dNummer" if int(ident[0]) >= 4 else "foedselsnummer",
        "status": "opphoert" if opphoert else "iBruk",
        **metadata(ajourhold, opphoert=opphoert),
    }


def egenskapshendelse(
    entitetsendring: str, opplysningstype: str | None = None, opplysning: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An annulment (`annullere`) carries no entitet: only what is undone, by the hendelsestype."""
    if opplysningstype is None:
        return {"entitetsendring": entitetsendring}
    return {"entitet": {opplysningstype: opplysning}, "entitetsendring": entitetsendring}


def feedinnslag(
    sekvensnummer: int,
    dokumentidentifikator: str,
    ident: str,
    hendelsestype: str,
    ajourhold: datetime,
    egenskaper: list[dict[str, Any]],
    base_path: str,
) -> dict[str, Any]:
    hendelsesdokument = {
        "dokumentidentifikator": dokumentidentifikator,
        "skjemaversjon": SKJEMAVERSJON,
        "hendelse": {
            "folkeregisteridentifikator": ident,
            "hendelsestype": hendelsestype,
            "ajourholdstidspunkt": _ts(ajourhold),
            "egenskapshendelse": egenskaper,
        },
    }
    return {
        "sekvensnummer": sekvensnummer,
        "hendelse": {
            "folkeregisteridentifikator": ident,
            "hendelsetype": hendelsestype,
            "hendelsesdokument": hendelsesdokument,
            "persondokument": f"{base_path}/personer/{ident}",
            "ajourholdstidspunkt": _ts(ajourhold),
        },
    }
