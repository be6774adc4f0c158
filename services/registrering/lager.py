"""The write model in PostgreSQL: load a deltaker's programme as domain values, save what was decided.
Every function runs on the caller's connection, inside the caller's transaction."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from services.registrering.domain.modell import Avslutningsversjon, Fravaer, Program, Tiltak, Vedtak
from shared import tilgang
from shared.events.deltaker import Identitet, Kjonn, Personopplysninger
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype, Kilde
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.opphold import Oppholdsgrunnlag
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.utdanning import Utdanningsbakgrunn
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype
from shared.regelverk import fristgrunnlag
from shared.regelverk.opphold import Opphold, Tillatelse
from shared.tilgang import Omfang


async def laas_deltaker(conn: asyncpg.Connection, deltaker_id: UUID, synlig_for: Omfang | None = None) -> bool:
    """Take the deltaker's row lock, which serialises every write to one deltaker (the API's routes and the
    consumer), until the caller's transaction ends; False for a deltaker that is unknown or that `synlig_for`
    (the caller's scope, shared/tilgang.py; None: unrestricted) does not see — such a row is not locked. Call it
    before anything is read for the decision, and never fold it into the read: under READ COMMITTED a statement
    that waits for the lock re-reads only the locked row afterwards, while its sub-selects (the programme's
    vedtak and avslutninger) still come from the snapshot taken before the wait, i.e. without what the previous
    holder committed (issue #11). Each *later* statement takes a fresh snapshot, so it sees that commit."""
    filter_, args = tilgang.sql_filter(synlig_for, forste_parameter=2, tabell="d") if synlig_for else ("true", [])
    return (
        await conn.fetchval(
            f"SELECT true FROM deltaker d WHERE d.deltaker_id = $1 AND {filter_} FOR UPDATE", deltaker_id, *args
        )
        is not None
    )


Kategorifelt = tuple[str | None, date | None, date | None]  # kategori, kategori_fra, kategori_til


async def opprett_deltaker(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    *,
    duf_nummer: str | None,
    fodselsnummer: str | None,
    fornavn: str,
    etternavn: str,
    kjonn: str,
    fodselsdato: date,
    lov: str,
    bosettingsdato: date,
    oppfolgingskommune: str,
    bydel: str | None,
    kategori: Kategorifelt,
    registrert_av: str,
    naa: datetime,
) -> asyncpg.Record:
    """The new deltaker's row; a UniqueViolationError when the place of follow-up has the person already."""
    return await conn.fetchrow(
        "INSERT INTO deltaker (deltaker_id, duf_nummer, fodselsnummer, fornavn, etternavn, kjonn, fodselsdato,"
        " lov, bosettingsdato, oppfolgingskommune, bydel, kategori, kategori_fra, kategori_til, registrert_av,"
        " registrert_dato, oppdatert_dato) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16)"
        " RETURNING *",
        deltaker_id,
        duf_nummer,
        fodselsnummer,
        fornavn,
        etternavn,
        kjonn,
        fodselsdato,
        lov,
        bosettingsdato,
        oppfolgingskommune,
        bydel,
        *kategori,
        registrert_av,
        naa,
    )


async def endre_deltaker(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    *,
    fornavn: str,
    etternavn: str,
    kjonn: str,
    fodselsdato: date,
    lov: str,
    bosettingsdato: date,
    oppfolgingskommune: str,
    bydel: str | None,
    kategori: Kategorifelt,
    naa: datetime,
) -> asyncpg.Record:
    return await conn.fetchrow(
        "UPDATE deltaker SET fornavn=$2, etternavn=$3, kjonn=$4, fodselsdato=$5, lov=$6, bosettingsdato=$7,"
        " oppfolgingskommune=$8, bydel=$9, kategori=$10, kategori_fra=$11, kategori_til=$12, oppdatert_dato=$13"
        " WHERE deltaker_id=$1 RETURNING *",
        deltaker_id,
        fornavn,
        etternavn,
        kjonn,
        fodselsdato,
        lov,
        bosettingsdato,
        oppfolgingskommune,
        bydel,
        *kategori,
        naa,
    )


async def endre_fodselsnummer(
    conn: asyncpg.Connection, deltaker_id: UUID, fodselsnummer: str, *, naa: datetime
) -> asyncpg.Record:
    """A UniqueViolationError when another deltaker at the place of follow-up has the number."""
    return await conn.fetchrow(
        "UPDATE deltaker SET fodselsnummer=$2, oppdatert_dato=$3 WHERE deltaker_id=$1 RETURNING *",
        deltaker_id,
        fodselsnummer,
        naa,
    )


async def endre_utdanningsbakgrunn(
    conn: asyncpg.Connection, deltaker_id: UUID, utdanningsbakgrunn: str, *, naa: datetime
) -> asyncpg.Record:
    return await conn.fetchrow(
        "UPDATE deltaker SET utdanningsbakgrunn=$2, oppdatert_dato=$3 WHERE deltaker_id=$1 RETURNING *",
        deltaker_id,
        utdanningsbakgrunn,
        naa,
    )


async def endre_lov_og_kategori(
    conn: asyncpg.Connection, deltaker_id: UUID, lov: str, kategori: Kategorifelt, *, naa: datetime
) -> asyncpg.Record:
    return await conn.fetchrow(
        "UPDATE deltaker SET lov=$2, kategori=$3, kategori_fra=$4, kategori_til=$5, oppdatert_dato=$6"
        " WHERE deltaker_id=$1 RETURNING *",
        deltaker_id,
        lov,
        *kategori,
        naa,
    )


async def hent_deltaker(
    conn: asyncpg.Connection, deltaker_id: UUID, synlig_for: Omfang | None = None
) -> asyncpg.Record | None:
    """The deltaker row with its whole programme (one round trip), if `synlig_for` (the caller's scope) sees it
    (shared/tilgang.py; None: unrestricted, for the service's own consumers). A write takes laas_deltaker first."""
    filter_, args = tilgang.sql_filter(synlig_for, forste_parameter=2, tabell="d") if synlig_for else ("true", [])
    return await conn.fetchrow(_DELTAKER_MED_PROGRAM + f" AND {filter_}", deltaker_id, *args)


async def laas_identer(conn: asyncpg.Connection, *identer: str | None) -> None:
    """Serialise, until commit, every transaction that registers or changes a person with one of these
    DUF-numre/fødselsnumre (in a fixed order: no deadlock), so a check for a visible duplicate and the write
    that follows cannot interleave with another's."""
    for ident in sorted({i for i in identer if i}):
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('nir.deltaker:' || $1, 0))", ident)


async def synlig_duplikat(
    conn: asyncpg.Connection,
    omfang: Omfang,
    *,
    duf_nummer: str | None,
    fodselsnummer: str | None,
    unntatt: UUID | None = None,
) -> str | None:
    """Which identifier («DUF-nummer» or «fødselsnummer») a deltaker the caller sees already has, or None. A
    deltaker the caller does not see is not found here, and never blocks: a kommune must not learn that another
    kommune follows the person up (issue #14 §4, services/registrering/README.md)."""
    filter_, args = tilgang.sql_filter(omfang, forste_parameter=4)
    row = await conn.fetchrow(
        f"SELECT duf_nummer = $1 AS duf FROM deltaker WHERE (duf_nummer = $1 OR fodselsnummer = $2)"
        f" AND deltaker_id IS DISTINCT FROM $3 AND {filter_} ORDER BY 1 DESC LIMIT 1",
        duf_nummer,
        fodselsnummer,
        unntatt,
        *args,
    )
    if row is None:
        return None
    return "DUF-nummer" if row["duf"] else "fødselsnummer"


async def finn_synlig(
    conn: asyncpg.Connection, omfang: Omfang, *, duf_nummer: str | None, fodselsnummer: str | None
) -> asyncpg.Record | None:
    """The newest deltaker with this DUF-nummer or fødselsnummer that the caller sees."""
    filter_, args = tilgang.sql_filter(omfang, forste_parameter=2)
    kolonne, verdi = ("duf_nummer", duf_nummer) if duf_nummer is not None else ("fodselsnummer", fodselsnummer)
    return await conn.fetchrow(
        f"SELECT * FROM deltaker WHERE {kolonne} = $1 AND {filter_} ORDER BY registrert_dato DESC LIMIT 1", verdi, *args
    )


async def hent_opphold(conn: asyncpg.Connection, duf_nummer: str) -> Opphold | None:
    """IMDi's opphold facts for the person (0009_opphold_og_utdanning.sql), None before IMDi reported any."""
    row = await conn.fetchrow("SELECT ankomstdato, tillatelser FROM opphold WHERE duf_nummer = $1", duf_nummer)
    if row is None:
        return None
    return Opphold(
        tillatelser=tuple(
            Tillatelse(
                oppholdsgrunnlag=Oppholdsgrunnlag(t["oppholdsgrunnlag"]),
                innvilget=date.fromisoformat(t["innvilget"]),
                opphort=date.fromisoformat(t["opphort"]) if t.get("opphort") else None,
            )
            for t in json.loads(row["tillatelser"])
        ),
        ankomstdato=row["ankomstdato"],
    )


async def lagre_opphold(
    conn: asyncpg.Connection, duf_nummer: str, opphold: Opphold, registrert_av: str, naa: datetime
) -> None:
    """IMDi's report replaces the one before (a snapshot of every tillatelse)."""
    tillatelser = [
        {
            "oppholdsgrunnlag": t.oppholdsgrunnlag.value,
            "innvilget": t.innvilget.isoformat(),
            "opphort": t.opphort.isoformat() if t.opphort else None,
        }
        for t in opphold.i_rekkefolge()
    ]
    await conn.execute(
        "INSERT INTO opphold (duf_nummer, ankomstdato, tillatelser, registrert_av, oppdatert_dato)"
        " VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (duf_nummer) DO UPDATE SET ankomstdato = excluded.ankomstdato,"
        " tillatelser = excluded.tillatelser, registrert_av = excluded.registrert_av,"
        " oppdatert_dato = excluded.oppdatert_dato",
        duf_nummer,
        opphold.ankomstdato,
        json.dumps(tillatelser),
        registrert_av,
        naa,
    )


async def deltakere_med_duf(conn: asyncpg.Connection, duf_nummer: str) -> list[UUID]:
    """Every deltaker (place of follow-up) with this DUF-nummer, locked in a fixed order (no deadlock)."""
    rows = await conn.fetch(
        "SELECT deltaker_id FROM deltaker WHERE duf_nummer = $1 ORDER BY deltaker_id FOR UPDATE", duf_nummer
    )
    return [r["deltaker_id"] for r in rows]


def person(row: asyncpg.Record) -> Personopplysninger:
    return Personopplysninger(
        kjonn=Kjonn(row["kjonn"]),
        lov=Lov(row["lov"]),
        bosettingsdato=row["bosettingsdato"],
        oppfolgingskommune=row["oppfolgingskommune"],
        bydel=row["bydel"],
    )


def identitet(row: asyncpg.Record) -> Identitet:
    return Identitet(
        duf_nummer=row["duf_nummer"],
        fodselsnummer=row["fodselsnummer"],
        fornavn=row["fornavn"],
        etternavn=row["etternavn"],
        fodselsdato=row["fodselsdato"],
    )


def _avslutningsversjon(r: asyncpg.Record) -> Avslutningsversjon:
    return Avslutningsversjon(
        avslutning_id=r["avslutning_id"],
        kilde=Kilde(r["kilde"]),
        versjon=r["versjon"],
        avslutningstype=Avslutningstype(r["avslutningstype"]),
        arsak=Avslutningsarsakkode(r["arsak"]),
        avslutningsdato=r["avslutningsdato"],
        timer_arbeid_per_uke=r["timer_arbeid_per_uke"],
        registrert_av=r["registrert_av"],
        registrert_dato=r["registrert_dato"],
        oppfolgingskommune=r["oppfolgingskommune"],
        bydel=r["bydel"],
        slettet=r["slettet"],
    )


# The deltaker and its whole programme in one round trip: arrays of anonymous records, which asyncpg decodes.
_DELTAKER_MED_PROGRAM = """
SELECT d.*,
  array(SELECT row(vedtak_id, vedtakstype, resultat, fra, til, gjeldende) FROM vedtak v
        WHERE v.deltaker_id = d.deltaker_id AND NOT slettet ORDER BY registrert_dato) AS p_vedtak,
  array(SELECT row(tiltak_id, fra, til, gjeldende) FROM tiltak t WHERE t.deltaker_id = d.deltaker_id
        AND NOT slettet ORDER BY registrert_dato) AS p_tiltak,
  array(SELECT row(fravaer_id, fravaerstype, fra, til) FROM fravaer f
        WHERE f.deltaker_id = d.deltaker_id AND NOT slettet) AS p_fravaer,
  array(SELECT row(sluttmal, fastsatt_dato, id) FROM sluttmal s WHERE s.deltaker_id = d.deltaker_id) AS p_sluttmal,
  array(SELECT row(a.avslutning_id, a.kilde, v.versjon, v.avslutningstype, v.arsak, v.avslutningsdato,
                   v.timer_arbeid_per_uke, v.registrert_av, v.registrert_dato, v.oppfolgingskommune, v.bydel, v.slettet)
        FROM avslutning a JOIN avslutningsversjon v USING (avslutning_id)
        WHERE a.deltaker_id = d.deltaker_id) AS p_versjoner
FROM deltaker d WHERE d.deltaker_id = $1"""


def _gjeldende_sluttmal(rader: list) -> Sluttmalkode | None:
    """The sluttmål in force (shared/regelverk/fristgrunnlag.py: fastsatt last; on one day, registered last)."""
    g = fristgrunnlag.gjeldende_sluttmal(
        fristgrunnlag.Sluttmal(sluttmal=Sluttmalkode(kode), fastsatt_dato=fastsatt, rekkefolge=(rad_id,))
        for kode, fastsatt, rad_id in rader
    )
    return g.sluttmal if g else None


async def hent_program(conn: asyncpg.Connection, deltaker: asyncpg.Record) -> Program:
    """The programme of a row from hent_deltaker (already loaded with it; reloaded only for a bare row)."""
    r = deltaker if "p_versjoner" in deltaker else await hent_deltaker(conn, deltaker["deltaker_id"])
    assert r is not None  # the row was just read: its deltaker exists
    return Program(
        lov=Lov(r["lov"]),
        bosettingsdato=r["bosettingsdato"],
        oppfolgingskommune=r["oppfolgingskommune"],
        vedtak=tuple(
            Vedtak(
                vedtak_id=v[0],
                vedtakstype=Vedtakstype(v[1]),
                resultat=Vedtaksresultat(v[2]),
                fra=v[3],
                til=v[4],
                gjeldende=v[5],
            )
            for v in r["p_vedtak"]
        ),
        sluttmal=_gjeldende_sluttmal(r["p_sluttmal"]),
        fodselsdato=r["fodselsdato"],
        utdanningsbakgrunn=Utdanningsbakgrunn(r["utdanningsbakgrunn"]) if r["utdanningsbakgrunn"] else None,
        tiltak=tuple(Tiltak(tiltak_id=t[0], fra=t[1], til=t[2], gjeldende=t[3]) for t in r["p_tiltak"]),
        fravaer=tuple(
            Fravaer(fravaer_id=f[0], fravaerstype=Fravaerstype(f[1]), fra=f[2], til=f[3]) for f in r["p_fravaer"]
        ),
        avslutningsversjoner=tuple(
            Avslutningsversjon(
                avslutning_id=x[0],
                kilde=Kilde(x[1]),
                versjon=x[2],
                avslutningstype=Avslutningstype(x[3]),
                arsak=Avslutningsarsakkode(x[4]),
                avslutningsdato=x[5],
                timer_arbeid_per_uke=x[6],
                registrert_av=x[7],
                registrert_dato=x[8],
                oppfolgingskommune=x[9],
                bydel=x[10],
                slettet=x[11],
            )
            for x in r["p_versjoner"]
        ),
    )


async def hent_vedtak(conn: asyncpg.Connection, deltaker_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM vedtak WHERE deltaker_id = $1 AND NOT slettet ORDER BY fra, registrert_dato", deltaker_id
    )


async def hent_tiltak(conn: asyncpg.Connection, deltaker_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM tiltak WHERE deltaker_id = $1 AND NOT slettet ORDER BY fra, registrert_dato", deltaker_id
    )


async def hent_fravaer(conn: asyncpg.Connection, deltaker_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM fravaer WHERE deltaker_id = $1 AND NOT slettet ORDER BY fra, registrert_dato", deltaker_id
    )


async def endre_vedtak(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    vedtak_id: UUID,
    *,
    vedtakstype: str,
    resultat: str,
    vedtaksdato: date,
    fra: date,
    til: date | None,
) -> asyncpg.Record | None:
    """The vedtak's new values (its gjeldende state stays: an avslutning decides that); None when the deltaker
    has no such vedtak, or it was deleted."""
    return await conn.fetchrow(
        "UPDATE vedtak SET vedtakstype = $3, resultat = $4, vedtaksdato = $5, fra = $6, til = $7"
        " WHERE vedtak_id = $2 AND deltaker_id = $1 AND NOT slettet RETURNING *",
        deltaker_id,
        vedtak_id,
        vedtakstype,
        resultat,
        vedtaksdato,
        fra,
        til,
    )


async def endre_tiltak(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    tiltak_id: UUID,
    *,
    tiltakskode: str,
    fra: date,
    til: date | None,
    timer_per_uke: Decimal,
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "UPDATE tiltak SET tiltakskode = $3, fra = $4, til = $5, timer_per_uke = $6"
        " WHERE tiltak_id = $2 AND deltaker_id = $1 AND NOT slettet RETURNING *",
        deltaker_id,
        tiltak_id,
        tiltakskode,
        fra,
        til,
        timer_per_uke,
    )


async def lagre_vedtak(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    vedtak_id: UUID,
    *,
    vedtakstype: str,
    resultat: str,
    vedtaksdato: date,
    fra: date,
    til: date | None,
    registrert_av: str,
    registrert_dato: datetime,
) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO vedtak (vedtak_id, deltaker_id, vedtakstype, resultat, vedtaksdato, fra, til, registrert_av,"
        " registrert_dato) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *",
        vedtak_id,
        deltaker_id,
        vedtakstype,
        resultat,
        vedtaksdato,
        fra,
        til,
        registrert_av,
        registrert_dato,
    )


async def hent_sluttmal(conn: asyncpg.Connection, deltaker_id: UUID) -> list[asyncpg.Record]:
    """The sluttmål, the one in force (fastsatt last) first."""
    return await conn.fetch(
        "SELECT sluttmal, fastsatt_dato, registrert_av FROM sluttmal WHERE deltaker_id = $1 ORDER BY id DESC",
        deltaker_id,
    )


async def lagre_sluttmal(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    *,
    sluttmal: str,
    fastsatt_dato: date,
    registrert_av: str,
    registrert_dato: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO sluttmal (deltaker_id, sluttmal, fastsatt_dato, registrert_av, registrert_dato)"
        " VALUES ($1,$2,$3,$4,$5)",
        deltaker_id,
        sluttmal,
        fastsatt_dato,
        registrert_av,
        registrert_dato,
    )


async def lagre_tiltak(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    tiltak_id: UUID,
    *,
    tiltakskode: str,
    fra: date,
    til: date | None,
    timer_per_uke: Decimal,
    registrert_av: str,
    registrert_dato: datetime,
) -> asyncpg.Record:
    return await conn.fetchrow(
        "INSERT INTO tiltak (tiltak_id, deltaker_id, tiltakskode, fra, til, timer_per_uke, registrert_av,"
        " registrert_dato) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *",
        tiltak_id,
        deltaker_id,
        tiltakskode,
        fra,
        til,
        timer_per_uke,
        registrert_av,
        registrert_dato,
    )


async def lagre_fravaer(
    conn: asyncpg.Connection,
    deltaker_id: UUID,
    fravaer_id: UUID,
    *,
    fravaerstype: str,
    fra: date,
    til: date | None,
    registrert_av: str,
    registrert_dato: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO fravaer (fravaer_id, deltaker_id, fravaerstype, fra, til, registrert_av, registrert_dato)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7)",
        fravaer_id,
        deltaker_id,
        fravaerstype,
        fra,
        til,
        registrert_av,
        registrert_dato,
    )


async def lagre_avvisning(
    conn: asyncpg.Connection, deltaker_id: UUID, *, avvist_dato: date, registrert_av: str, registrert_dato: datetime
) -> None:
    await conn.execute(
        "INSERT INTO avvisning (deltaker_id, avvist_dato, registrert_av, registrert_dato) VALUES ($1,$2,$3,$4)",
        deltaker_id,
        avvist_dato,
        registrert_av,
        registrert_dato,
    )


_SLETTBARE = ("vedtak", "tiltak", "fravaer")  # tables whose rows are marked deleted, never removed


async def slett(conn: asyncpg.Connection, tabell: str, deltaker_id: UUID, rad_id: UUID) -> bool:
    """Mark the deltaker's vedtak, tiltak or fravær deleted (the row stays, for history); False when it has no such
    row, or it was deleted already."""
    if tabell not in _SLETTBARE:
        raise ValueError(f"{tabell}: ikke en tabell med sletting")
    return (
        await conn.fetchval(
            f"UPDATE {tabell} SET slettet = true WHERE {tabell}_id=$1 AND deltaker_id=$2 AND NOT slettet RETURNING 1",
            rad_id,
            deltaker_id,
        )
        is not None
    )


async def lagre_avslutningsversjon(conn: asyncpg.Connection, v: Avslutningsversjon, deltaker_id: UUID) -> None:
    """One version; version 1 creates the avslutning in the same statement."""
    ny = (
        "WITH a AS (INSERT INTO avslutning (avslutning_id, deltaker_id, kilde) VALUES ($1, $12, $13)) "
        if v.versjon == 1
        else ""
    )
    args = [
        v.avslutning_id,
        v.versjon,
        v.avslutningstype.value,
        v.arsak.value,
        v.avslutningsdato,
        v.timer_arbeid_per_uke,
        v.registrert_av,
        v.registrert_dato,
        v.oppfolgingskommune,
        v.bydel,
        v.slettet,
    ]
    await conn.execute(
        ny + "INSERT INTO avslutningsversjon (avslutning_id, versjon, avslutningstype, arsak, avslutningsdato,"
        " timer_arbeid_per_uke, registrert_av, registrert_dato, oppfolgingskommune, bydel, slettet)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        *args,
        *([deltaker_id, v.kilde.value] if v.versjon == 1 else []),
    )


async def sett_ikke_gjeldende(
    conn: asyncpg.Connection, vedtak_ids: tuple[UUID, ...], tiltak_ids: tuple[UUID, ...]
) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    vedtak = (
        await conn.fetch(
            "UPDATE vedtak SET gjeldende = false WHERE vedtak_id = ANY($1::uuid[]) RETURNING *", list(vedtak_ids)
        )
        if vedtak_ids
        else []
    )
    tiltak = (
        await conn.fetch(
            "UPDATE tiltak SET gjeldende = false WHERE tiltak_id = ANY($1::uuid[]) RETURNING *", list(tiltak_ids)
        )
        if tiltak_ids
        else []
    )
    return vedtak, tiltak


async def siste_versjon(conn: asyncpg.Connection, avslutning_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT a.kilde, a.deltaker_id, v.* FROM avslutning a JOIN avslutningsversjon v USING (avslutning_id)"
        " WHERE a.avslutning_id = $1 ORDER BY v.versjon DESC LIMIT 1",
        avslutning_id,
    )


def som_versjon(r: asyncpg.Record) -> Avslutningsversjon:
    return _avslutningsversjon(r)


def timer(verdi: Decimal | None) -> Decimal | None:
    return None if verdi is None else verdi.quantize(Decimal("0.1"))


async def krev_idempotensnokkel(conn: asyncpg.Connection, brukerident: str, nokkel: str, foresporsel: str) -> bool:
    """Claim the caller's Idempotency-Key for the request (its hash); False when it was claimed before. A claim
    made by a concurrent transaction is waited for (the primary key), so a retry sees the first one's answer."""
    return (
        await conn.fetchval(
            "INSERT INTO idempotens (brukerident, nokkel, foresporsel) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING RETURNING 1",
            brukerident,
            nokkel,
            foresporsel,
        )
        is not None
    )


async def hent_idempotenssvar(conn: asyncpg.Connection, brukerident: str, nokkel: str) -> asyncpg.Record:
    return await conn.fetchrow(
        "SELECT foresporsel, status, svar FROM idempotens WHERE brukerident = $1 AND nokkel = $2",
        brukerident,
        nokkel,
    )


async def lagre_idempotenssvar(conn: asyncpg.Connection, brukerident: str, nokkel: str, status: int, svar: Any) -> None:
    await conn.execute(
        "UPDATE idempotens SET status = $3, svar = $4 WHERE brukerident = $1 AND nokkel = $2",
        brukerident,
        nokkel,
        status,
        svar,
    )
