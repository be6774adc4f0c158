"""/api/v1/deltakere: register and update a person, change identity, read, and the computed frister."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg
from fastapi import Request

from services.plumbing import outbox
from services.plumbing.auth import Lesetilgang, Skrivetilgang
from services.registrering.api import skjema as s
from services.registrering.api.feil import ikke_funnet, konflikt, krev
from services.registrering.api.felles import kontekst, les, runtime, ruter, skriv
from services.registrering.api.idempotens import krev_nokkel, lagre_svar
from services.registrering.domain import regler
from services.registrering.lager import finn_synlig, hent_program, identitet, laas_identer, person, synlig_duplikat
from shared import tilgang
from shared.events import deltaker as d
from shared.events.envelope import Periode
from shared.regelverk import frister
from shared.tilgang import Plassering

log = logging.getLogger(__name__)
router = ruter("/api/v1/deltakere", "deltaker")


def _ut(r: asyncpg.Record) -> s.DeltakerUt:
    return s.DeltakerUt(
        deltaker_id=r["deltaker_id"],
        duf_nummer=r["duf_nummer"],
        fodselsnummer=r["fodselsnummer"],
        fornavn=r["fornavn"],
        etternavn=r["etternavn"],
        kjonn=r["kjonn"],
        fodselsdato=r["fodselsdato"],
        lov=r["lov"],
        bosettingsdato=r["bosettingsdato"],
        oppfolgingskommune=r["oppfolgingskommune"],
        bydel=r["bydel"],
        kategori=r["kategori"],
        kategori_periode=Periode(fra=r["kategori_fra"], til=r["kategori_til"]) if r["kategori_fra"] else None,
    )


def _kategorihendelser(k, deltaker_id: UUID, inn: s._Person, for_: asyncpg.Record | None) -> list[d.KategoriEndret]:
    """KategoriEndret when the kategori or its period changed; leaving it (til) is kategori None from the day
    after the last day in the kategori."""
    gammel = (for_["kategori"], for_["kategori_fra"], for_["kategori_til"]) if for_ else (None, None, None)
    p = inn.kategori_periode
    ny = (inn.kategori.value if inn.kategori else None, p.fra if p else None, p.til if p else None)
    if ny == gammel:
        return []
    hendelser = []
    if inn.kategori is not None and p is not None:
        hendelser.append(d.KategoriEndret(**k.envelope(deltaker_id), kategori=inn.kategori, gjelder_fra=p.fra))
        if p.til is not None:
            hendelser.append(
                d.KategoriEndret(**k.envelope(deltaker_id), kategori=None, gjelder_fra=p.til + timedelta(days=1))
            )
    elif gammel[0] is not None:
        hendelser.append(d.KategoriEndret(**k.envelope(deltaker_id), kategori=None, gjelder_fra=k.naa.date()))
    return hendelser


@router.post(
    "", status_code=201, response_model=s.DeltakerUt, responses={403: {"model": s.Feil}, 409: {"model": s.Feil}}
)
async def registrer_deltaker(inn: s.DeltakerInn, bruker: Skrivetilgang, request: Request) -> s.DeltakerUt:
    """Register a person the caller follows up (its own kommune, or its own Oslo bydel). 409 only when the
    caller already sees a deltaker with this DUF-nummer or fødselsnummer; one followed up by another kommune or
    bydel is neither reported nor touched: the caller gets its own deltaker (issue #14 §4: after a move the new
    kommune registers the person; services/registrering/README.md)."""
    krev(regler.tilgang(tilgang.kan_registrere(bruker.omfang, Plassering(inn.oppfolgingskommune, inn.bydel))))
    k = kontekst(request, bruker)
    krev(
        *regler.personens_datoer(
            fodselsdato=inn.fodselsdato,
            bosettingsdato=inn.bosettingsdato,
            kategori_periode=inn.kategori_periode,
            idag=k.idag,
        )
    )
    deltaker_id = uuid4()
    rt = runtime(request)
    p = inn.kategori_periode
    async with rt.pool.acquire() as conn, conn.transaction():
        await krev_nokkel(conn, request, bruker.nokkel)
        await laas_identer(conn, inn.duf_nummer, inn.fodselsnummer)
        felt = await synlig_duplikat(conn, bruker.omfang, duf_nummer=inn.duf_nummer, fodselsnummer=inn.fodselsnummer)
        if felt is not None:
            raise konflikt(f"en deltaker med dette {felt} er allerede registrert")
        try:
            row = await conn.fetchrow(
                "INSERT INTO deltaker (deltaker_id, duf_nummer, fodselsnummer, fornavn, etternavn, kjonn, fodselsdato,"
                " lov, bosettingsdato, oppfolgingskommune, bydel, kategori, kategori_fra, kategori_til, registrert_av,"
                " registrert_dato, oppdatert_dato) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)"
                " RETURNING *",
                deltaker_id,
                inn.duf_nummer,
                inn.fodselsnummer,
                inn.fornavn,
                inn.etternavn,
                inn.kjonn.value,
                inn.fodselsdato,
                inn.lov.value,
                inn.bosettingsdato,
                inn.oppfolgingskommune,
                inn.bydel,
                inn.kategori.value if inn.kategori else None,
                p.fra if p else None,
                p.til if p else None,
                k.brukerident,
                k.naa,
            )
        except asyncpg.UniqueViolationError as exc:  # the same place of follow-up: the caller sees that one
            felt = "fødselsnummer" if "fnr" in (exc.constraint_name or "") else "DUF-nummer"
            raise konflikt(f"en deltaker med dette {felt} er allerede registrert") from None
        await outbox.enqueue(
            conn,
            [
                d.DeltakerRegistrert(**k.envelope(deltaker_id), person=person(row)),
                d.IdentitetFastsatt(**k.envelope(deltaker_id), identitet=identitet(row)),
                *_kategorihendelser(k, deltaker_id, inn, None),
            ],
        )
        ut = _ut(row)
        await lagre_svar(conn, request, 201, ut)
    if rt.relay is not None:  # as skriv does (felles.py): the relay exists once the service has started
        rt.relay.wake()
    log.info("deltaker registrert", extra={"deltaker_id": str(deltaker_id)})
    return ut


@router.post("/sok", response_model=s.DeltakerUt, responses={403: {"model": s.Feil}, 404: {"model": s.Feil}})
async def sok(inn: s.SokInn, bruker: Lesetilgang, request: Request) -> s.DeltakerUt:
    """Find a person the caller sees by DUF-nummer or fødselsnummer (e.g. after a 409 «allerede registrert»);
    another kommune's person answers as an unknown one. IMDi, who sees every kommune, gets the newest."""
    async with runtime(request).pool.acquire() as conn:
        row = await finn_synlig(conn, bruker.omfang, duf_nummer=inn.duf_nummer, fodselsnummer=inn.fodselsnummer)
    if row is None:
        raise ikke_funnet("deltakeren")
    return _ut(row)


@router.get("/{deltaker_id}", response_model=s.DeltakerUt, responses={403: {"model": s.Feil}, 404: {"model": s.Feil}})
async def hent(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> s.DeltakerUt:
    async with les(request, bruker, deltaker_id) as (_, row):
        return _ut(row)


@router.put("/{deltaker_id}", response_model=s.DeltakerUt, responses={403: {"model": s.Feil}, 404: {"model": s.Feil}})
async def oppdater(
    deltaker_id: UUID, inn: s.DeltakerOppdatering, bruker: Skrivetilgang, request: Request
) -> s.DeltakerUt:
    """Update the person. The oppfølgingskommune and bydel stay within the caller's own (an Oslo-wide user may
    move the person between bydeler); a person is not handed to another kommune: after a move the new kommune
    registers the person itself (issue #14 §4)."""
    k = kontekst(request, bruker)
    p = inn.kategori_periode
    async with skriv(request, bruker, deltaker_id) as (conn, gammel):
        krev(regler.tilgang(tilgang.kan_registrere(bruker.omfang, Plassering(inn.oppfolgingskommune, inn.bydel))))
        krev(
            *regler.personens_datoer(
                fodselsdato=inn.fodselsdato,
                bosettingsdato=inn.bosettingsdato,
                kategori_periode=inn.kategori_periode,
                idag=k.idag,
            )
        )
        if (inn.oppfolgingskommune, inn.bydel) != (gammel["oppfolgingskommune"], gammel["bydel"]):
            await laas_identer(conn, gammel["duf_nummer"], gammel["fodselsnummer"])
            felt = await synlig_duplikat(
                conn,
                bruker.omfang,
                duf_nummer=gammel["duf_nummer"],
                fodselsnummer=gammel["fodselsnummer"],
                unntatt=deltaker_id,
            )
            if felt is not None:  # the caller's own other deltaker with this person (an Oslo-wide user)
                raise konflikt(f"en deltaker med dette {felt} er allerede registrert")
        row = await conn.fetchrow(
            "UPDATE deltaker SET fornavn=$2, etternavn=$3, kjonn=$4, fodselsdato=$5, lov=$6, bosettingsdato=$7,"
            " oppfolgingskommune=$8, bydel=$9, kategori=$10, kategori_fra=$11, kategori_til=$12, oppdatert_dato=$13"
            " WHERE deltaker_id=$1 RETURNING *",
            deltaker_id,
            inn.fornavn,
            inn.etternavn,
            inn.kjonn.value,
            inn.fodselsdato,
            inn.lov.value,
            inn.bosettingsdato,
            inn.oppfolgingskommune,
            inn.bydel,
            inn.kategori.value if inn.kategori else None,
            p.fra if p else None,
            p.til if p else None,
            k.naa,
        )
        await outbox.enqueue(
            conn,
            [
                d.DeltakerOppdatert(**k.envelope(deltaker_id), person=person(row)),
                # names and birth date may have changed: a new snapshot on the identity topic when they did
                *(
                    [d.IdentitetFastsatt(**k.envelope(deltaker_id), identitet=identitet(row))]
                    if identitet(row) != identitet(gammel)
                    else []
                ),
                *_kategorihendelser(k, deltaker_id, inn, gammel),
            ],
        )
        ut = _ut(row)
        await lagre_svar(conn, request, 200, ut)
    log.info("deltaker oppdatert", extra={"deltaker_id": str(deltaker_id)})
    return ut


@router.post(
    "/{deltaker_id}/identitet",
    response_model=s.DeltakerUt,
    responses={403: {"model": s.Feil}, 404: {"model": s.Feil}, 409: {"model": s.Feil}},
)
async def endre_identitet(
    deltaker_id: UUID, inn: s.IdentitetInn, bruker: Skrivetilgang, request: Request
) -> s.DeltakerUt:
    """A new fødselsnummer/d-nummer (e.g. d-nummer → fødselsnummer). 409 only for a deltaker the caller sees."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, gammel):
        if gammel["fodselsnummer"] == inn.fodselsnummer:
            raise konflikt("deltakeren har allerede dette fødselsnummeret")
        await laas_identer(conn, inn.fodselsnummer)
        if await synlig_duplikat(
            conn, bruker.omfang, duf_nummer=None, fodselsnummer=inn.fodselsnummer, unntatt=deltaker_id
        ):
            raise konflikt("en annen deltaker har dette fødselsnummeret")
        try:
            row = await conn.fetchrow(
                "UPDATE deltaker SET fodselsnummer=$2, oppdatert_dato=$3 WHERE deltaker_id=$1 RETURNING *",
                deltaker_id,
                inn.fodselsnummer,
                k.naa,
            )
        except asyncpg.UniqueViolationError:
            raise konflikt("en annen deltaker har dette fødselsnummeret") from None
        await outbox.enqueue(
            conn,
            [
                d.IdentitetFastsatt(
                    **k.envelope(deltaker_id),
                    identitet=identitet(row),
                    tidligere_fodselsnummer=gammel["fodselsnummer"],
                )
            ],
        )
        ut = _ut(row)
        await lagre_svar(conn, request, 200, ut)
    log.info("identitet endret", extra={"deltaker_id": str(deltaker_id)})
    return ut


def _frist(b: frister.Fristberegning) -> s.Frist:
    return s.Frist(
        frist=b.frist,
        regelverk=b.regelverk,
        beregningslogg=[s.Steg(beskrivelse=st.beskrivelse, dato=st.dato) for st in b.steg],
    )


@router.get(
    "/{deltaker_id}/frister", response_model=s.FristerUt, responses={403: {"model": s.Feil}, 404: {"model": s.Feil}}
)
async def frister_for(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> s.FristerUt:
    """Gjennomføringsfrist and oppstartsfrist with their beregningslogg (DOMAIN.md §6)."""
    async with les(request, bruker, deltaker_id) as (conn, row):
        program = await hent_program(conn, row)
    mangler = None
    try:
        g = regler.gjennomforingsfrist(program)
        if g is None:
            mangler = "krever vedtak om deltakelse" + (" og sluttmål" if row["lov"] == "integreringsloven" else "")
    except (frister.UkjentSluttmal, frister.IngenRegelverk) as exc:
        g, mangler = None, str(exc)
    return s.FristerUt(
        gjennomforingsfrist=_frist(g) if g else None,
        gjennomforingsfrist_mangler=mangler,
        oppstartsfrist=_frist(regler.oppstartsfrist(program)),
    )
