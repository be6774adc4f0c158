"""/api/v1/deltakere: register and update a person, change identity, read, and the computed frister."""

from __future__ import annotations

import logging
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg
from fastapi import Request

from services.plumbing import outbox
from services.plumbing.auth import Lesetilgang, Skrivetilgang
from services.registrering import lager
from services.registrering.api import skjema
from services.registrering.api.feil import allerede_registrert, ikke_funnet, konflikt, krev
from services.registrering.api.felles import kontekst, les, runtime, ruter, skriv
from services.registrering.api.idempotens import krev_nokkel, lagre_svar
from services.registrering.domain import regler
from services.registrering.hendelser import Kontekst
from services.registrering.lager import (
    finn_synlig,
    hent_opphold,
    hent_program,
    identitet,
    laas_identer,
    person,
    synlig_duplikat,
)
from shared import tilgang
from shared.events import deltaker as deltakerhendelser
from shared.events.envelope import Periode
from shared.kodeverk.kategorier import Kategori, Lov
from shared.regelverk import frister
from shared.tilgang import Plassering

log = logging.getLogger(__name__)
router = ruter("/api/v1/deltakere", "deltaker")


def _ut(r: asyncpg.Record) -> skjema.DeltakerUt:
    return skjema.DeltakerUt(
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
        utdanningsbakgrunn=r["utdanningsbakgrunn"],
    )


def kategorihendelser(
    k: Kontekst, deltaker_id: UUID, ny: regler.Kategoritilstand, gammel: regler.Kategoritilstand
) -> list[deltakerhendelser.KategoriEndret]:
    """KategoriEndret when the computed kategori or its period changed: the kategori from its first day, and
    leaving it as kategori None from the day after its last day. An end that is no longer there (IMDi reported a
    tillatelse that continues it) is overwritten on that day with the kategori, so the regelmotor's timeline (by
    gjelder_fra, the last recorded wins) no longer shows the person leaving."""
    if ny == gammel:
        return []
    kategori, fra, til = ny
    hendelser = []
    if kategori is not None and fra is not None:
        hendelser.append(
            deltakerhendelser.KategoriEndret(**k.envelope(deltaker_id), kategori=Kategori(kategori), gjelder_fra=fra)
        )
        if til is not None:
            hendelser.append(
                deltakerhendelser.KategoriEndret(
                    **k.envelope(deltaker_id), kategori=None, gjelder_fra=til + timedelta(days=1)
                )
            )
        elif gammel[0] is not None and gammel[2] is not None:
            hendelser.append(
                deltakerhendelser.KategoriEndret(
                    **k.envelope(deltaker_id), kategori=Kategori(kategori), gjelder_fra=gammel[2] + timedelta(days=1)
                )
            )
    elif gammel[0] is not None:
        hendelser.append(deltakerhendelser.KategoriEndret(**k.envelope(deltaker_id), kategori=None, gjelder_fra=k.idag))
    return hendelser


def _kategori_fra_rad(r: asyncpg.Record | None) -> regler.Kategoritilstand:
    return (r["kategori"], r["kategori_fra"], r["kategori_til"]) if r is not None else (None, None, None)


@router.post(
    "",
    status_code=201,
    response_model=skjema.DeltakerUt,
    summary="Registrer en deltaker",
    description="Registrerer en person brukeren følger opp (egen kommune, eller egen bydel i Oslo). En person en "
    "annen kommune eller bydel følger opp, verken nevnes eller endres: brukeren får sin egen deltaker (etter en "
    "flytting registrerer den nye kommunen personen selv).",
    responses={
        409: {
            "description": "ALLEREDE_REGISTRERT: brukeren ser allerede en deltaker med dette "
            "DUF-nummeret eller fødselsnummeret (hent den med POST /api/v1/deltakere/sok)."
        }
    },
)
async def registrer_deltaker(inn: skjema.DeltakerInn, bruker: Skrivetilgang, request: Request) -> skjema.DeltakerUt:
    """Register a person the caller follows up (its own kommune, or its own Oslo bydel). 409 only when the
    caller already sees a deltaker with this DUF-nummer or fødselsnummer; one followed up by another kommune or
    bydel is neither reported nor touched: the caller gets its own deltaker (issue #14 §4: after a move the new
    kommune registers the person; services/registrering/README.md)."""
    krev(regler.tilgang(tilgang.kan_registrere(bruker.omfang, Plassering(inn.oppfolgingskommune, inn.bydel))))
    k = kontekst(request, bruker)
    krev(*regler.personens_datoer(fodselsdato=inn.fodselsdato, bosettingsdato=inn.bosettingsdato, idag=k.idag))
    deltaker_id = uuid4()
    rt = runtime(request)
    async with rt.pool.acquire() as conn, conn.transaction():
        await krev_nokkel(conn, request, bruker.nokkel)
        await laas_identer(conn, inn.duf_nummer, inn.fodselsnummer)
        opphold = await hent_opphold(conn, inn.duf_nummer)
        lov_utfall, lov = regler.lov_etter_opphold(inn.lov, opphold)
        krev(lov_utfall)
        assert lov is not None
        kategori = regler.kategori(opphold, inn.fodselsdato)
        felt = await synlig_duplikat(conn, bruker.omfang, duf_nummer=inn.duf_nummer, fodselsnummer=inn.fodselsnummer)
        if felt is not None:
            raise allerede_registrert(f"en deltaker med dette {felt} er allerede registrert")
        try:
            row = await lager.opprett_deltaker(
                conn,
                deltaker_id,
                duf_nummer=inn.duf_nummer,
                fodselsnummer=inn.fodselsnummer,
                fornavn=inn.fornavn,
                etternavn=inn.etternavn,
                kjonn=inn.kjonn.value,
                fodselsdato=inn.fodselsdato,
                lov=lov.value,
                bosettingsdato=inn.bosettingsdato,
                oppfolgingskommune=inn.oppfolgingskommune,
                bydel=inn.bydel,
                kategori=kategori,
                registrert_av=k.brukerident,
                naa=k.naa,
            )
        except asyncpg.UniqueViolationError as exc:  # the same place of follow-up: the caller sees that one
            felt = "fødselsnummer" if "fnr" in (exc.constraint_name or "") else "DUF-nummer"
            raise allerede_registrert(f"en deltaker med dette {felt} er allerede registrert") from None
        await outbox.enqueue(
            conn,
            [
                deltakerhendelser.DeltakerRegistrert(**k.envelope(deltaker_id), person=person(row)),
                deltakerhendelser.IdentitetFastsatt(**k.envelope(deltaker_id), identitet=identitet(row)),
                *kategorihendelser(k, deltaker_id, kategori, (None, None, None)),
            ],
        )
        ut = _ut(row)
        await lagre_svar(conn, request, 201, ut)
    if rt.relay is not None:  # as skriv does (felles.py): the relay exists once the service has started
        rt.relay.wake()
    log.info("deltaker registrert", extra={"deltaker_id": str(deltaker_id)})
    return ut


@router.post(
    "/sok",
    response_model=skjema.DeltakerUt,
    summary="Finn en deltaker på DUF-nummer eller fødselsnummer",
    description="Identifikatoren står i kroppen, så den aldri havner i en URL eller en tilgangslogg. Oppgi "
    "nøyaktig ett av duf_nummer og fodselsnummer. En person brukeren ikke ser (en annen kommunes), svarer som "
    "ukjent (404); IMDi, som ser alle kommuner, får den nyeste.",
    responses={404: {"description": "Ingen deltaker brukeren ser, har denne identifikatoren (IKKE_FUNNET)."}},
)
async def sok_deltaker(inn: skjema.SokInn, bruker: Lesetilgang, request: Request) -> skjema.DeltakerUt:
    """Find a person the caller sees by DUF-nummer or fødselsnummer (e.g. after a 409 «allerede registrert»);
    another kommune's person answers as an unknown one. IMDi, who sees every kommune, gets the newest."""
    async with runtime(request).pool.acquire() as conn:
        row = await finn_synlig(conn, bruker.omfang, duf_nummer=inn.duf_nummer, fodselsnummer=inn.fodselsnummer)
    if row is None:
        raise ikke_funnet("deltakeren")
    return _ut(row)


@router.get(
    "/{deltaker_id:uuid}",
    response_model=skjema.DeltakerUt,
    summary="Hent en deltaker",
    description="Personopplysningene og oppfølgingen slik de er registrert nå.",
)
async def hent_deltaker(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> skjema.DeltakerUt:
    async with les(request, bruker, deltaker_id) as (_, row):
        return _ut(row)


@router.put(
    "/{deltaker_id:uuid}",
    response_model=skjema.DeltakerUt,
    summary="Oppdater en deltaker",
    description="Alt unntatt identitetene (DUF-nummeret endres aldri; fødselsnummer via …/identitet). "
    "Oppfølgingskommune og bydel holder seg innenfor brukerens egne (en bruker for hele Oslo kan flytte personen "
    "mellom bydeler); en person overføres ikke til en annen kommune.",
    responses={
        409: {
            "description": "ALLEREDE_REGISTRERT: brukeren har allerede en annen deltaker for personen "
            "i den nye bydelen."
        }
    },
)
async def oppdater_deltaker(
    deltaker_id: UUID, inn: skjema.DeltakerOppdatering, bruker: Skrivetilgang, request: Request
) -> skjema.DeltakerUt:
    """Update the person. The oppfølgingskommune and bydel stay within the caller's own (an Oslo-wide user may
    move the person between bydeler); a person is not handed to another kommune: after a move the new kommune
    registers the person itself (issue #14 §4)."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, gammel):
        krev(regler.tilgang(tilgang.kan_registrere(bruker.omfang, Plassering(inn.oppfolgingskommune, inn.bydel))))
        krev(*regler.personens_datoer(fodselsdato=inn.fodselsdato, bosettingsdato=inn.bosettingsdato, idag=k.idag))
        opphold = await hent_opphold(conn, gammel["duf_nummer"])
        # without opphold facts the kommune's lov stands: the one posted, else the one it had
        lov_utfall, lov = regler.lov_etter_opphold(inn.lov or (None if opphold else Lov(gammel["lov"])), opphold)
        krev(lov_utfall)
        assert lov is not None
        kategori = regler.kategori(opphold, inn.fodselsdato)
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
                raise allerede_registrert(f"en deltaker med dette {felt} er allerede registrert")
        row = await lager.endre_deltaker(
            conn,
            deltaker_id,
            fornavn=inn.fornavn,
            etternavn=inn.etternavn,
            kjonn=inn.kjonn.value,
            fodselsdato=inn.fodselsdato,
            lov=lov.value,
            bosettingsdato=inn.bosettingsdato,
            oppfolgingskommune=inn.oppfolgingskommune,
            bydel=inn.bydel,
            kategori=kategori,
            naa=k.naa,
        )
        await outbox.enqueue(
            conn,
            [
                deltakerhendelser.DeltakerOppdatert(**k.envelope(deltaker_id), person=person(row)),
                # names and birth date may have changed: a new snapshot on the identity topic when they did
                *(
                    [deltakerhendelser.IdentitetFastsatt(**k.envelope(deltaker_id), identitet=identitet(row))]
                    if identitet(row) != identitet(gammel)
                    else []
                ),
                *kategorihendelser(k, deltaker_id, kategori, _kategori_fra_rad(gammel)),
            ],
        )
        ut = _ut(row)
        await lagre_svar(conn, request, 200, ut)
    log.info("deltaker oppdatert", extra={"deltaker_id": str(deltaker_id)})
    return ut


@router.post(
    "/{deltaker_id:uuid}/identitet",
    response_model=skjema.DeltakerUt,
    summary="Endre fødselsnummer eller d-nummer",
    description="Et nytt fødselsnummer eller d-nummer for deltakeren (f.eks. fra d-nummer til fødselsnummer).",
    responses={
        409: {
            "description": "KONFLIKT: deltakeren har allerede dette fødselsnummeret; "
            "ALLEREDE_REGISTRERT: en annen deltaker brukeren ser, har det."
        }
    },
)
async def endre_identitet(
    deltaker_id: UUID, inn: skjema.IdentitetInn, bruker: Skrivetilgang, request: Request
) -> skjema.DeltakerUt:
    """A new fødselsnummer/d-nummer (e.g. d-nummer → fødselsnummer). 409 only for a deltaker the caller sees."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, gammel):
        if gammel["fodselsnummer"] == inn.fodselsnummer:
            raise konflikt("deltakeren har allerede dette fødselsnummeret")
        await laas_identer(conn, inn.fodselsnummer)
        if await synlig_duplikat(
            conn, bruker.omfang, duf_nummer=None, fodselsnummer=inn.fodselsnummer, unntatt=deltaker_id
        ):
            raise allerede_registrert("en annen deltaker har dette fødselsnummeret")
        try:
            row = await lager.endre_fodselsnummer(conn, deltaker_id, inn.fodselsnummer, naa=k.naa)
        except asyncpg.UniqueViolationError:
            raise allerede_registrert("en annen deltaker har dette fødselsnummeret") from None
        await outbox.enqueue(
            conn,
            [
                deltakerhendelser.IdentitetFastsatt(
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


def _frist(b: frister.Fristberegning) -> skjema.Frist:
    versjon = frister.versjon(b.regelverk)
    return skjema.Frist(
        frist=b.frist,
        regelverk=b.regelverk,
        regelverk_gjelder_fra=versjon.gjelder_fra if versjon else None,
        beregningslogg=[skjema.Steg(beskrivelse=st.beskrivelse, dato=st.dato) for st in b.steg],
    )


@router.get(
    "/{deltaker_id:uuid}/frister",
    response_model=skjema.FristerUt,
    summary="Gjennomføringsfrist og oppstartsfrist",
    description="Fristene beregnet fra personens vedtak, sluttmål, permisjoner og fravær, med hvert steg i "
    "beregningen (beregningslogg). Mangler det vedtak eller sluttmål, sier gjennomforingsfrist_mangler hva.",
)
async def hent_frister(deltaker_id: UUID, bruker: Lesetilgang, request: Request) -> skjema.FristerUt:
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
    return skjema.FristerUt(
        gjennomforingsfrist=_frist(g) if g else None,
        gjennomforingsfrist_mangler=mangler,
        oppstartsfrist=_frist(regler.oppstartsfrist(program)),
    )


@router.post(
    "/{deltaker_id}/utdanningsbakgrunn",
    response_model=skjema.DeltakerUt,
    summary="Registrer personens utdanningsbakgrunn",
    description="Om personen har videregående opplæring fra før eller ikke. Den avgjør om sluttmålet er etter "
    "integreringsloven § 13 eller § 14; dokumentasjon kreves ikke. En ny registrering erstatter den forrige.",
)
async def registrer_utdanningsbakgrunn(
    deltaker_id: UUID, inn: skjema.UtdanningsbakgrunnInn, bruker: Skrivetilgang, request: Request
) -> skjema.DeltakerUt:
    """The kommune's registration of the person's utdanningsbakgrunn (seed nir-ny-integreringslov-endringer-2021:
    «om personen har videregående opplæring fra før eller ikke»), which decides § 13 or § 14 and so the sluttmål
    allowed from now on (issue #13 §2). No document is asked for (Prop. 81 L: «ikke krav til at utdanningen er
    dokumentert»). A later registration replaces the earlier; the sluttmål already in force is not re-judged."""
    k = kontekst(request, bruker)
    async with skriv(request, bruker, deltaker_id) as (conn, _):
        row = await lager.endre_utdanningsbakgrunn(conn, deltaker_id, inn.utdanningsbakgrunn.value, naa=k.naa)
        await outbox.enqueue(
            conn,
            [
                deltakerhendelser.UtdanningsbakgrunnRegistrert(
                    **k.envelope(deltaker_id), utdanningsbakgrunn=inn.utdanningsbakgrunn
                )
            ],
        )
        ut = _ut(row)
        await lagre_svar(conn, request, 200, ut)
    log.info("utdanningsbakgrunn registrert", extra={"deltaker_id": str(deltaker_id)})
    return ut
