"""/api/v1/deltakere/{id}/avslutninger: add, edit, delete the kommune's avslutning; the current one and every
version (DOMAIN.md §4 rules 1–7). The regelmotor's computed ones arrive by Kafka (forbruker.py)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

from fastapi import Query, Request, Response

from services.plumbing import outbox
from services.plumbing.auth import Lesetilgang, Skrivetilgang
from services.registrering import hendelser
from services.registrering.api import skjema
from services.registrering.api.feil import avvis, ikke_funnet, konflikt, krev, krever_bekreftelse
from services.registrering.api.felles import kontekst, les, ruter, skriv
from services.registrering.api.idempotens import lagre_svar
from services.registrering.domain import regler
from services.registrering.domain.modell import Avslutningsversjon, Program
from services.registrering.hendelser import Kontekst
from services.registrering.lager import (
    hent_program,
    lagre_avslutningsversjon,
    sett_ikke_gjeldende,
    siste_versjon,
    som_versjon,
    timer,
)
from shared.events import avslutning as avslutningshendelser
from shared.events import vedtak as vedtakshendelser
from shared.kodeverk.avslutningsarsaker import Kilde, avslutningsarsak

log = logging.getLogger(__name__)
router = ruter("/api/v1/deltakere/{deltaker_id:uuid}/avslutninger", "avslutning")
Bekreft = Query(
    False,
    description="Send forespørselen på nytt med confirm=true etter advarselen KREVER_BEKREFTELSE («Er du sikker "
    "på at du vil lagre?»); vedtak og tiltak som løper forbi avslutningsdatoen, blir da ikke gjeldende.",
)
_KONFLIKTER = (
    "KREVER_BEKREFTELSE: vedtak eller tiltak løper forbi avslutningsdatoen; ingenting er lagret, `advarsel` "
    "nevner dem, og samme forespørsel med confirm=true lagrer. Ellers en konflikt med det som er registrert: "
    "EN_GJELDENDE_KOMMUNEAVSLUTNING (rediger eller slett den som gjelder), MANGLER_VEDTAK_ELLER_SLUTTMAL, "
    "VENTER_PAA_KOMMUNENS_ARSAK, FRIST_KAN_IKKE_BEREGNES, SAMTIDIG_ENDRING"
)


def versjon_ut(x: Avslutningsversjon) -> skjema.AvslutningsversjonUt:
    return skjema.AvslutningsversjonUt(
        avslutning_id=x.avslutning_id,
        versjon=x.versjon,
        kilde=x.kilde.value,
        avslutningstype=x.avslutningstype,
        arsak=skjema.Arsak(kode=x.arsak, navn=avslutningsarsak(x.arsak).navn),
        timer_arbeid_per_uke=x.timer_arbeid_per_uke,
        avslutningsdato=x.avslutningsdato,
        registrert_av=x.registrert_av,
        registrert_dato=x.registrert_dato,
        oppfolgingskommune=x.oppfolgingskommune,
        bydel=x.bydel,
        slettet=x.slettet,
        visning=x.avslutningstype.value + (" (slettet)" if x.slettet else ""),
    )


async def _vurder_og_merk(
    conn,
    program: Program,
    inn: skjema.AvslutningInn,
    k: Kontekst,
    deltaker_id: UUID,
    confirm: bool,
    *,
    ny: bool,
    fodselsdato: date,
) -> tuple[list, list[UUID], list[UUID]]:
    """The rules, the warning, and on confirmation the vedtak/tiltak made ikke gjeldende with their events."""
    vurdering = regler.vurder_kommuneavslutning(
        program,
        arsak=inn.arsak,
        avslutningsdato=inn.avslutningsdato,
        timer=inn.timer_arbeid_per_uke,
        ny=ny,
        fodselsdato=fodselsdato,
        idag=k.idag,
    )
    if not vurdering.godkjent:
        raise avvis(vurdering.brudd)
    if vurdering.advarsel is not None and not confirm:
        raise krever_bekreftelse(vurdering.advarsel)  # nothing is stored: the transaction rolls back
    if vurdering.advarsel is None:
        return [], [], []
    vedtak, tiltak = await sett_ikke_gjeldende(conn, vurdering.advarsel.vedtak_ids, vurdering.advarsel.tiltak_ids)
    events: list[vedtakshendelser.VedtakEndret | vedtakshendelser.TiltakEndret] = [
        vedtakshendelser.VedtakEndret(**k.envelope(deltaker_id), vedtak=hendelser.vedtak(r)) for r in vedtak
    ]
    events += [vedtakshendelser.TiltakEndret(**k.envelope(deltaker_id), tiltak=hendelser.tiltak(r)) for r in tiltak]
    return events, [r["vedtak_id"] for r in vedtak], [r["tiltak_id"] for r in tiltak]


def _ny_versjon(avslutning_id: UUID, versjon: int, inn: skjema.AvslutningInn, k: Kontekst, row) -> Avslutningsversjon:
    return Avslutningsversjon(
        avslutning_id=avslutning_id,
        kilde=Kilde.KOMMUNE,
        versjon=versjon,
        avslutningstype=avslutningsarsak(inn.arsak).avslutningstype,
        arsak=inn.arsak,
        avslutningsdato=inn.avslutningsdato,
        timer_arbeid_per_uke=timer(inn.timer_arbeid_per_uke),
        registrert_av=k.brukerident,
        registrert_dato=k.naa,
        oppfolgingskommune=row["oppfolgingskommune"],
        bydel=row["bydel"],
        slettet=False,
    )


@router.post(
    "",
    status_code=201,
    response_model=skjema.AvslutningLagret,
    summary="Registrer kommunens avslutning",
    description="Kommunens avslutningsårsak og avslutningsdato, også over en avslutning regelmotoren har "
    "beregnet (regelmotoren trekker da sin egen tilbake).",
    responses={409: {"description": _KONFLIKTER + "."}},
)
async def registrer_avslutning(
    deltaker_id: UUID, inn: skjema.AvslutningInn, bruker: Skrivetilgang, request: Request, confirm: bool = Bekreft
) -> skjema.AvslutningLagret:
    """Add the kommune's avslutning (also over a computed one: the regelmotor then retracts its own)."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        program = await hent_program(conn, row)
        events, vedtak_ids, tiltak_ids = await _vurder_og_merk(
            conn, program, inn, k, deltaker_id, confirm, ny=True, fodselsdato=row["fodselsdato"]
        )
        versjon = _ny_versjon(uuid4(), 1, inn, k, row)
        events.append(
            avslutningshendelser.AvslutningRegistrert(
                **k.envelope(deltaker_id), avslutning=hendelser.avslutning(versjon)
            )
        )
        ut = await _lagre(conn, request, 201, deltaker_id, versjon, events, vedtak_ids, tiltak_ids)
    log.info("avslutning registrert", extra={"deltaker_id": str(deltaker_id), "arsak": inn.arsak.value})
    return ut


async def _lagre(
    conn,
    request: Request,
    status: int,
    deltaker_id: UUID,
    versjon: Avslutningsversjon,
    events: list,
    vedtak_ids: list[UUID],
    tiltak_ids: list[UUID],
) -> skjema.AvslutningLagret:
    """The new version, its events and the answer (for an Idempotency-Key retry), in the caller's transaction."""
    await lagre_avslutningsversjon(conn, versjon, deltaker_id)
    await outbox.enqueue(conn, events)
    ut = skjema.AvslutningLagret(
        avslutning=versjon_ut(versjon), ikke_gjeldende_vedtak=vedtak_ids, ikke_gjeldende_tiltak=tiltak_ids
    )
    await lagre_svar(conn, request, status, ut)
    return ut


async def _siste(conn, deltaker_id: UUID, avslutning_id: UUID) -> Avslutningsversjon:
    r = await siste_versjon(conn, avslutning_id)
    if r is None or r["deltaker_id"] != deltaker_id:
        raise ikke_funnet("avslutningen")
    return som_versjon(r)


@router.put(
    "/{avslutning_id:uuid}",
    response_model=skjema.AvslutningLagret,
    summary="Rediger en avslutning",
    description="En ny versjon av kommunens egen avslutning. Flyttet, Utvandret og Død kan redigeres uansett "
    "hvem som satte dem; å redigere en annen av regelmotorens registrerer kommunens egen i stedet.",
    responses={
        409: {"description": _KONFLIKTER + ", AVSLUTNING_KAN_IKKE_ENDRES (slettet, eller beregnet av regelmotoren)."}
    },
)
async def rediger_avslutning(
    deltaker_id: UUID,
    avslutning_id: UUID,
    inn: skjema.AvslutningInn,
    bruker: Skrivetilgang,
    request: Request,
    confirm: bool = Bekreft,
) -> skjema.AvslutningLagret:
    """Edit: a new version of the kommune's own avslutning. Flyttet/Utvandret/Død are editable whoever set them;
    editing the regelmotor's registers the kommune's own in its place (the regelmotor then retracts it)."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, row):
        siste = await _siste(conn, deltaker_id, avslutning_id)
        krev(regler.kan_endre_avslutning(bruker.omfang, siste))
        program = await hent_program(conn, row)
        # editing the regelmotor's Flyttet/Utvandret/Død adds the kommune's own: the one-avslutning rule applies
        events, vedtak_ids, tiltak_ids = await _vurder_og_merk(
            conn,
            program,
            inn,
            k,
            deltaker_id,
            confirm,
            ny=siste.kilde is Kilde.REGELMOTOR,
            fodselsdato=row["fodselsdato"],
        )
        if siste.kilde is Kilde.REGELMOTOR:
            versjon = _ny_versjon(uuid4(), 1, inn, k, row)
            events.append(
                avslutningshendelser.AvslutningRegistrert(
                    **k.envelope(deltaker_id), avslutning=hendelser.avslutning(versjon)
                )
            )
        else:
            versjon = _ny_versjon(avslutning_id, siste.versjon + 1, inn, k, row)
            events.append(
                avslutningshendelser.AvslutningEndret(
                    **k.envelope(deltaker_id), avslutning=hendelser.avslutning(versjon)
                )
            )
        ut = await _lagre(conn, request, 200, deltaker_id, versjon, events, vedtak_ids, tiltak_ids)
    log.info("avslutning endret", extra={"deltaker_id": str(deltaker_id), "arsak": inn.arsak.value})
    return ut


@router.delete(
    "/{avslutning_id:uuid}",
    status_code=204,
    summary="Slett en avslutning",
    description="Avslutningen beholdes som en versjon merket slettet, og vises slik i historikken.",
    responses={
        409: {
            "description": "AVSLUTNING_KAN_IKKE_ENDRES: allerede slettet, eller beregnet av "
            "regelmotoren (regelmotoren trekker sine egne tilbake)."
        }
    },
)
async def slett_avslutning(deltaker_id: UUID, avslutning_id: UUID, bruker: Skrivetilgang, request: Request) -> Response:
    """Delete: kept as a version marked slettet (DOMAIN.md §4 rule 5)."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, _):
        siste = await _siste(conn, deltaker_id, avslutning_id)
        krev(regler.kan_endre_avslutning(bruker.omfang, siste))
        if siste.kilde is Kilde.REGELMOTOR:
            raise konflikt(
                "en avslutning beregnet av regelmotor slettes av regelmotoren; registrer kommunens egen "
                "avslutning i stedet",
                "AVSLUTNING_KAN_IKKE_ENDRES",
            )
        slettet = replace(
            siste, versjon=siste.versjon + 1, registrert_av=k.brukerident, registrert_dato=k.naa, slettet=True
        )
        await lagre_avslutningsversjon(conn, slettet, deltaker_id)
        await outbox.enqueue(
            conn,
            [
                avslutningshendelser.AvslutningSlettet(
                    **k.envelope(deltaker_id),
                    avslutning_id=avslutning_id,
                    versjon=slettet.versjon,
                    slettet_av=k.brukerident,
                )
            ],
        )
        await lagre_svar(conn, request, 204, None)
    log.info("avslutning slettet", extra={"deltaker_id": str(deltaker_id)})
    return Response(status_code=204)


@router.get(
    "",
    response_model=skjema.AvslutningerUt,
    summary="Gjeldende avslutning og all avslutningshistorikk",
    description="Den gjeldende avslutningen, og hver versjon av hver avslutning, nyeste først, slettede merket.",
)
async def hent_avslutninger(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> skjema.AvslutningerUt:
    """The current avslutning and «Vis all avslutningshistorikk»: every version, newest first, (slettet) marked."""
    async with les(request, bruker, deltaker_id) as (conn, row):
        program = await hent_program(conn, row)
    g = regler.gjeldende_avslutning(program)
    return skjema.AvslutningerUt(
        gjeldende=versjon_ut(g) if g else None,
        historikk=[versjon_ut(x) for x in regler.historikk(program)],
        venter_paa_kommunens_arsak=not regler.venter_paa_kommunens_arsak(program).oppfylt,
    )
