"""/api/v1/kodeverk: avslutningsårsaker (with veiledningstekst and who may set them), sluttmål, kategorier,
vedtakstyper. Served from shared/kodeverk; any logged-in user may read them."""

from __future__ import annotations

from pydantic import BaseModel

from services.plumbing.auth import Lesetilgang
from services.registrering.api.felles import ruter
from shared.kodeverk.avslutningsarsaker import AVSLUTNINGSARSAKER
from shared.kodeverk.kategorier import KATEGORINAVN
from shared.kodeverk.sluttmal import SLUTTMALNAVN
from shared.kodeverk.vedtak import VEDTAKSRESULTATNAVN, VEDTAKSTYPENAVN
from shared.regelverk.frister import regelverk

router = ruter("/api/v1/kodeverk", "kodeverk")


class AvslutningsarsakUt(BaseModel):
    kode: str
    navn: str
    gruppe: str
    avslutningstype: str
    veiledningstekst: str
    kan_settes_av: list[str]
    kan_registreres_av_kommunen: bool
    redigerbar_uansett_kilde: bool
    krever_timer_arbeid_per_uke: bool


class Kode(BaseModel):
    kode: str
    navn: str


class SluttmalkodeUt(Kode):
    regelverk: list[str]


@router.get(
    "/avslutningsarsaker",
    response_model=list[AvslutningsarsakUt],
    summary="Avslutningsårsakene",
    description="Alle avslutningsårsaker med veiledningstekst, gruppe, avslutningstype og hvem som kan sette dem.",
)
async def list_avslutningsarsaker(_: Lesetilgang) -> list[AvslutningsarsakUt]:
    return [
        AvslutningsarsakUt(
            kode=a.kode.value,
            navn=a.navn,
            gruppe=a.gruppe.value,
            avslutningstype=a.avslutningstype.value,
            veiledningstekst=a.veiledningstekst,
            kan_settes_av=sorted(k.value for k in a.kan_settes_av),
            kan_registreres_av_kommunen=a.kan_registreres_av_kommunen,
            redigerbar_uansett_kilde=a.redigerbar_uansett_kilde,
            krever_timer_arbeid_per_uke=a.krever_timer_arbeid_per_uke,
        )
        for a in AVSLUTNINGSARSAKER.values()
    ]


@router.get(
    "/sluttmal",
    response_model=list[SluttmalkodeUt],
    summary="Sluttmålene",
    description="Hvert sluttmål med regelverksversjonene som kjenner det (et program bruker versjonen for "
    "programstarten).",
)
async def list_sluttmalkoder(_: Lesetilgang) -> list[SluttmalkodeUt]:
    """Each sluttmål with the regelverk versions that know it (a programme uses the version of its start)."""
    return [
        SluttmalkodeUt(kode=k.value, navn=navn, regelverk=[v.id for v in regelverk().versjoner if k in v.sluttmal])
        for k, navn in SLUTTMALNAVN.items()
    ]


@router.get("/kategorier", response_model=list[Kode], summary="Kategoriene", description="Kode og navn.")
async def list_kategorier(_: Lesetilgang) -> list[Kode]:
    return [Kode(kode=k.value, navn=n) for k, n in KATEGORINAVN.items()]


@router.get("/vedtakstyper", response_model=list[Kode], summary="Vedtakstypene", description="Kode og navn.")
async def list_vedtakstyper(_: Lesetilgang) -> list[Kode]:
    return [Kode(kode=k.value, navn=n) for k, n in VEDTAKSTYPENAVN.items()]


@router.get("/vedtaksresultater", response_model=list[Kode], summary="Vedtaksresultatene", description="Kode og navn.")
async def list_vedtaksresultater(_: Lesetilgang) -> list[Kode]:
    return [Kode(kode=k.value, navn=n) for k, n in VEDTAKSRESULTATNAVN.items()]
