"""The projection: events' facts into the fact tables, then each touched person's report row recomputed.

Order-tolerant by construction: snapshots (person, vedtak) keep the newest by recorded_at, kategori and
sluttmål the newest by their own dates, deletions are tombstones that a late registration cannot undo, and
the report row is always recomputed from all the facts held, so arrival order does not change the result.
Idempotent: the event ids go into processed_events in the same transaction (services/plumbing/idempotency).

Batched (the throughput lever for a rebuild): one transaction per batch of events, the writes grouped per
statement (executemany), and each touched person's row recomputed once at the end, with set-based loads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.rapport import domain
from shared.events import avslutning, deltaker, vedtak
from shared.events.envelope import DeltakerEvent

CONSUMER = "rapport-projeksjon"
# Bump when the projection's code or tables change meaning: the service then rebuilds from the topics.
PROJECTION_VERSION = 4  # 2: deltaker.gjennomforingsfrist/oppstartsfrist (migration 0004); 3: identities from
# nir.deltaker-identitet.v1 (issue #16, migration 0006); 4: programstart and forlenget on the report row and the
# statistikk counters (issue #17, migration 0007)

# Tables the projection fills (truncated on rebuild).
TABLES = (
    "deltaker",
    "vedtak",
    "fravaer",
    "avslutning_versjon",
    "avslutning_slettet",
    "rapport_rad",
    "statistikk_gruppe",
    "statistikk_arsak",
    "statistikk_arsak_kommune",
    "statistikk_tid",
)

_PERSON = """UPDATE deltaker SET kjonn=$2, lov=$3, bosettingsdato=$4, oppfolgingskommune=$5, bydel=$6, person_tid=$7
             WHERE deltaker_id=$1 AND (person_tid IS NULL OR person_tid <= $7)"""
_IDENTITET = """UPDATE deltaker SET duf_nummer=$2, fornavn=$3, etternavn=$4, fodselsdato=$5, identitet_tid=$6
                WHERE deltaker_id=$1 AND (identitet_tid IS NULL OR identitet_tid <= $6)"""
_KATEGORI = """UPDATE deltaker SET kategori=$2, kategori_fra=$3, kategori_tid=$4
               WHERE deltaker_id=$1 AND (kategori_fra IS NULL OR (kategori_fra, kategori_tid) <= ($3, $4))"""
_SISTE_KATEGORI = """UPDATE deltaker SET siste_kategori=$2, siste_kategori_fra=$3
                     WHERE deltaker_id=$1 AND (siste_kategori_fra IS NULL OR siste_kategori_fra <= $3)"""
_SLUTTMAL = """UPDATE deltaker SET sluttmal=$2, sluttmal_fra=$3, sluttmal_tid=$4
               WHERE deltaker_id=$1 AND (sluttmal_fra IS NULL OR (sluttmal_fra, sluttmal_tid) <= ($3, $4))"""
_VEDTAK = """INSERT INTO vedtak (vedtak_id, deltaker_id, vedtakstype, resultat, fra, til, tid)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (vedtak_id) DO UPDATE SET vedtakstype=EXCLUDED.vedtakstype,
                 resultat=EXCLUDED.resultat, fra=EXCLUDED.fra, til=EXCLUDED.til, tid=EXCLUDED.tid
             WHERE vedtak.tid IS NULL OR vedtak.tid <= EXCLUDED.tid"""
_VEDTAK_SLETTET = """INSERT INTO vedtak (vedtak_id, deltaker_id, slettet) VALUES ($1, $2, true)
                     ON CONFLICT (vedtak_id) DO UPDATE SET slettet = true"""
_FRAVAER = """INSERT INTO fravaer (fravaer_id, deltaker_id, fravaerstype, fra, til) VALUES ($1, $2, $3, $4, $5)
              ON CONFLICT (fravaer_id) DO UPDATE SET fravaerstype=EXCLUDED.fravaerstype, fra=EXCLUDED.fra,
                  til=EXCLUDED.til"""
_FRAVAER_SLETTET = """INSERT INTO fravaer (fravaer_id, deltaker_id, slettet) VALUES ($1, $2, true)
                      ON CONFLICT (fravaer_id) DO UPDATE SET slettet = true"""
_VERSJON = """INSERT INTO avslutning_versjon (avslutning_id, versjon, kilde, avslutningstype, arsak, avslutningsdato,
                  timer_arbeid_per_uke, registrert_av, registrert_dato, oppfolgingskommune, bydel, deltaker_id)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING"""
_SLETT = """INSERT INTO avslutning_slettet (avslutning_id, deltaker_id, slettet_av, slettet_dato, grunn)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"""


async def laas(conn: asyncpg.Connection, deltaker_ids: set[UUID]) -> None:
    # The topics are consumed concurrently: without this lock, an avslutning and its person arriving at the
    # same moment could each recompute the row without seeing the other's uncommitted facts, and no row
    # would result. Held to the end of the transaction, it serialises one deltaker's batches; taken in key
    # order, so two batches sharing deltakere cannot deadlock on each other (the ORDER BY in a subquery is
    # not flattened away).
    await conn.execute(
        """SELECT pg_advisory_xact_lock(k) FROM (
               SELECT DISTINCT hashtextextended(x, 0) AS k FROM unnest($1::text[]) x ORDER BY k) s""",
        [str(i) for i in deltaker_ids],
    )


async def apply_all(conn: asyncpg.Connection, events: Sequence[DeltakerEvent]) -> list[UUID]:
    """Write the events' facts; returns the deltakere whose report row may have changed.

    Each statement runs once with all its rows (executemany), in the events' order. Different statements
    commute (each writes its own columns or rows, guarded by its own dates), so grouping by statement gives
    what applying the events one by one in order gives."""
    ensure: dict[UUID, None] = {}
    writes: dict[str, list[tuple]] = defaultdict(list)
    touched: dict[UUID, None] = {}
    for e in events:
        if _apply(e, ensure, writes):
            touched[e.deltaker_id] = None
    if ensure:
        await conn.execute(
            "INSERT INTO deltaker (deltaker_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING", list(ensure)
        )
    for sql, args in writes.items():
        await conn.executemany(sql, args)
    return list(touched)


def _apply(e: DeltakerEvent, ensure: dict[UUID, None], writes: dict[str, list[tuple]]) -> bool:
    """The event's writes, added to `writes` per statement; True when the report row may have changed."""
    t = e.recorded_at
    match e:
        case deltaker.DeltakerRegistrert() | deltaker.DeltakerOppdatert():
            p = e.person
            ensure[e.deltaker_id] = None
            writes[_PERSON].append(
                (e.deltaker_id, p.kjonn.value, p.lov.value, p.bosettingsdato, p.oppfolgingskommune, p.bydel, t)
            )
        case deltaker.IdentitetFastsatt():
            i = e.identitet  # the report never shows the fødselsnummer
            ensure[e.deltaker_id] = None
            writes[_IDENTITET].append((e.deltaker_id, i.duf_nummer, i.fornavn, i.etternavn, i.fodselsdato, t))
        case deltaker.KategoriEndret():
            ensure[e.deltaker_id] = None
            kategori = e.kategori.value if e.kategori else None
            writes[_KATEGORI].append((e.deltaker_id, kategori, e.gjelder_fra, t))
            if kategori is not None:
                writes[_SISTE_KATEGORI].append((e.deltaker_id, kategori, e.gjelder_fra))
        case vedtak.SluttmalRegistrert():
            ensure[e.deltaker_id] = None
            writes[_SLUTTMAL].append((e.deltaker_id, e.sluttmal.value, e.fastsatt_dato, t))
        case vedtak.VedtakRegistrert() | vedtak.VedtakEndret():
            x = e.vedtak
            writes[_VEDTAK].append(
                (x.vedtak_id, e.deltaker_id, x.vedtakstype.value, x.resultat.value, x.periode.fra, x.periode.til, t)
            )
        case vedtak.VedtakSlettet():
            writes[_VEDTAK_SLETTET].append((e.vedtak_id, e.deltaker_id))
        case vedtak.FravaerRegistrert():
            f = e.fravaer
            writes[_FRAVAER].append((f.fravaer_id, e.deltaker_id, f.fravaerstype.value, f.periode.fra, f.periode.til))
        case vedtak.FravaerSlettet():
            writes[_FRAVAER_SLETTET].append((e.fravaer_id, e.deltaker_id))
        case avslutning.AvslutningRegistrert() | avslutning.AvslutningEndret():
            av = e.avslutning
            writes[_VERSJON].append(
                (
                    av.avslutning_id,
                    av.versjon,
                    domain.KOMMUNE,
                    av.avslutningstype.value,
                    av.arsak.value,
                    av.avslutningsdato,
                    av.timer_arbeid_per_uke,
                    av.registrert_av,
                    av.registrert_dato,
                    av.oppfolgingskommune,
                    av.bydel,
                    e.deltaker_id,
                )
            )
        case avslutning.AvslutningSlettet():
            writes[_SLETT].append((e.avslutning_id, e.deltaker_id, e.slettet_av, t, None))
        case avslutning.BeregnetAvslutningOpprettet():
            writes[_VERSJON].append(
                (
                    e.avslutning_id,
                    1,
                    domain.REGELMOTOR,
                    e.avslutningstype.value,
                    e.arsak.value,
                    e.avslutningsdato,
                    None,
                    "Regelmotor",
                    t,
                    e.oppfolgingskommune,
                    e.bydel,
                    e.deltaker_id,
                )
            )
        case avslutning.BeregnetAvslutningTrukketTilbake():
            writes[_SLETT].append((e.avslutning_id, e.deltaker_id, "Regelmotor", t, e.grunn.value))
        case _:
            return (
                False  # tiltak, avvisning: nothing the report shows (the regelmotor turns avvisning into an avslutning)
            )
    return True


# --- loading facts and recomputing the row ------------------------------------------------------------------

_VERSJON_KOLONNER = """avslutning_id, versjon, kilde, avslutningstype, arsak, avslutningsdato, timer_arbeid_per_uke,
                       registrert_av, registrert_dato, oppfolgingskommune, bydel"""
_SLETTING_KOLONNER = "avslutning_id, slettet_av, slettet_dato, grunn"


async def avslutninger(
    conn: asyncpg.Connection, deltaker_id: UUID
) -> tuple[list[domain.Avslutningsversjon], list[domain.Sletting]]:
    rows = await conn.fetch(f"SELECT {_VERSJON_KOLONNER} FROM avslutning_versjon WHERE deltaker_id = $1", deltaker_id)
    slettet = await conn.fetch(
        f"SELECT {_SLETTING_KOLONNER} FROM avslutning_slettet WHERE deltaker_id = $1", deltaker_id
    )
    return [domain.Avslutningsversjon(**dict(r)) for r in rows], [domain.Sletting(**dict(r)) for r in slettet]


async def _per_deltaker(conn: asyncpg.Connection, sql: str, ids: list[UUID]) -> dict[UUID, list[dict]]:
    """Rows of `sql` (which selects deltaker_id first and filters on deltaker_id = ANY($1)) per deltaker."""
    out: dict[UUID, list[dict]] = defaultdict(list)
    for r in await conn.fetch(sql, ids):
        row = dict(r)
        out[row.pop("deltaker_id")].append(row)
    return out


async def refresh_all(conn: asyncpg.Connection, ids: list[UUID]) -> None:
    """Load → decide → save the report rows of these deltakere: a few set-based loads and writes, not a
    round of queries per person."""
    if not ids:
        return
    personer = {
        r["deltaker_id"]: r
        for r in await conn.fetch(
            "SELECT * FROM deltaker WHERE deltaker_id = ANY($1::uuid[])"
            " AND person_tid IS NOT NULL AND identitet_tid IS NOT NULL",  # both topics' snapshots have arrived
            ids,
        )
    }
    versjoner = await _per_deltaker(
        conn,
        f"SELECT deltaker_id, {_VERSJON_KOLONNER} FROM avslutning_versjon WHERE deltaker_id = ANY($1::uuid[])",
        [i for i in ids if i in personer],
    )
    slettinger = await _per_deltaker(
        conn,
        f"SELECT deltaker_id, {_SLETTING_KOLONNER} FROM avslutning_slettet WHERE deltaker_id = ANY($1::uuid[])",
        list(versjoner),
    )
    gjeldende = {}
    for did, rows in versjoner.items():
        g = domain.gjeldende_avslutning(
            [domain.Avslutningsversjon(**r) for r in rows], [domain.Sletting(**r) for r in slettinger.get(did, ())]
        )
        if g is not None:
            gjeldende[did] = g
    kandidater = list(gjeldende)  # a known person with a current avslutning: the only ones with a row
    # the facts of every known person: the report row's frist, and the frister the Arbeidsflate follows
    vedtak = await _per_deltaker(
        conn,
        "SELECT deltaker_id, vedtakstype, resultat, fra, til FROM vedtak"
        " WHERE deltaker_id = ANY($1::uuid[]) AND NOT slettet AND fra IS NOT NULL",
        list(personer),
    )
    fravaer = await _per_deltaker(
        conn,
        "SELECT deltaker_id, fravaerstype, fra, til FROM fravaer"
        " WHERE deltaker_id = ANY($1::uuid[]) AND NOT slettet AND fra IS NOT NULL",
        list(personer),
    )
    aa_folge = {
        did: domain.frister_aa_folge(
            avsluttet=did in gjeldende,
            lov=p["lov"],
            bosettingsdato=p["bosettingsdato"],
            sluttmal=p["sluttmal"],
            vedtak=[domain.Vedtaksfakta(**r) for r in vedtak.get(did, ())],
            fravaer=[domain.Fravaersfakta(**r) for r in fravaer.get(did, ())],
        )
        for did, p in personer.items()
    }
    if aa_folge:
        await conn.execute(
            """UPDATE deltaker d SET gjennomforingsfrist = f.g, oppstartsfrist = f.o
               FROM unnest($1::uuid[], $2::date[], $3::date[]) AS f(id, g, o)
               WHERE d.deltaker_id = f.id
                 AND (d.gjennomforingsfrist, d.oppstartsfrist) IS DISTINCT FROM (f.g, f.o)""",
            list(aa_folge),
            [f.gjennomforingsfrist for f in aa_folge.values()],
            [f.oppstartsfrist for f in aa_folge.values()],
        )
    rader = []
    for did in kandidater:
        p = personer[did]
        person = domain.Person(
            duf_nummer=p["duf_nummer"],
            fornavn=p["fornavn"],
            etternavn=p["etternavn"],
            kjonn=p["kjonn"],
            fodselsdato=p["fodselsdato"],
            lov=p["lov"],
        )
        frist = domain.frist_for_gjennomforing(
            person.lov,
            p["sluttmal"],
            [domain.Vedtaksfakta(**r) for r in vedtak.get(did, ())],
            [domain.Fravaersfakta(**r) for r in fravaer.get(did, ())],
        )
        start, forlenget = domain.programforlop(domain.Vedtaksfakta(**r) for r in vedtak.get(did, ()))
        rad = domain.rapportrad(
            did, person, p["kategori"] or p["siste_kategori"], p["sluttmal"], gjeldende[did], frist, start, forlenget
        )
        if rad is not None:
            rader.append(rad)
    med_rad = {r["deltaker_id"] for r in rader}
    uten = [i for i in ids if i not in med_rad]
    if uten:
        await conn.execute("DELETE FROM rapport_rad WHERE deltaker_id = ANY($1::uuid[])", uten)
    if rader:
        # One statement for the batch's rows (from JSON: dates, times and ids as their text), so the statistics'
        # counters (migration 0007's statement triggers) are updated once per batch, in key order.
        cols = list(rader[0])
        await conn.execute(
            f"INSERT INTO rapport_rad ({', '.join(cols)})"
            f" SELECT {', '.join(cols)} FROM jsonb_populate_recordset(NULL::rapport_rad, $1::text::jsonb)"
            f" ON CONFLICT (deltaker_id) DO UPDATE SET {', '.join(f'{c}=EXCLUDED.{c}' for c in cols[1:])}",
            json.dumps(rader, default=str),
        )


# --- projection version and rebuild ---------------------------------------------------------------------------


async def laas_projeksjonen(conn: asyncpg.Connection) -> None:
    """The projection's own lock, to the end of the transaction: a start and a rebuild never reset at once."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rapport-projeksjon'))")


async def reset(conn: asyncpg.Connection, versjon: int) -> int:
    """Empty the read models, the processed ids and the positions (so the consumer reads every topic from the
    beginning), in the caller's transaction; returns the new generation (a count of rebuilds)."""
    await conn.execute(f"TRUNCATE {', '.join(TABLES)}")
    await conn.execute("DELETE FROM processed_events WHERE consumer = $1", CONSUMER)
    await conn.execute("DELETE FROM consumer_position WHERE consumer = $1", CONSUMER)
    return await conn.fetchval(
        """INSERT INTO projeksjon (id, versjon, generasjon) VALUES (true, $1, 1)
           ON CONFLICT (id) DO UPDATE SET versjon = $1, generasjon = projeksjon.generasjon + 1, endret = now()
           RETURNING generasjon""",
        versjon,
    )


async def prepare(conn: asyncpg.Connection, versjon: int = PROJECTION_VERSION) -> tuple[int, bool]:
    """At start: the generation to consume with, rebuilding first when the stored projection version differs.
    Returns (generation, rebuilt)."""
    async with conn.transaction():
        await laas_projeksjonen(conn)
        row = await conn.fetchrow("SELECT versjon, generasjon FROM projeksjon FOR UPDATE")
        if row is None:
            return await reset(conn, versjon), False
        if row["versjon"] != versjon:
            return await reset(conn, versjon), True
        return row["generasjon"], False
