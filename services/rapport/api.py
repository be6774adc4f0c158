"""The JSON API, /api/v1: the report per lov, its CSV, a person's avslutningshistorikk, måloppnåelse, statistikk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from services.plumbing.auth import BeskyttetRute, Bruker, Lesetilgang
from services.rapport import csv_export, domain, xlsx_export
from services.rapport.lager import fristliste, personliste, sporringer
from services.rapport.lager import statistikk as statistikklager
from shared.events.felttyper import Kode
from shared.kodeverk import geografi
from shared.kodeverk.kategorier import KATEGORINAVN, Kategori, Lov

TITTEL = "Oversikt over personer avsluttet introduksjonsprogram etter {lov}"


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool


def feil(exc: Exception) -> HTTPException:
    if isinstance(exc, sporringer.IkkeTilgang):
        return HTTPException(403, str(exc))
    if isinstance(exc, sporringer.Ugyldig):
        return HTTPException(400, {"felt": exc.felt, "feil": exc.grunn})
    raise exc


# Searching on a person's DUF-nummer or name goes in a POST body, never in the URL: URLs end up in the access
# logs of ingresses and proxies and in browsers' history («no fødselsnummer or DUF-nummer in logs»).
IDENTIFISERENDE = ("duf_nummer", "navn")
KONTROLLTEGN = r"^[^\x00-\x1f\x7f]*$"


def ikke_i_url(request: Request, lov: Lov) -> None:
    """Refuse a GET carrying an identifying filter (even empty): accepting it would keep identifiers in URLs."""
    felt = next((k for k in IDENTIFISERENDE if k in request.query_params), None)
    if felt is not None:
        raise HTTPException(
            400,
            {
                "felt": felt,
                "feil": (
                    "DUF-nummer og navn skal ikke stå i URL-en (den havner i logger): bruk "
                    f"POST /api/v1/rapport/{lov.value}/sok (eller POST /api/v1/rapport/{lov.value}/csv) "
                    "med filteret i JSON-body"
                ),
            },
        )


def lag_filter(
    lov: Lov,
    *,
    oppfolgingskommune: str | None = None,
    bydel: str | None = None,
    kategori: Kategori | None = None,
    avslutningsaar: int | None = None,
    registrert_av: sporringer.RegistrertAv = "alle",
    duf_nummer: str | None = None,
    navn: str | None = None,
) -> sporringer.Filter:
    """sporringer.Filter from the request's values (empty = not set); its validation answers 400 as `feil`."""
    try:
        return sporringer.Filter(
            lov=lov,
            oppfolgingskommune=oppfolgingskommune or None,
            bydel=bydel or None,
            kategori=kategori.value if kategori else None,
            avslutningsaar=avslutningsaar,
            registrert_av=registrert_av,
            duf_nummer=duf_nummer or None,
            navn=navn or None,
        )
    except sporringer.Ugyldig as exc:
        raise feil(exc) from None


def rapportfilter(
    lov: Lov,
    request: Request,
    oppfolgingskommune: Annotated[str | None, Query(description="kommunenummer, fire siffer")] = None,
    bydel: Annotated[str | None, Query(description="bydelsnummer, seks siffer")] = None,
    kategori: Kategori | None = None,
    avslutningsaar: Annotated[int | None, Query(ge=1900, le=2199)] = None,
    registrert_av: sporringer.RegistrertAv = "alle",
) -> sporringer.Filter:
    """The GET filter: only the non-identifying fields, so a link can be bookmarked without personal data."""
    ikke_i_url(request, lov)
    return lag_filter(
        lov,
        oppfolgingskommune=oppfolgingskommune,
        bydel=bydel,
        kategori=kategori,
        avslutningsaar=avslutningsaar,
        registrert_av=registrert_av,
    )


class RapportSok(BaseModel):
    """POST body of …/sok and …/csv: the GET's filter plus the identifying ones, paging and sorting. Strict
    (issue #11 §3): a number is a JSON number (side 2, never "2" or 2.0), a text a string (a DUF-nummer prefix
    "4223", never 4223), a code one of its values (shared/events/felttyper.py). The GET's query parameters are
    text by nature and keep FastAPI's parsing of them ("2" is side 2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    oppfolgingskommune: str | None = Field(None, description="kommunenummer, fire siffer")
    bydel: str | None = Field(None, description="bydelsnummer, seks siffer")
    kategori: Kode[Kategori] | None = None
    avslutningsaar: int | None = Field(None, ge=1900, le=2199)
    registrert_av: sporringer.RegistrertAv = "alle"
    duf_nummer: str | None = Field(None, description="hele eller starten av DUF-nummeret")
    navn: str | None = Field(
        None, description="fornavn eller etternavn (starten av)", max_length=100, pattern=KONTROLLTEGN
    )
    side: int = Field(1, ge=1, le=1_000_000)
    per_side: int = Field(25, ge=1, le=500)
    sorter: str = "etternavn"
    retning: sporringer.Retning = "stigende"

    def filter(self, lov: Lov) -> sporringer.Filter:
        return lag_filter(
            lov,
            oppfolgingskommune=self.oppfolgingskommune,
            bydel=self.bydel,
            kategori=self.kategori,
            avslutningsaar=self.avslutningsaar,
            registrert_av=self.registrert_av,
            duf_nummer=self.duf_nummer,
            navn=self.navn,
        )


class PersonSok(BaseModel):
    """POST body of /personer/sok (NIR's personlister): a name search goes in a body, never in a URL."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    lov: Kode[Lov] | None = None
    status: personliste.Status = Field("alle", description="i_program: no current avslutning; avsluttet: one")
    kategori: Kode[Kategori] | None = Field(None, description="the person's current kategori")
    bydel: str | None = Field(None, description="bydelsnummer, seks siffer", pattern=r"^\d{6}$")
    navn: str | None = Field(
        None, description="fornavn eller etternavn (starten av)", max_length=100, pattern=KONTROLLTEGN
    )
    side: int = Field(1, ge=1, le=1_000_000)
    per_side: int = Field(25, ge=1, le=100)


def rad_json(r: dict) -> dict:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, UUID) else v) for k, v in r.items()
    }


def csv_response(
    p: asyncpg.Pool, bruker: Bruker, f: sporringer.Filter, sorter: str, retning: sporringer.Retning
) -> StreamingResponse:
    try:
        f.where(bruker)  # access and filter errors before the first byte is sent
        sporringer.order_by(sorter, retning)
    except (sporringer.IkkeTilgang, sporringer.Ugyldig) as exc:
        raise feil(exc) from None

    async def stream() -> AsyncIterator[bytes]:
        async with p.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            async for chunk in csv_export.csv_bytes(
                sporringer.csv_batches(conn, bruker, f, sorter=sorter, retning=retning)
            ):
                yield chunk

    return StreamingResponse(
        stream(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_export.filnavn(f.lov.value)}"'},
    )


def filterlinje(f: sporringer.Filter) -> str:
    """The filter as the spreadsheet's row 2 says it, in the report's words."""
    deler = []
    if f.oppfolgingskommune:
        k = geografi.kommuner().get(f.oppfolgingskommune)
        deler.append(f"Oppfølgingskommune: {k.navn if k else f.oppfolgingskommune}")
    if f.bydel:
        b = geografi.bydeler().get(f.bydel)
        deler.append(f"Bydel: {b.navn if b else f.bydel}")
    if f.kategori:
        navn = {k.value: n for k, n in KATEGORINAVN.items()}.get(f.kategori, f.kategori)
        deler.append(f"Kategori: {navn}")
    if f.avslutningsaar:
        deler.append(f"Avslutningsår: {f.avslutningsaar}")
    if f.registrert_av != "alle":
        deler.append(
            "Avslutningsårsak "
            + ("registrert av kommunen" if f.registrert_av == "kommunen" else "beregnet av regelmotor")
        )
    if f.duf_nummer:
        deler.append(f"DUF-nummer: {f.duf_nummer}")
    if f.navn:
        deler.append(f"Fornavn eller etternavn: {f.navn}")
    return "Filter: " + ("; ".join(deler) if deler else "alle")


def xlsx_response(
    p: asyncpg.Pool, bruker: Bruker, f: sporringer.Filter, sorter: str, retning: sporringer.Retning
) -> StreamingResponse:
    try:
        f.where(bruker)  # access and filter errors before the first byte is sent
        sporringer.order_by(sorter, retning)
    except (sporringer.IkkeTilgang, sporringer.Ugyldig) as exc:
        raise feil(exc) from None

    async def stream() -> AsyncIterator[bytes]:
        async with p.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            kolonner = sporringer.XLSX_KOLONNER
            rows = sporringer.csv_batches(conn, bruker, f, sorter=sorter, retning=retning, kolonner=kolonner)
            async for chunk in xlsx_export.xlsx_bytes(TITTEL.format(lov=f.lov.value), filterlinje(f), rows):
                yield chunk

    return StreamingResponse(
        stream(),
        media_type=xlsx_export.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{xlsx_export.filnavn(f.lov.value)}"'},
    )


async def side_svar(
    p: asyncpg.Pool,
    bruker: Bruker,
    f: sporringer.Filter,
    *,
    side: int,
    per_side: int,
    sorter: str,
    retning: sporringer.Retning,
) -> dict:
    try:
        async with p.acquire() as conn:
            s = await sporringer.side(conn, bruker, f, side=side, per_side=per_side, sorter=sorter, retning=retning)
    except (sporringer.IkkeTilgang, sporringer.Ugyldig) as exc:
        raise feil(exc) from None
    return dict(
        tittel=TITTEL.format(lov=f.lov.value),
        linjer=s.tekst,
        fra=s.fra,
        til=s.til,
        totalt=s.totalt,
        side=s.side,
        per_side=s.per_side,
        antall_sider=s.antall_sider,
        sorter=sorter,
        retning=retning,
        rader=[rad_json(x) for x in s.rader],
    )


def router() -> APIRouter:
    # Every route authenticated and read access checked before its filter is looked at (BeskyttetRute).
    r = APIRouter(prefix="/api/v1", tags=["rapport"], route_class=BeskyttetRute)

    @r.get(
        "/rapport/{lov}",
        summary="Avsluttede deltakere: én rad per person med gjeldende avslutning "
        "(søk på DUF-nummer eller navn: POST …/sok)",
    )
    async def rapport(
        f: Annotated[sporringer.Filter, Depends(rapportfilter)],
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=500)] = 25,
        sorter: str = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> dict:
        return await side_svar(p, bruker, f, side=side, per_side=per_side, sorter=sorter, retning=retning)

    @r.post("/rapport/{lov}/sok", summary="Som GET /rapport/{lov}, med filteret (også DUF-nummer og navn) i body")
    async def sok(lov: Lov, inn: RapportSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]) -> dict:
        return await side_svar(
            p, bruker, inn.filter(lov), side=inn.side, per_side=inn.per_side, sorter=inn.sorter, retning=inn.retning
        )

    @r.get("/rapport/{lov}/csv", summary="Last ned CSV fil for gjeldende filter (Excel, norske innstillinger)")
    async def rapport_csv(
        f: Annotated[sporringer.Filter, Depends(rapportfilter)],
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        sorter: str = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> StreamingResponse:
        return csv_response(p, bruker, f, sorter, retning)

    @r.post(
        "/rapport/{lov}/csv",
        summary="CSV fil for filteret i body (også DUF-nummer og navn); side/per_side "
        "gjelder ikke: filen har alle radene",
    )
    async def rapport_csv_sok(
        lov: Lov, inn: RapportSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]
    ) -> StreamingResponse:
        return csv_response(p, bruker, inn.filter(lov), inn.sorter, inn.retning)

    @r.get(
        "/rapport/{lov}/xlsx",
        summary="Last ned Excel-fil for gjeldende filter: kolonnetitler på rad 3 med "
        "autofilter, DUF-nummer som tekst, datoer som datoer",
    )
    async def rapport_xlsx(
        f: Annotated[sporringer.Filter, Depends(rapportfilter)],
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        sorter: str = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> StreamingResponse:
        return xlsx_response(p, bruker, f, sorter, retning)

    @r.post(
        "/rapport/{lov}/xlsx",
        summary="Excel-fil for filteret i body (også DUF-nummer og navn); side/per_side "
        "gjelder ikke: filen har alle radene",
    )
    async def rapport_xlsx_sok(
        lov: Lov, inn: RapportSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]
    ) -> StreamingResponse:
        return xlsx_response(p, bruker, inn.filter(lov), inn.sorter, inn.retning)

    @r.get("/rapport/{lov}/filtervalg", summary="Valgene filtrene tilbyr")
    async def filtervalg(lov: Lov, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]) -> dict:
        async with p.acquire() as conn:
            return await sporringer.filtervalg(conn, bruker, lov)

    @r.get("/personer/{deltaker_id}/avslutningshistorikk", summary="All avslutningshistorikk, nyeste først")
    async def historikk(deltaker_id: UUID, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]) -> dict:
        async with p.acquire() as conn:
            h = await sporringer.historikk(conn, bruker, deltaker_id)
        if h is None:  # also a person the user may not see: answered as unknown
            raise HTTPException(404, "ingen avslutningshistorikk for denne personen")
        return h

    @r.post("/personer/sok", summary="Personene brukeren ser (i program eller avsluttet), side for side")
    async def personer(inn: PersonSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]) -> dict:
        f = personliste.Personfilter(
            lov=inn.lov.value if inn.lov else None,
            status=inn.status,
            navn=inn.navn,
            kategori=inn.kategori.value if inn.kategori else None,
            bydel=inn.bydel,
        )
        async with p.acquire() as conn:
            return await personliste.side(conn, bruker, f, side=inn.side, per_side=inn.per_side)

    @r.get(
        "/frister/{hvilken}",
        summary="Personer i program med gjennomføringsfrist (gjennomforing) eller oppstartsfrist uten vedtak om "
        "program og sluttmål (oppstart) de neste `dager` dagene, tidligste først",
    )
    async def fristliste_(
        hvilken: fristliste.Fristtype,
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        dager: Annotated[int, Query(ge=0, le=366, description="fra og med `fra` til og med `fra` + dager")] = 30,
        fra: Annotated[date | None, Query(description="første dag (standard: i dag, norsk tid)")] = None,
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=100)] = 25,
    ) -> dict:
        start = fra or datetime.now(domain.OSLO).date()
        async with p.acquire() as conn:
            return await fristliste.frister(
                conn, bruker, hvilken, fra=start, til=start + timedelta(days=dager), side=side, per_side=per_side
            )

    @r.get(
        "/folkeregisteravslutninger",
        summary="Flyttet, Utvandret og Død som regelmotoren har registrert fra Folkeregisteret siden `siden`, "
        "nyeste først",
    )
    async def folkeregister(
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        siden: Annotated[datetime, Query(description="tidspunkt med tidssone (ISO 8601)")],
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=100)] = 25,
    ) -> dict:
        if siden.tzinfo is None:
            raise HTTPException(
                400, {"felt": "siden", "feil": "tidspunktet må ha tidssone, f.eks. 2026-01-01T00:00:00+01:00"}
            )
        async with p.acquire() as conn:
            return await fristliste.folkeregister(conn, bruker, siden=siden, side=side, per_side=per_side)

    @r.get(
        "/avslutningsarsak-ikke-registrert",
        summary="Personer regelmotoren har avsluttet med «Avslutningsårsak ikke registrert» (begge lover), "
        "eldste først",
    )
    async def ikke_registrert(
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=100)] = 25,
    ) -> dict:
        async with p.acquire() as conn:
            return await fristliste.ikke_registrert(conn, bruker, side=side, per_side=per_side)

    @r.get("/maaloppnaaelse", summary="Måloppnåelse per år, fylke og kommune (Tabell 2)")
    async def maaloppnaaelse(
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        aar: Annotated[int | None, Query(ge=1900, le=2199)] = None,
        lov: Lov | None = None,
    ) -> dict:
        async with p.acquire() as conn:
            return await sporringer.maaloppnaaelse(conn, bruker, aar=aar, lov=lov)

    @r.get(
        "/statistikk/{lov}",
        summary="Måloppnåelse for alle nivåer brukeren kan se (landet, fylker, egen kommune/bydel), per år i "
        "perioden, med sluttårsak per gruppe og kode, tid i program og forlengelse; små tall er prikket",
    )
    async def statistikk(
        lov: Lov,
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        fra_aar: Annotated[int | None, Query(ge=1990, le=2100)] = None,
        til_aar: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    ) -> JSONResponse:
        async with p.acquire() as conn:
            if fra_aar is None or til_aar is None:
                lav, hoy = await statistikklager.aarspenn(conn, lov)
                til_aar = til_aar or hoy
                fra_aar = fra_aar or max(lav, til_aar - 4)
            try:
                # plain json.dumps: FastAPI's encoder walks the two thousand lines of a national answer slowly
                return JSONResponse(await statistikklager.statistikk_tall(conn, bruker, lov, fra_aar, til_aar))
            except sporringer.Ugyldig as e:
                raise feil(e) from e

    return r
