"""The projection: each event's facts into the fact tables, then the person's report row recomputed.

Order-tolerant by construction: snapshots (person, vedtak) keep the newest by recorded_at, kategori and
sluttmål the newest by their own dates, deletions are tombstones that a late registration cannot undo, and
the report row is always recomputed from all the facts held, so arrival order does not change the result.
Idempotent: the event id goes into processed_events in the same transaction (services/plumbing/idempotency).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.plumbing.idempotency import first_delivery
from services.rapport import domain
from shared.events import avslutning as a
from shared.events import deltaker as d
from shared.events import vedtak as v
from shared.events.envelope import DeltakerEvent

CONSUMER = "rapport-projeksjon"
# Bump when the projection's code or tables change meaning: the service then rebuilds from the topics.
PROJECTION_VERSION = 1

# Tables the projection fills (truncated on rebuild).
TABLES = ("deltaker", "vedtak", "fravaer", "avslutning_versjon", "avslutning_slettet", "rapport_rad")

_ENSURE = "INSERT INTO deltaker (deltaker_id) VALUES ($1) ON CONFLICT DO NOTHING"


async def handle(pool: asyncpg.Pool, event: DeltakerEvent) -> bool:
    """Project one event exactly once; False for a redelivery."""
    async with pool.acquire() as conn, conn.transaction():
        return await project(conn, event)


async def project(conn: asyncpg.Connection, event: DeltakerEvent) -> bool:
    # The topics are consumed concurrently: without this lock, an avslutning and its person arriving at the
    # same moment could each recompute the row without seeing the other's uncommitted facts, and no row
    # would result. Held to the end of the transaction, it serialises one deltaker's events.
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", str(event.deltaker_id))
    if not await first_delivery(conn, CONSUMER, event.event_id):
        return False
    if await apply(conn, event):
        await refresh(conn, event.deltaker_id)
    return True


async def apply(conn: asyncpg.Connection, e: DeltakerEvent) -> bool:
    """Write the event's facts; True when the report row may have changed."""
    t = e.recorded_at
    match e:
        case d.DeltakerRegistrert() | d.DeltakerOppdatert():
            p = e.person
            await conn.execute(_ENSURE, e.deltaker_id)
            await conn.execute(
                """UPDATE deltaker SET duf_nummer=$2, fornavn=$3, etternavn=$4, kjonn=$5, fodselsdato=$6, lov=$7,
                       bosettingsdato=$8, oppfolgingskommune=$9, bydel=$10, person_tid=$11
                   WHERE deltaker_id=$1 AND (person_tid IS NULL OR person_tid <= $11)""",
                e.deltaker_id, p.duf_nummer, p.fornavn, p.etternavn, p.kjonn.value, p.fodselsdato, p.lov.value,
                p.bosettingsdato, p.oppfolgingskommune, p.bydel, t)
        case d.KategoriEndret():
            await conn.execute(_ENSURE, e.deltaker_id)
            kategori = e.kategori.value if e.kategori else None
            await conn.execute(
                """UPDATE deltaker SET kategori=$2, kategori_fra=$3, kategori_tid=$4
                   WHERE deltaker_id=$1 AND (kategori_fra IS NULL OR (kategori_fra, kategori_tid) <= ($3, $4))""",
                e.deltaker_id, kategori, e.gjelder_fra, t)
            if kategori is not None:
                await conn.execute(
                    """UPDATE deltaker SET siste_kategori=$2, siste_kategori_fra=$3
                       WHERE deltaker_id=$1 AND (siste_kategori_fra IS NULL OR siste_kategori_fra <= $3)""",
                    e.deltaker_id, kategori, e.gjelder_fra)
        case d.IdentitetEndret():
            return False  # the report never shows fødselsnummer
        case v.SluttmalRegistrert():
            await conn.execute(_ENSURE, e.deltaker_id)
            await conn.execute(
                """UPDATE deltaker SET sluttmal=$2, sluttmal_fra=$3, sluttmal_tid=$4
                   WHERE deltaker_id=$1 AND (sluttmal_fra IS NULL OR (sluttmal_fra, sluttmal_tid) <= ($3, $4))""",
                e.deltaker_id, e.sluttmal.value, e.fastsatt_dato, t)
        case v.VedtakRegistrert() | v.VedtakEndret():
            x = e.vedtak
            await conn.execute(
                """INSERT INTO vedtak (vedtak_id, deltaker_id, vedtakstype, resultat, fra, til, tid)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)
                   ON CONFLICT (vedtak_id) DO UPDATE SET vedtakstype=EXCLUDED.vedtakstype,
                       resultat=EXCLUDED.resultat, fra=EXCLUDED.fra, til=EXCLUDED.til, tid=EXCLUDED.tid
                   WHERE vedtak.tid IS NULL OR vedtak.tid <= EXCLUDED.tid""",
                x.vedtak_id, e.deltaker_id, x.vedtakstype.value, x.resultat.value, x.periode.fra, x.periode.til, t)
        case v.VedtakSlettet():
            await conn.execute(
                """INSERT INTO vedtak (vedtak_id, deltaker_id, slettet) VALUES ($1, $2, true)
                   ON CONFLICT (vedtak_id) DO UPDATE SET slettet = true""", e.vedtak_id, e.deltaker_id)
        case v.FravaerRegistrert():
            f = e.fravaer
            await conn.execute(
                """INSERT INTO fravaer (fravaer_id, deltaker_id, fravaerstype, fra, til) VALUES ($1, $2, $3, $4, $5)
                   ON CONFLICT (fravaer_id) DO UPDATE SET fravaerstype=EXCLUDED.fravaerstype, fra=EXCLUDED.fra,
                       til=EXCLUDED.til""",
                f.fravaer_id, e.deltaker_id, f.fravaerstype.value, f.periode.fra, f.periode.til)
        case v.FravaerSlettet():
            await conn.execute(
                """INSERT INTO fravaer (fravaer_id, deltaker_id, slettet) VALUES ($1, $2, true)
                   ON CONFLICT (fravaer_id) DO UPDATE SET slettet = true""", e.fravaer_id, e.deltaker_id)
        case a.AvslutningRegistrert() | a.AvslutningEndret():
            x = e.avslutning
            await _versjon(conn, e.deltaker_id, x.avslutning_id, x.versjon, domain.KOMMUNE, x.avslutningstype.value,
                           x.arsak.value, x.avslutningsdato, x.timer_arbeid_per_uke, x.registrert_av,
                           x.registrert_dato, x.oppfolgingskommune, x.bydel)
        case a.AvslutningSlettet():
            await _slett(conn, e.deltaker_id, e.avslutning_id, e.slettet_av, t, None)
        case a.BeregnetAvslutningOpprettet():
            await _versjon(conn, e.deltaker_id, e.avslutning_id, 1, domain.REGELMOTOR, e.avslutningstype.value,
                           e.arsak.value, e.avslutningsdato, None, "Regelmotor", t, e.oppfolgingskommune, e.bydel)
        case a.BeregnetAvslutningTrukketTilbake():
            await _slett(conn, e.deltaker_id, e.avslutning_id, "Regelmotor", t, e.grunn.value)
        case _:
            return False  # tiltak, avvisning: nothing the report shows (the regelmotor turns avvisning into an avslutning)
    return True


async def _versjon(conn: asyncpg.Connection, deltaker_id: UUID, *values: object) -> None:
    await conn.execute(
        """INSERT INTO avslutning_versjon (avslutning_id, versjon, kilde, avslutningstype, arsak, avslutningsdato,
               timer_arbeid_per_uke, registrert_av, registrert_dato, oppfolgingskommune, bydel, deltaker_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING""",
        *values, deltaker_id)


async def _slett(conn: asyncpg.Connection, deltaker_id: UUID, avslutning_id: UUID, av: str, tid: object,
                 grunn: str | None) -> None:
    await conn.execute(
        """INSERT INTO avslutning_slettet (avslutning_id, deltaker_id, slettet_av, slettet_dato, grunn)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""", avslutning_id, deltaker_id, av, tid, grunn)


# --- loading facts and recomputing the row ------------------------------------------------------------------

async def avslutninger(conn: asyncpg.Connection, deltaker_id: UUID
                       ) -> tuple[list[domain.Avslutningsversjon], list[domain.Sletting]]:
    rows = await conn.fetch(
        """SELECT avslutning_id, versjon, kilde, avslutningstype, arsak, avslutningsdato, timer_arbeid_per_uke,
                  registrert_av, registrert_dato, oppfolgingskommune, bydel
           FROM avslutning_versjon WHERE deltaker_id = $1""", deltaker_id)
    slettet = await conn.fetch(
        "SELECT avslutning_id, slettet_av, slettet_dato, grunn FROM avslutning_slettet WHERE deltaker_id = $1",
        deltaker_id)
    return [domain.Avslutningsversjon(**dict(r)) for r in rows], [domain.Sletting(**dict(r)) for r in slettet]


async def refresh(conn: asyncpg.Connection, deltaker_id: UUID) -> None:
    """Load → decide → save the person's report row."""
    p = await conn.fetchrow("SELECT * FROM deltaker WHERE deltaker_id = $1", deltaker_id)
    versjoner, slettinger = await avslutninger(conn, deltaker_id)
    gjeldende = domain.gjeldende_avslutning(versjoner, slettinger)
    person = None
    if p is not None and p["person_tid"] is not None:
        person = domain.Person(duf_nummer=p["duf_nummer"], fornavn=p["fornavn"], etternavn=p["etternavn"],
                               kjonn=p["kjonn"], fodselsdato=p["fodselsdato"], lov=p["lov"])
    rad = None
    if person is not None and gjeldende is not None:
        vedtak = await conn.fetch(
            "SELECT vedtakstype, resultat, fra, til FROM vedtak WHERE deltaker_id = $1 AND NOT slettet AND fra IS NOT NULL",
            deltaker_id)
        fravaer = await conn.fetch(
            "SELECT fravaerstype, fra, til FROM fravaer WHERE deltaker_id = $1 AND NOT slettet AND fra IS NOT NULL",
            deltaker_id)
        frist = domain.frist_for_gjennomforing(
            person.lov, p["sluttmal"], [domain.Vedtaksfakta(**dict(r)) for r in vedtak],
            [domain.Fravaersfakta(**dict(r)) for r in fravaer])
        rad = domain.rapportrad(deltaker_id, person, p["kategori"] or p["siste_kategori"], p["sluttmal"],
                                gjeldende, frist)
    if rad is None:
        await conn.execute("DELETE FROM rapport_rad WHERE deltaker_id = $1", deltaker_id)
        return
    cols = list(rad)
    await conn.execute(
        f"INSERT INTO rapport_rad ({', '.join(cols)}) VALUES ({', '.join(f'${i + 1}' for i in range(len(cols)))})"
        f" ON CONFLICT (deltaker_id) DO UPDATE SET {', '.join(f'{c}=EXCLUDED.{c}' for c in cols[1:])}",
        *rad.values())


# --- projection version and rebuild ---------------------------------------------------------------------------

async def reset(conn: asyncpg.Connection, versjon: int) -> int:
    """Empty the read models and start a new consumer-group generation; returns the new generation.
    Run in a transaction: tables, processed ids and the generation change together."""
    await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
    await conn.execute("DELETE FROM processed_events WHERE consumer = $1", CONSUMER)
    return await conn.fetchval(
        """INSERT INTO projeksjon (id, versjon, generasjon) VALUES (true, $1, 1)
           ON CONFLICT (id) DO UPDATE SET versjon = $1, generasjon = projeksjon.generasjon + 1, endret = now()
           RETURNING generasjon""", versjon)


async def prepare(conn: asyncpg.Connection, versjon: int = PROJECTION_VERSION) -> tuple[int, bool]:
    """At start: the generation to consume with, rebuilding first when the stored projection version differs.
    Returns (generation, rebuilt)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rapport-projeksjon'))")
        row = await conn.fetchrow("SELECT versjon, generasjon FROM projeksjon FOR UPDATE")
        if row is None:
            return await reset(conn, versjon), False
        if row["versjon"] != versjon:
            return await reset(conn, versjon), True
        return row["generasjon"], False


def group_id(base: str, generasjon: int, versjon: int = PROJECTION_VERSION) -> str:
    """A new consumer group per projection version and rebuild, so a rebuild reads every topic from the start."""
    return f"{base}-projeksjon-v{versjon}-g{generasjon}"
