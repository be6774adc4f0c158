"""The answers of rapport's JSON API (/api/v1), as the OpenAPI document shows them (issue #16 §1: typed 200s).
The queries build plain dicts (sporringer.py, personliste.py); these models are what a client may rely on, and
FastAPI checks every answer against them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.rapport.lager import sporringer


def _eksempel(eksempel: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [eksempel]})


_RAD = {
    "deltaker_id": "0b6f2c1e-6a4f-4d7e-9a51-3f1c2b7d9e10",
    "duf_nummer": "202312345678",
    "fornavn": "Amina",
    "etternavn": "Haddad",
    "kjonn": "K",
    "alder": 29,
    "kategori": "RETT_OG_PLIKT",
    "kategori_navn": "Rett og plikt",
    "sluttmal": "ARBEID_HAR_IKKE_VGO",
    "sluttmal_navn": "Arbeid",
    "arsak": "ARBEID",
    "arsak_navn": "Arbeid",
    "gruppe": "Arbeid",
    "avslutningstype": "Avslutning",
    "avslutningsdato": "2023-06-01",
    "kilde": "KOMMUNE",
    "registrert_av": "0301-MAT",
    "registrert_dato": "2023-06-02T09:15:00+00:00",
    "oppfolgingskommune": "0301",
    "kommune_navn": "Oslo",
    "bydel": "030102",
    "bydel_navn": "Grünerløkka",
    "oppfolgingsfylke": "03",
    "fylke_navn": "Oslo",
    "frist_gjennomforing": "2024-01-09",
}


class Rapportrad(BaseModel):
    """Én person med gjeldende avslutning: rapportens kolonner og kodene bak dem."""

    model_config = _eksempel(_RAD)

    deltaker_id: str
    duf_nummer: str | None
    fornavn: str | None
    etternavn: str | None
    kjonn: str | None
    alder: int | None
    kategori: str | None
    kategori_navn: str | None
    sluttmal: str | None
    sluttmal_navn: str | None
    arsak: str
    arsak_navn: str
    gruppe: str | None
    avslutningstype: str
    avslutningsdato: str = Field(description="ÅÅÅÅ-MM-DD")
    kilde: str = Field(description="KOMMUNE eller REGELMOTOR")
    registrert_av: str
    registrert_dato: str = Field(description="ISO 8601 med tidssone")
    oppfolgingskommune: str | None
    kommune_navn: str | None
    bydel: str | None
    bydel_navn: str | None
    oppfolgingsfylke: str | None
    fylke_navn: str | None
    frist_gjennomforing: str | None = Field(description="ÅÅÅÅ-MM-DD, eller tom når fristen ikke kan beregnes")


class _Side(BaseModel):
    linjer: str = Field(description="«Viser 1 - 25 av 507 linjer»")
    fra: int
    til: int
    totalt: int
    side: int
    per_side: int
    antall_sider: int


class Rapportside(_Side):
    model_config = _eksempel(
        {
            "tittel": "Oversikt over personer avsluttet introduksjonsprogram etter integreringsloven",
            "linjer": "Viser 1 - 1 av 1 linjer",
            "fra": 1,
            "til": 1,
            "totalt": 1,
            "side": 1,
            "per_side": 25,
            "antall_sider": 1,
            "sorter": "etternavn",
            "retning": "stigende",
            "rader": [_RAD],
        }
    )

    tittel: str
    sorter: sporringer.Sortering
    retning: sporringer.Retning
    rader: list[Rapportrad]


class Personrad(BaseModel):
    deltaker_id: str
    duf_nummer: str
    fornavn: str | None
    etternavn: str | None
    lov: str | None
    kategori: str | None
    oppfolgingskommune: str | None
    bydel: str | None
    arsak: str | None
    arsak_navn: str | None
    avslutningsdato: str | None = Field(description="ÅÅÅÅ-MM-DD, tom for en person i program")
    avsluttet: bool


class Personside(_Side):
    model_config = _eksempel(
        {
            "linjer": "Viser 1 - 1 av 1 linjer",
            "fra": 1,
            "til": 1,
            "totalt": 1,
            "side": 1,
            "per_side": 25,
            "antall_sider": 1,
            "rader": [
                {
                    "deltaker_id": "0b6f2c1e-6a4f-4d7e-9a51-3f1c2b7d9e10",
                    "duf_nummer": "202312345678",
                    "fornavn": "Amina",
                    "etternavn": "Haddad",
                    "lov": "integreringsloven",
                    "kategori": "RETT_OG_PLIKT",
                    "oppfolgingskommune": "0301",
                    "bydel": "030102",
                    "arsak": None,
                    "arsak_navn": None,
                    "avslutningsdato": None,
                    "avsluttet": False,
                }
            ],
        }
    )

    rader: list[Personrad]


class Kommunevalg(BaseModel):
    kommunenummer: str | None
    navn: str | None


class Bydelvalg(BaseModel):
    bydelsnummer: str
    navn: str
    kommunenummer: str


class Filtervalg(BaseModel):
    model_config = _eksempel(
        {
            "kommuner": [{"kommunenummer": "0301", "navn": "Oslo"}],
            "bydeler": [{"bydelsnummer": "030102", "navn": "Grünerløkka", "kommunenummer": "0301"}],
            "avslutningsaar": [2023, 2024],
        }
    )

    kommuner: list[Kommunevalg]
    bydeler: list[Bydelvalg]
    avslutningsaar: list[int]


class Historikklinje(BaseModel):
    avslutning_id: str
    versjon: int
    status: str
    avslutning: str = Field(description="Slik historikken viser den, f.eks. «Stans (slettet)»")
    avslutningstype: str
    arsak: str
    arsak_navn: str
    timer_arbeid_per_uke: str | None
    avslutningsdato: str
    kilde: str
    registrert_av: str
    registrert_dato: str
    slettet_av: str | None
    tidspunkt: str
    oppfolgingskommune: str
    oppfolgingskommune_navn: str


class Historikkperson(BaseModel):
    duf_nummer: str
    fornavn: str | None
    etternavn: str | None
    lov: str | None


class Historikk(BaseModel):
    model_config = _eksempel(
        {
            "deltaker_id": "0b6f2c1e-6a4f-4d7e-9a51-3f1c2b7d9e10",
            "person": {
                "duf_nummer": "202312345678",
                "fornavn": "Amina",
                "etternavn": "Haddad",
                "lov": "integreringsloven",
            },
            "linjer": [
                {
                    "avslutning_id": "5d0f8a4e-2c1b-4e7a-9f3d-6b8c1a2e4f70",
                    "versjon": 1,
                    "status": "gjeldende",
                    "avslutning": "Avslutning",
                    "avslutningstype": "Avslutning",
                    "arsak": "ARBEID",
                    "arsak_navn": "Arbeid",
                    "timer_arbeid_per_uke": "30.0",
                    "avslutningsdato": "2023-06-01",
                    "kilde": "KOMMUNE",
                    "registrert_av": "0301-MAT",
                    "registrert_dato": "2023-06-02T09:15:00+00:00",
                    "slettet_av": None,
                    "tidspunkt": "2023-06-02T09:15:00+00:00",
                    "oppfolgingskommune": "0301",
                    "oppfolgingskommune_navn": "Oslo/Grünerløkka",
                }
            ],
        }
    )

    deltaker_id: str
    person: Historikkperson | None
    linjer: list[Historikklinje]


class Maaloppnaaelseslinje(BaseModel):
    nivaa: str = Field(description="landet, fylke eller kommune")
    aar: int
    fylkesnummer: str | None = None
    fylke: str | None = None
    kommunenummer: str | None = None
    kommune: str | None = None
    avsluttet: int
    i_jobb: int
    i_utdanning: int
    i_jobb_eller_utdanning: int
    utenfor_tallgrunnlaget: int
    andel_i_jobb: float | None
    andel_i_utdanning: float | None
    andel_i_jobb_eller_utdanning: float | None


class Maaloppnaaelse(BaseModel):
    model_config = _eksempel(
        {
            "aar": 2023,
            "lov": "integreringsloven",
            "linjer": [
                {
                    "nivaa": "kommune",
                    "aar": 2023,
                    "fylkesnummer": "03",
                    "fylke": "Oslo",
                    "kommunenummer": "0301",
                    "kommune": "Oslo",
                    "avsluttet": 10,
                    "i_jobb": 5,
                    "i_utdanning": 2,
                    "i_jobb_eller_utdanning": 7,
                    "utenfor_tallgrunnlaget": 1,
                    "andel_i_jobb": 0.5,
                    "andel_i_utdanning": 0.2,
                    "andel_i_jobb_eller_utdanning": 0.7,
                }
            ],
        }
    )

    aar: int | None
    lov: str | None
    linjer: list[Maaloppnaaelseslinje]


_LISTESIDE = {"linjer": "Viser 1 - 1 av 1 linjer", "fra": 1, "til": 1, "totalt": 1, "side": 1, "per_side": 25,
              "antall_sider": 1}  # fmt: skip
_PERSON = {
    "deltaker_id": "0b6f2c1e-6a4f-4d7e-9a51-3f1c2b7d9e10",
    "duf_nummer": "202312345678",
    "fornavn": "Amina",
    "etternavn": "Haddad",
    "lov": "integreringsloven",
}


class _Listeperson(BaseModel):
    deltaker_id: str
    duf_nummer: str | None
    fornavn: str | None
    etternavn: str | None
    lov: str | None
    oppfolgingskommune: str | None
    bydel: str | None


class Fristrad(_Listeperson):
    kategori: str | None
    frist: str = Field(description="ÅÅÅÅ-MM-DD: gjennomførings- eller oppstartsfristen")


class Fristside(_Side):
    model_config = _eksempel(
        _LISTESIDE
        | {
            "rader": [
                _PERSON
                | {"kategori": "RETT_OG_PLIKT", "oppfolgingskommune": "0301", "bydel": "030102", "frist": "2026-12-20"}
            ]
        }
    )

    rader: list[Fristrad]


class Folkeregisterrad(_Listeperson):
    arsak: str = Field(description="FLYTTET, UTVANDRET eller DOD")
    arsak_navn: str | None
    avslutningsdato: str = Field(description="ÅÅÅÅ-MM-DD")
    registrert_dato: str = Field(description="tidspunktet regelmotoren registrerte avslutningen (ISO 8601)")


class Folkeregisterside(_Side):
    model_config = _eksempel(
        _LISTESIDE
        | {
            "rader": [
                _PERSON
                | {
                    "arsak": "FLYTTET",
                    "arsak_navn": "Flyttet",
                    "avslutningsdato": "2026-11-30",
                    "registrert_dato": "2026-12-01T08:15:00+00:00",
                    "oppfolgingskommune": "0301",
                    "bydel": None,
                }
            ]
        }
    )

    rader: list[Folkeregisterrad]


class IkkeRegistrertrad(_Listeperson):
    avslutningsdato: str = Field(description="ÅÅÅÅ-MM-DD")


class IkkeRegistrertside(_Side):
    model_config = _eksempel(
        _LISTESIDE
        | {"rader": [_PERSON | {"avslutningsdato": "2026-10-01", "oppfolgingskommune": "0301", "bydel": None}]}
    )

    rader: list[IkkeRegistrertrad]
