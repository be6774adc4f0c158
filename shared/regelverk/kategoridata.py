"""kategori.yaml as validated data: which oppholdsgrunnlag give a kategori, and the age bands per version."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.kodeverk.kategorier import Lov
from shared.kodeverk.opphold import Oppholdsgrunnlag
from shared.regelverk.ikrafttredelse import med_datoer

_DATA = Path(__file__).parent / "kategori.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Grunnlagsregel(_Frozen):
    gir_kategori: bool
    beholder_kategori: bool = False
    hjemmel: str


class Aldersband(_Frozen):
    alder_fra: int = Field(ge=0)
    alder_til_og_med: int = Field(ge=0)


class Kategoriversjon(_Frozen):
    id: str
    lov: Lov
    gjelder_fra: date
    ikrafttredelse: str | None = None
    rett_og_plikt: Aldersband
    kan_tilbys_over: int
    hjemmel: str


class Kategoriregelverk(_Frozen):
    oppholdsgrunnlag: dict[Oppholdsgrunnlag, Grunnlagsregel]
    versjoner: tuple[Kategoriversjon, ...]

    @model_validator(mode="after")
    def _komplett(self) -> Kategoriregelverk:
        mangler = set(Oppholdsgrunnlag) - set(self.oppholdsgrunnlag)
        if mangler:
            raise ValueError(f"kategori.yaml mangler oppholdsgrunnlag {sorted(mangler)}")
        for lov in Lov:
            if not any(v.lov is lov for v in self.versjoner):
                raise ValueError(f"kategori.yaml har ingen versjon for {lov}")
        return self


@cache
def kategoriregelverk() -> Kategoriregelverk:
    raw = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return Kategoriregelverk.model_validate({**raw, "versjoner": med_datoer(raw["versjoner"])})


def gir_kategori(g: Oppholdsgrunnlag) -> bool:
    return kategoriregelverk().oppholdsgrunnlag[g].gir_kategori


def beholder_kategori(g: Oppholdsgrunnlag) -> bool:
    regel = kategoriregelverk().oppholdsgrunnlag[g]
    return regel.gir_kategori or regel.beholder_kategori


def versjon_for(lov: Lov, dato: date) -> Kategoriversjon:
    """The version of the lov in force on `dato` (the tillatelse's innvilget date); a tillatelse granted before
    the lov's first version (a kommune's lov, while IMDi has not reported, may disagree) takes the lov's first
    version."""
    egne = sorted((v for v in kategoriregelverk().versjoner if v.lov is lov), key=lambda v: v.gjelder_fra)
    gjeldende = [v for v in egne if v.gjelder_fra <= dato]
    return gjeldende[-1] if gjeldende else egne[0]
