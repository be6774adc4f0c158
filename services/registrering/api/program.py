"""/api/v1/deltakere/{id}/…: the programme's facts: vedtak (all types), sluttmål, tiltak, fravær, avvisning."""

from __future__ import annotations

import logging
from dataclasses import replace
from uuid import UUID, uuid4

from fastapi import Query, Request, Response

from services.plumbing import outbox
from services.plumbing.auth import Bruker, Lesetilgang, Skrivetilgang
from services.registrering import hendelser, lager
from services.registrering.api import skjema
from services.registrering.api.feil import ikke_funnet, krev, krever_bekreftelse
from services.registrering.api.felles import kontekst, les, ruter, skriv
from services.registrering.api.idempotens import lagre_svar
from services.registrering.domain import regler
from services.registrering.domain.modell import Vedtak
from services.registrering.lager import hent_fravaer, hent_program, hent_tiltak, hent_vedtak
from shared.events import vedtak as vedtakshendelser
from shared.events.envelope import Periode
from shared.kodeverk.sluttmal import SLUTTMALNAVN, Sluttmalkode
from shared.kodeverk.vedtak import Vedtakstype
from shared.regelverk import kategori

log = logging.getLogger(__name__)
router = ruter("/api/v1/deltakere/{deltaker_id:uuid}", "program")


def _krev_datoer_i_tid(row, k, datoer: dict) -> None:
    """422 for a date before the person's fødselsdato or outside the programme's time (regler.datoer_i_tid),
    inside the write transaction so nothing is half-written."""
    krev(*regler.datoer_i_tid(datoer, fodselsdato=row["fodselsdato"], idag=k.idag))


def _periode(p: Periode) -> dict:
    return {"periode.fra": p.fra, "periode.til": p.til}


def _vedtak_ut(r) -> skjema.VedtakUt:
    return skjema.VedtakUt(
        vedtak_id=r["vedtak_id"],
        vedtakstype=r["vedtakstype"],
        resultat=r["resultat"],
        vedtaksdato=r["vedtaksdato"],
        periode=Periode(fra=r["fra"], til=r["til"]),
        gjeldende=r["gjeldende"],
    )


async def _krev_vedtaksregler(conn, row, k, inn: skjema.VedtakInn, erstatter: UUID | None) -> None:
    """The rules a new vedtak (erstatter None) or the new values of vedtak `erstatter` must meet, decided on the
    programme as it would be with them (the edited vedtak's old values left out)."""
    _krev_datoer_i_tid(row, k, {"vedtaksdato": inn.vedtaksdato, **_periode(inn.periode)})
    program = await hent_program(conn, row)
    andre = replace(program, vedtak=tuple(x for x in program.vedtak if x.vedtak_id != erstatter))
    krev(
        regler.vedtak_etter_programstart(andre, inn.vedtakstype, inn.periode.fra),
        regler.programstart_har_regelverk(program.lov, inn.vedtakstype, inn.periode.fra),
    )
    if inn.vedtakstype is Vedtakstype.DELTAKELSE and program.sluttmal is not None:
        # a new programstart may fall under another regelverk, which must know the sluttmål (DOMAIN.md §6)
        ny = regler.programstart(
            replace(
                andre,
                vedtak=andre.vedtak
                + (Vedtak(erstatter or uuid4(), inn.vedtakstype, inn.resultat, inn.periode.fra, inn.periode.til),),
            )
        )
        krev(regler.sluttmal_finnes_i_regelverket(program.lov, ny, program.sluttmal))


@router.post(
    "/vedtak",
    status_code=201,
    response_model=skjema.VedtakUt,
    summary="Registrer et vedtak",
    description="Deltakelse, forlengelse, permisjon, midlertidig eller permanent stans, avslag. Et vedtak om "
    "permanent stans gjør at regelmotoren beregner avslutningen «Vedtak om permanent stans»; kommunen registrerer "
    "så den egentlige avslutningsårsaken.",
    responses={
        409: {
            "description": "MANGLER_VEDTAK_OM_DELTAKELSE: forlengelse, permisjon og stans krever et "
            "vedtak om deltakelse."
        }
    },
)
async def registrer_vedtak(
    deltaker_id: UUID, inn: skjema.VedtakInn, bruker: Skrivetilgang, request: Request
) -> skjema.VedtakUt:
    """Deltakelse, forlengelse, permisjon, midlertidig or permanent stans, avslag. A permanent stans makes the
    regelmotor compute «Vedtak om permanent stans»; the kommune then adds the real årsak (DOMAIN.md §4 rule 7)."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        await _krev_vedtaksregler(conn, row, k, inn, None)
        r = await lager.lagre_vedtak(
            conn,
            deltaker_id,
            uuid4(),
            vedtakstype=inn.vedtakstype.value,
            resultat=inn.resultat.value,
            vedtaksdato=inn.vedtaksdato,
            fra=inn.periode.fra,
            til=inn.periode.til,
            registrert_av=k.brukerident,
            registrert_dato=k.naa,
        )
        await outbox.enqueue(
            conn, [vedtakshendelser.VedtakRegistrert(**k.envelope(deltaker_id), vedtak=hendelser.vedtak(r))]
        )
        ut = _vedtak_ut(r)
        await lagre_svar(conn, request, 201, ut)
    log.info("vedtak registrert", extra={"deltaker_id": str(deltaker_id), "vedtakstype": inn.vedtakstype.value})
    return ut


@router.get(
    "/vedtak",
    response_model=list[skjema.VedtakUt],
    summary="Deltakerens vedtak",
    description="Alle vedtak som ikke er slettet, med om de er gjeldende.",
)
async def list_vedtak(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> list[skjema.VedtakUt]:
    async with les(request, bruker, deltaker_id) as (conn, _):
        return [_vedtak_ut(r) for r in await hent_vedtak(conn, deltaker_id)]


@router.put(
    "/vedtak/{vedtak_id:uuid}",
    response_model=skjema.VedtakUt,
    summary="Rett et vedtak",
    description="Alle verdiene erstattes; de samme reglene som for et nytt vedtak. Om vedtaket er gjeldende, "
    "står som en avslutning satte det.",
    responses={
        409: {
            "description": "MANGLER_VEDTAK_OM_DELTAKELSE: forlengelse, permisjon og stans krever et "
            "vedtak om deltakelse."
        }
    },
)
async def endre_vedtak(
    deltaker_id: UUID, vedtak_id: UUID, inn: skjema.VedtakInn, bruker: Skrivetilgang, request: Request
) -> skjema.VedtakUt:
    """Correct a vedtak (all its values; the same rules as a new one). Whether it is gjeldende stays as an
    avslutning left it. VedtakEndret carries the whole vedtak after the change."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        await _krev_vedtaksregler(conn, row, k, inn, vedtak_id)
        r = await lager.endre_vedtak(
            conn,
            deltaker_id,
            vedtak_id,
            vedtakstype=inn.vedtakstype.value,
            resultat=inn.resultat.value,
            vedtaksdato=inn.vedtaksdato,
            fra=inn.periode.fra,
            til=inn.periode.til,
        )
        if r is None:
            raise ikke_funnet("vedtaket")
        await outbox.enqueue(
            conn, [vedtakshendelser.VedtakEndret(**k.envelope(deltaker_id), vedtak=hendelser.vedtak(r))]
        )
        ut = _vedtak_ut(r)
        await lagre_svar(conn, request, 200, ut)
    log.info("vedtak endret", extra={"deltaker_id": str(deltaker_id), "vedtakstype": inn.vedtakstype.value})
    return ut


@router.delete(
    "/vedtak/{vedtak_id:uuid}",
    status_code=204,
    summary="Slett et vedtak",
    description="Vedtaket beholdes merket slettet, for historikken.",
)
async def slett_vedtak(deltaker_id: UUID, vedtak_id: UUID, bruker: Skrivetilgang, request: Request) -> Response:
    k = kontekst(request, bruker)
    return await _slett(
        request,
        bruker,
        deltaker_id,
        "vedtak",
        vedtak_id,
        "vedtaket",
        vedtakshendelser.VedtakSlettet(**k.envelope(deltaker_id), vedtak_id=vedtak_id),
    )


@router.get(
    "/sluttmal",
    response_model=list[skjema.SluttmalUt],
    summary="Deltakerens sluttmål",
    description="Alle sluttmål som er satt, nyeste først; det første er det gjeldende.",
)
async def list_sluttmal(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> list[skjema.SluttmalUt]:
    """Every sluttmål set, newest first; the first is the one in force (the newest registered)."""
    async with les(request, bruker, deltaker_id) as (conn, _):
        rows = await lager.hent_sluttmal(conn, deltaker_id)
    return [
        skjema.SluttmalUt(
            sluttmal=r["sluttmal"],
            navn=SLUTTMALNAVN[Sluttmalkode(r["sluttmal"])],
            fastsatt_dato=r["fastsatt_dato"],
            registrert_av=r["registrert_av"],
            gjeldende=i == 0,
        )
        for i, r in enumerate(rows)
    ]


@router.post(
    "/sluttmal",
    status_code=201,
    response_model=skjema.Opprettet,
    summary="Registrer sluttmål",
    description="Sluttmålet som gjelder fra nå; det må finnes i regelverket for personens lov og programstart.",
)
async def registrer_sluttmal(
    deltaker_id: UUID,
    inn: skjema.SluttmalInn,
    bruker: Skrivetilgang,
    request: Request,
    confirm: bool = Query(
        False,
        description="Repeat with confirm=true after the warning that the sluttmål is the «hovedregel for "
        "personer under 25 år» (Prop. 81 L § 14) and the person is older.",
    ),
) -> skjema.Opprettet:
    """The sluttmål in force from now on. It must be one the regelverk for the person's lov and programstart
    knows, of the person's § 13/§ 14 (utdanningsbakgrunn), and within its age band at the fastsatt dato (DOMAIN.md
    §4.10; issue #13 §2); outside the «hovedregel for personer under 25 år» the answer is a warning to confirm."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        _krev_datoer_i_tid(row, k, {"fastsatt_dato": inn.fastsatt_dato})
        program = await hent_program(conn, row)
        start = regler.programstart(program)
        krev(regler.sluttmal_finnes_i_regelverket(program.lov, start, inn.sluttmal))
        varighet = regler.sluttmalets_varighet(program.lov, start, inn.sluttmal)
        alder = kategori.alder(row["fodselsdato"], inn.fastsatt_dato)
        krev(
            regler.sluttmal_etter_utdanningsbakgrunn(inn.sluttmal, varighet, program.utdanningsbakgrunn),
            regler.sluttmal_innenfor_aldersband(inn.sluttmal, varighet, alder),
        )
        advarsel = regler.hovedregel_under_alder(inn.sluttmal, varighet, alder)
        if advarsel is not None and not confirm:
            raise krever_bekreftelse(advarsel)  # nothing is stored: the transaction rolls back
        await lager.lagre_sluttmal(
            conn,
            deltaker_id,
            sluttmal=inn.sluttmal.value,
            fastsatt_dato=inn.fastsatt_dato,
            registrert_av=k.brukerident,
            registrert_dato=k.naa,
        )
        hendelse = vedtakshendelser.SluttmalRegistrert(
            **k.envelope(deltaker_id), sluttmal=inn.sluttmal, fastsatt_dato=inn.fastsatt_dato
        )
        await outbox.enqueue(conn, [hendelse])
        await lagre_svar(conn, request, 201, skjema.Opprettet(id=hendelse.event_id))
    return skjema.Opprettet(id=hendelse.event_id)


def _tiltak_ut(r) -> skjema.TiltakUt:
    return skjema.TiltakUt(
        tiltak_id=r["tiltak_id"],
        tiltakskode=r["tiltakskode"],
        periode=Periode(fra=r["fra"], til=r["til"]),
        timer_per_uke=r["timer_per_uke"],
        gjeldende=r["gjeldende"],
    )


@router.post(
    "/tiltak",
    status_code=201,
    response_model=skjema.TiltakUt,
    summary="Registrer et tiltak",
    description="Et tiltak med periode og timer per uke.",
)
async def registrer_tiltak(
    deltaker_id: UUID, inn: skjema.TiltakInn, bruker: Skrivetilgang, request: Request
) -> skjema.TiltakUt:
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        _krev_datoer_i_tid(row, k, _periode(inn.periode))
        r = await lager.lagre_tiltak(
            conn,
            deltaker_id,
            uuid4(),
            tiltakskode=inn.tiltakskode,
            fra=inn.periode.fra,
            til=inn.periode.til,
            timer_per_uke=inn.timer_per_uke,
            registrert_av=k.brukerident,
            registrert_dato=k.naa,
        )
        await outbox.enqueue(
            conn, [vedtakshendelser.TiltakRegistrert(**k.envelope(deltaker_id), tiltak=hendelser.tiltak(r))]
        )
        ut = _tiltak_ut(r)
        await lagre_svar(conn, request, 201, ut)
    return ut


@router.get(
    "/tiltak",
    response_model=list[skjema.TiltakUt],
    summary="Deltakerens tiltak",
    description="Alle tiltak, med om de er gjeldende.",
)
async def list_tiltak(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> list[skjema.TiltakUt]:
    async with les(request, bruker, deltaker_id) as (conn, _):
        return [_tiltak_ut(r) for r in await hent_tiltak(conn, deltaker_id)]


@router.put(
    "/tiltak/{tiltak_id:uuid}",
    response_model=skjema.TiltakUt,
    summary="Rett et tiltak",
    description="Alle verdiene erstattes. Om tiltaket er gjeldende, står som en avslutning satte det.",
)
async def endre_tiltak(
    deltaker_id: UUID, tiltak_id: UUID, inn: skjema.TiltakInn, bruker: Skrivetilgang, request: Request
) -> skjema.TiltakUt:
    """Correct a tiltak; whether it is gjeldende stays as an avslutning left it."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        _krev_datoer_i_tid(row, k, _periode(inn.periode))
        r = await lager.endre_tiltak(
            conn,
            deltaker_id,
            tiltak_id,
            tiltakskode=inn.tiltakskode,
            fra=inn.periode.fra,
            til=inn.periode.til,
            timer_per_uke=inn.timer_per_uke,
        )
        if r is None:
            raise ikke_funnet("tiltaket")
        await outbox.enqueue(
            conn, [vedtakshendelser.TiltakEndret(**k.envelope(deltaker_id), tiltak=hendelser.tiltak(r))]
        )
        ut = _tiltak_ut(r)
        await lagre_svar(conn, request, 200, ut)
    return ut


@router.delete(
    "/tiltak/{tiltak_id:uuid}",
    status_code=204,
    summary="Slett et tiltak",
    description="Tiltaket beholdes merket slettet, for historikken.",
)
async def slett_tiltak(deltaker_id: UUID, tiltak_id: UUID, bruker: Skrivetilgang, request: Request) -> Response:
    k = kontekst(request, bruker)
    return await _slett(
        request,
        bruker,
        deltaker_id,
        "tiltak",
        tiltak_id,
        "tiltaket",
        vedtakshendelser.TiltakSlettet(**k.envelope(deltaker_id), tiltak_id=tiltak_id),
    )


@router.post(
    "/fravaer",
    status_code=201,
    response_model=skjema.Opprettet,
    summary="Registrer fravær",
    description="Gyldig fravær forlenger gjennomføringsfristen der regelverket sier det.",
)
async def registrer_fravaer(
    deltaker_id: UUID, inn: skjema.FravaerInn, bruker: Skrivetilgang, request: Request
) -> skjema.Opprettet:
    """Gyldig fravær extends the gjennomføringsfrist where the regelverk says so (DOMAIN.md §6)."""
    k = kontekst(request, bruker)
    fravaer_id = uuid4()
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        _krev_datoer_i_tid(row, k, _periode(inn.periode))
        await lager.lagre_fravaer(
            conn,
            deltaker_id,
            fravaer_id,
            fravaerstype=inn.fravaerstype.value,
            fra=inn.periode.fra,
            til=inn.periode.til,
            registrert_av=k.brukerident,
            registrert_dato=k.naa,
        )
        await outbox.enqueue(
            conn,
            [
                vedtakshendelser.FravaerRegistrert(
                    **k.envelope(deltaker_id),
                    fravaer=vedtakshendelser.Fravaer(
                        fravaer_id=fravaer_id, fravaerstype=inn.fravaerstype, periode=inn.periode
                    ),
                )
            ],
        )
        await lagre_svar(conn, request, 201, skjema.Opprettet(id=fravaer_id))
    return skjema.Opprettet(id=fravaer_id)


@router.get(
    "/fravaer",
    response_model=list[skjema.FravaerUt],
    summary="Fraværet",
    description="Fraværet som ikke er slettet, eldste først.",
)
async def list_fravaer(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> list[skjema.FravaerUt]:
    """The fravær not deleted, oldest first."""
    async with les(request, bruker, deltaker_id) as (conn, _):
        rows = await hent_fravaer(conn, deltaker_id)
    return [
        skjema.FravaerUt(
            fravaer_id=r["fravaer_id"], fravaerstype=r["fravaerstype"], periode=Periode(fra=r["fra"], til=r["til"])
        )
        for r in rows
    ]


@router.delete(
    "/fravaer/{fravaer_id:uuid}",
    status_code=204,
    summary="Slett fravær",
    description="Fraværet beholdes merket slettet, for historikken.",
)
async def slett_fravaer(deltaker_id: UUID, fravaer_id: UUID, bruker: Skrivetilgang, request: Request) -> Response:
    k = kontekst(request, bruker)
    return await _slett(
        request,
        bruker,
        deltaker_id,
        "fravaer",
        fravaer_id,
        "fraværet",
        vedtakshendelser.FravaerSlettet(**k.envelope(deltaker_id), fravaer_id=fravaer_id),
    )


@router.post(
    "/avvisning",
    status_code=201,
    response_model=skjema.Opprettet,
    summary="Registrer at personen avviste programmet",
    description="Regelmotoren beregner da avslutningen «Person avvist program».",
)
async def registrer_avvisning(
    deltaker_id: UUID, inn: skjema.AvvisningInn, bruker: Skrivetilgang, request: Request
) -> skjema.Opprettet:
    """The person rejected the programme; the regelmotor computes «Person avvist program» (DOMAIN.md §5). Only
    before the programme starts (DOMAIN.md §4 rule 9): after it, 409 says to register permanent stans or an
    avslutning."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        _krev_datoer_i_tid(row, k, {"avvist_dato": inn.avvist_dato})
        krev(regler.avvisning_for_programstart(await hent_program(conn, row), inn.avvist_dato))
        await lager.lagre_avvisning(
            conn, deltaker_id, avvist_dato=inn.avvist_dato, registrert_av=k.brukerident, registrert_dato=k.naa
        )
        hendelse = vedtakshendelser.AvvisningRegistrert(**k.envelope(deltaker_id), avvist_dato=inn.avvist_dato)
        await outbox.enqueue(conn, [hendelse])
        await lagre_svar(conn, request, 201, skjema.Opprettet(id=hendelse.event_id))
    return skjema.Opprettet(id=hendelse.event_id)


async def _slett(
    request: Request,
    bruker: Bruker,
    deltaker_id: UUID,
    tabell: str,
    rad_id: UUID,
    hva: str,
    hendelse: vedtakshendelser.VedtakSlettet | vedtakshendelser.FravaerSlettet | vedtakshendelser.TiltakSlettet,
) -> Response:
    """Mark a vedtak, tiltak or fravær deleted (kept, for history) and publish the deletion, in one transaction."""
    async with skriv(request, bruker, deltaker_id) as (conn, _):
        if not await lager.slett(conn, tabell, deltaker_id, rad_id):
            raise ikke_funnet(hva)
        await outbox.enqueue(conn, [hendelse])
        await lagre_svar(conn, request, 204, None)
    return Response(status_code=204)
