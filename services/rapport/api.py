"""The JSON API, /api/v1: the report per lov, its CSV, a person's avslutningshistorikk, måloppnåelse, statistikk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from services.plumbing.auth import BeskyttetRute, Bruker, Lesetilgang
from services.plumbing.problem import feltfeil, problem
from services.rapport import csv_export, domain, skjema, xlsx_export
from services.rapport.lager import fristliste, personliste, sporringer
from services.rapport.lager import statistikk as statistikklager
from shared.events.felttyper import Dato, Kode, Tidspunkt
from shared.kodeverk import geografi
from shared.kodeverk.kategorier import KATEGORINAVN, Kategori, Lov

TITTEL = "Oversikt over personer avsluttet introduksjonsprogram etter {lov}"


def pool(request: Request) -> asyncpg.Pool:
    return request.app.state.runtime.pool


def feil(exc: Exception) -> HTTPException:
    """The report's refusals as problem details (services/plumbing/problem.py): a filter value it cannot use is
    a 422 naming the field, as every other invalid field is."""
    if isinstance(exc, sporringer.IkkeTilgang):
        return HTTPException(403, problem("INGEN_TILGANG", str(exc)))
    if isinstance(exc, sporringer.Ugyldig):
        felt = feltfeil(exc.felt, exc.grunn, kode=exc.kode, i="query")
        return HTTPException(422, problem("UGYLDIGE_FELT", feil=[felt]))
    raise exc


# Searching on a person's DUF-nummer or name goes in a POST body, never in the URL: URLs end up in the access
# logs of ingresses and proxies and in browsers' history («no fødselsnummer or DUF-nummer in logs»).
IDENTIFISERENDE = ("duf_nummer", "navn")
KONTROLLTEGN = r"^[^\x00-\x1f\x7f]*$"
# the filter's forms, in the schema (empty = not set, as a GET form sends it); sporringer.Filter checks them too
KOMMUNENUMMER, BYDELSNUMMER, DUF_PREFIKS = r"^([0-9]{4})?$", r"^([0-9]{6})?$", r"^[0-9]{0,12}$"
Aar = Annotated[int, Field(ge=sporringer.FORSTE_AAR, le=sporringer.SISTE_AAR)]


def ikke_i_url(request: Request, lov: Lov) -> None:
    """Refuse a GET carrying an identifying filter (even empty): accepting it would keep identifiers in URLs."""
    felt = next((k for k in IDENTIFISERENDE if k in request.query_params), None)
    if felt is not None:
        melding = (
            "DUF-nummer og navn skal ikke stå i URL-en (den havner i logger): bruk "
            f"POST /api/v1/rapport/{lov.value}/sok (eller POST /api/v1/rapport/{lov.value}/csv) "
            "med filteret i JSON-body"
        )
        raise HTTPException(
            400,
            problem(
                "IDENTIFIKATOR_I_URL", melding, feil=[feltfeil(felt, melding, kode="identifikator_i_url", i="query")]
            ),
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
    oppfolgingskommune: Annotated[
        str | None, Query(description="kommunenummer, fire siffer", pattern=KOMMUNENUMMER)
    ] = None,
    bydel: Annotated[str | None, Query(description="bydelsnummer, seks siffer", pattern=BYDELSNUMMER)] = None,
    kategori: Kategori | None = None,
    avslutningsaar: Annotated[int | None, Query(ge=sporringer.FORSTE_AAR, le=sporringer.SISTE_AAR)] = None,
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

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        json_schema_extra={
            "description": "Filteret (også DUF-nummer og navn), side og sortering; tomme felt er ikke satt.",
            "examples": [{"oppfolgingskommune": "0301", "avslutningsaar": 2023, "navn": "Haddad", "per_side": 25}],
        },
    )

    oppfolgingskommune: str | None = Field(None, description="kommunenummer, fire siffer", pattern=KOMMUNENUMMER)
    bydel: str | None = Field(None, description="bydelsnummer, seks siffer", pattern=BYDELSNUMMER)
    kategori: Kode[Kategori] | None = None
    avslutningsaar: Aar | None = None
    registrert_av: sporringer.RegistrertAv = "alle"
    duf_nummer: str | None = Field(None, description="hele eller starten av DUF-nummeret", pattern=DUF_PREFIKS)
    navn: str | None = Field(
        None, description="fornavn eller etternavn (starten av)", max_length=100, pattern=KONTROLLTEGN
    )
    side: int = Field(1, ge=1, le=1_000_000)
    per_side: int = Field(25, ge=1, le=500)
    sorter: sporringer.Sortering = "etternavn"
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

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        json_schema_extra={
            "description": "Lov, status og navn (starten av fornavn eller etternavn), side for side.",
            "examples": [{"lov": "integreringsloven", "status": "i_program", "navn": "Had", "side": 1}],
        },
    )

    lov: Kode[Lov] | None = None
    status: personliste.Status = Field(
        "alle", description="i_program: uten gjeldende avslutning; avsluttet: med en; alle: begge"
    )
    kategori: Kode[Kategori] | None = Field(None, description="personens gjeldende kategori")
    bydel: str | None = Field(None, description="bydelsnummer, seks siffer", pattern=BYDELSNUMMER)
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
            rows = sporringer.csv_batches(
                conn, bruker, f, sorter=sorter, retning=retning, kolonner=sporringer.XLSX_KOLONNER
            )
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
    sorter: sporringer.Sortering,
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


class CsvSvar(StreamingResponse):
    media_type = "text/csv"


class XlsxSvar(StreamingResponse):
    media_type = xlsx_export.MEDIA_TYPE


FIL = {"type": "string", "format": "binary"}
CSV_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "CSV-fil for Excel med norske innstillinger: semikolon, UTF-8 med BOM, datoer dd.mm.åååå; "
        "én rad per person (alle radene, uten sider).",
        "content": {
            "text/csv": {"schema": FIL, "example": "DUF-nummer;Fornavn;Etternavn\r\n202312345678;Amina;Haddad"}
        },
    }
}
XLSX_OK: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Excel-arbeidsbok: tittel på rad 1, filteret på rad 2, kolonnetitler på rad 3 med autofilter, "
        "DUF-nummer som tekst og datoer som datoer; alle radene, uten sider.",
        "content": {xlsx_export.MEDIA_TYPE: {"schema": FIL}},
    }
}


def router() -> APIRouter:
    # Every route authenticated and read access checked before its filter is looked at (BeskyttetRute).
    r = APIRouter(prefix="/api/v1", tags=["rapport"], route_class=BeskyttetRute)

    @r.get(
        "/rapport/{lov}",
        response_model=skjema.Rapportside,
        summary="Avsluttede deltakere, side for side",
        description="Én rad per person med gjeldende avslutning etter loven, innenfor brukerens kommune (eller "
        "bydel; IMDi ser alle). Filtrene står i URL-en og kan bokmerkes; søk på DUF-nummer eller navn med "
        "POST …/sok, så identifikatorene aldri havner i en URL.",
    )
    async def hent_rapport(
        f: Annotated[sporringer.Filter, Depends(rapportfilter)],
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=500)] = 25,
        sorter: sporringer.Sortering = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> dict:
        return await side_svar(p, bruker, f, side=side, per_side=per_side, sorter=sorter, retning=retning)

    @r.post(
        "/rapport/{lov}/sok",
        response_model=skjema.Rapportside,
        summary="Søk i rapporten",
        description="Som GET /rapport/{lov}, med filteret i kroppen, også DUF-nummer (helt eller starten) og navn.",
    )
    async def sok_i_rapport(
        lov: Lov, inn: RapportSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]
    ) -> dict:
        return await side_svar(
            p, bruker, inn.filter(lov), side=inn.side, per_side=inn.per_side, sorter=inn.sorter, retning=inn.retning
        )

    @r.get(
        "/rapport/{lov}/csv",
        response_class=CsvSvar,
        responses=CSV_OK,
        summary="Last ned rapporten som CSV",
        description="Alle radene for filteret i URL-en, som en CSV-fil for Excel med norske innstillinger.",
    )
    async def last_ned_csv(
        f: Annotated[sporringer.Filter, Depends(rapportfilter)],
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        sorter: sporringer.Sortering = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> StreamingResponse:
        return csv_response(p, bruker, f, sorter, retning)

    @r.post(
        "/rapport/{lov}/csv",
        response_class=CsvSvar,
        responses=CSV_OK,
        summary="Last ned søket som CSV",
        description="CSV-fil for filteret i kroppen (også DUF-nummer og navn); side og per_side gjelder ikke: "
        "filen har alle radene.",
    )
    async def last_ned_csv_for_sok(
        lov: Lov, inn: RapportSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]
    ) -> StreamingResponse:
        return csv_response(p, bruker, inn.filter(lov), inn.sorter, inn.retning)

    @r.get(
        "/rapport/{lov}/xlsx",
        response_class=XlsxSvar,
        responses=XLSX_OK,
        summary="Last ned rapporten som Excel",
        description="Alle radene for filteret i URL-en, som en Excel-arbeidsbok.",
    )
    async def last_ned_xlsx(
        f: Annotated[sporringer.Filter, Depends(rapportfilter)],
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        sorter: sporringer.Sortering = "etternavn",
        retning: sporringer.Retning = "stigende",
    ) -> StreamingResponse:
        return xlsx_response(p, bruker, f, sorter, retning)

    @r.post(
        "/rapport/{lov}/xlsx",
        response_class=XlsxSvar,
        responses=XLSX_OK,
        summary="Last ned søket som Excel",
        description="Excel-arbeidsbok for filteret i kroppen (også DUF-nummer og navn); side og per_side gjelder "
        "ikke: filen har alle radene.",
    )
    async def last_ned_xlsx_for_sok(
        lov: Lov, inn: RapportSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]
    ) -> StreamingResponse:
        return xlsx_response(p, bruker, inn.filter(lov), inn.sorter, inn.retning)

    @r.get(
        "/rapport/{lov}/filtervalg",
        response_model=skjema.Filtervalg,
        summary="Valgene filtrene tilbyr",
        description="Kommunene og bydelene brukeren kan filtrere på, og årene avslutningene faller i.",
    )
    async def hent_filtervalg(lov: Lov, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]) -> dict:
        async with p.acquire() as conn:
            return await sporringer.filtervalg(conn, bruker, lov)

    @r.get(
        "/personer/{deltaker_id:uuid}/avslutningshistorikk",
        response_model=skjema.Historikk,
        summary="All avslutningshistorikk for en person",
        description="Hver versjon av hver avslutning, nyeste først, slettede merket. En person brukeren ikke ser, "
        "svarer som ukjent (404).",
    )
    async def hent_avslutningshistorikk(
        deltaker_id: UUID, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]
    ) -> dict:
        async with p.acquire() as conn:
            h = await sporringer.historikk(conn, bruker, deltaker_id)
        if h is None:  # also a person the user may not see: answered as unknown
            raise HTTPException(404, problem("IKKE_FUNNET", "ingen avslutningshistorikk for denne personen"))
        return h

    @r.post(
        "/personer/sok",
        response_model=skjema.Personside,
        summary="Personene brukeren ser, side for side",
        description="Personer i program eller avsluttet, filtrert på lov, status og navn (i kroppen, aldri i en URL).",
    )
    async def sok_personer(inn: PersonSok, bruker: Lesetilgang, p: Annotated[asyncpg.Pool, Depends(pool)]) -> dict:
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
        response_model=skjema.Fristside,
        summary="Frister som nærmer seg",
        description="Personer i program med gjennomføringsfrist (gjennomforing), eller oppstartsfrist uten vedtak "
        "om program og sluttmål (oppstart), fra og med `fra` til og med `fra` + `dager`, tidligste først.",
    )
    async def hent_frister(
        hvilken: fristliste.Fristtype,
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        dager: Annotated[int, Query(ge=0, le=366, description="fra og med `fra` til og med `fra` + dager")] = 30,
        fra: Annotated[Dato | None, Query(description="første dag (standard: i dag, norsk tid)")] = None,
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
        response_model=skjema.Folkeregisterside,
        summary="Avslutninger fra Folkeregisteret",
        description="Flyttet, Utvandret og Død som regelmotoren har registrert fra Folkeregisteret siden `siden` "
        "og som fortsatt gjelder, nyeste først.",
    )
    async def hent_folkeregisteravslutninger(
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        # Tidspunkt: a text with its time zone, never a number (pydantic would read 0.5 as a Unix time)
        siden: Annotated[
            Tidspunkt,
            Query(description="tidspunkt med tidssone (ISO 8601)", examples=["2026-01-01T00:00:00+01:00"]),
        ],
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=100)] = 25,
    ) -> dict:
        async with p.acquire() as conn:
            return await fristliste.folkeregister(conn, bruker, siden=siden, side=side, per_side=per_side)

    @r.get(
        "/avslutningsarsak-ikke-registrert",
        response_model=skjema.IkkeRegistrertside,
        summary="Avslutningsårsak ikke registrert",
        description="Personer regelmotoren har avsluttet med «Avslutningsårsak ikke registrert» og som kommunen "
        "ennå ikke har registrert riktig årsak for (begge lover), eldste først.",
    )
    async def hent_ikke_registrert(
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        side: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_side: Annotated[int, Query(ge=1, le=100)] = 25,
    ) -> dict:
        async with p.acquire() as conn:
            return await fristliste.ikke_registrert(conn, bruker, side=side, per_side=per_side)

    @r.get(
        "/maaloppnaaelse",
        response_model=skjema.Maaloppnaaelse,
        summary="Måloppnåelse per år, fylke og kommune",
        description="Andelen i jobb, i utdanning og i jobb eller utdanning blant dem som avsluttet (Tabell 2); en "
        "kommune ser sin egen, IMDi også fylkene og landet.",
    )
    async def hent_maaloppnaaelse(
        bruker: Lesetilgang,
        p: Annotated[asyncpg.Pool, Depends(pool)],
        aar: Annotated[int | None, Query(ge=sporringer.FORSTE_AAR, le=sporringer.SISTE_AAR)] = None,
        lov: Lov | None = None,
    ) -> dict:
        async with p.acquire() as conn:
            return await sporringer.maaloppnaaelse(conn, bruker, aar=aar, lov=lov)

    @r.get(
        "/statistikk/{lov}",
        summary="Statistikk: måloppnåelse for alle nivåer brukeren kan se, per år i perioden",
        description="Per år i perioden (standard: de fem siste årene med avsluttede, høyst 20 år) linjene brukeren "
        "kan se — landet, fylkene, egen kommune eller bydel, for IMDi alle kommuner og Oslos bydeler — med "
        "måloppnåelse (Tabell 2), sluttårsak per gruppe, tid i program og andel med forlengelse, og sluttårsak per "
        "kode for hele landet. En linje eller kode med under 5 personer er prikket (`prikket: true`, uten tall), "
        "med sekundærprikking så den ikke kan regnes ut fra summene.",
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
