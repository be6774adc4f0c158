"""Kommuner, fylker and Oslo's bydeler (SSB; provenance in data/README.md)."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

_DATA = Path(__file__).parent / "data"


class Fylke(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    fylkesnummer: str
    navn: str


class Kommune(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kommunenummer: str
    navn: str
    fylkesnummer: str
    gyldig_fra: date


class Bydel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bydelsnummer: str
    navn: str
    kommunenummer: str


def _rows(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def fylker() -> dict[str, Fylke]:
    return {r["fylkesnummer"]: Fylke(fylkesnummer=r["fylkesnummer"], navn=r["fylkesnavn"]) for r in _rows("fylker.csv")}


@cache
def kommuner() -> dict[str, Kommune]:
    return {
        r["kommunenummer"]: Kommune(
            kommunenummer=r["kommunenummer"],
            navn=r["kommunenavn"],
            fylkesnummer=r["fylkesnummer"],
            gyldig_fra=date.fromisoformat(r["gyldig_fra"]),
        )
        for r in _rows("kommuner.csv")
    }


@cache
def bydeler() -> dict[str, Bydel]:
    return {
        r["bydelsnummer"]: Bydel(bydelsnummer=r["bydelsnummer"], navn=r["bydelsnavn"], kommunenummer=r["kommunenummer"])
        for r in _rows("bydeler.csv")
    }


def fylke_for_kommune(kommunenummer: str) -> Fylke:
    return fylker()[kommuner()[kommunenummer].fylkesnummer]


def bydeler_i(kommunenummer: str) -> list[Bydel]:
    return [b for b in bydeler().values() if b.kommunenummer == kommunenummer]
