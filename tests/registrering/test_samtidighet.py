"""Every write of registrering hammered in parallel on the real PostgreSQL and Kafka (issue #11 §1): ≥ 50 rounds
per route, each round 5–8 parallel requests on one deltaker, all of them queued behind the lock before the
first one may go (tests/registrering/samtidig.py). Where only one can win, exactly one does and the others get
a clear 409 (or 404, or the warn-then-confirm answer of DOMAIN.md §4 rule 4); where all may win, each decision
saw what the one before it committed. Then the topics are read back: what Kafka says equals what is stored.

The rules: DOMAIN.md §4 rules 4–6 (one kommune avslutning in force; edit and delete keep every version),
§4 rule 7 (vedtak belong to a programme). The app runs with a database and topics of its own, and a pool
large enough for a wave of requests to wait at once."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from uuid import UUID

import pytest

from services.plumbing.kafka import encode
from services.registrering.forbruker import CONSUMER, ved_beregnet_avslutning
from shared.events import topics
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as A
from tests.conftest import fresh_database
from tests.registrering.conftest import START, fodselsnummer, ny_deltaker, person, start_registrering
from tests.registrering.samtidig import Kafkaspeil, Runde, fordeling, laas_deltakerne, speil
from tests.registrering.test_kafka import beregnet, trukket
from tests.support import consuming
from tests.support.parallelt import Port

pytestmark = pytest.mark.integration

RUNDER = 50
P = 5  # parallel requests per round; 8 where the issue was seen (POST avslutninger)
SAMTIDIGE = 48  # requests waiting at once in one wave (the pool below has room for them and the relay)
ARBEID = {"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": "30.0"}
TALL: dict[str, str] = {}  # route → outcome per round, printed at the end (pytest -s) for the report


@pytest.fixture(scope="module")
async def reg(infrastructure, kafka_bootstrap, identity_provider):
    async with (
        fresh_database(infrastructure) as url,
        start_registrering(kafka_bootstrap, url, identity_provider, db_pool_max_size=SAMTIDIGE + 8) as r,
    ):
        r.database_url = url
        yield r
    print("\n[samtidighet] " + "\n[samtidighet] ".join(f"{k}: {v}" for k, v in TALL.items()))


@pytest.fixture(scope="module")
async def port(reg):
    async with Port(reg.database_url, "registrering") as p:
        yield p


@pytest.fixture(scope="module")
async def kafka(reg):
    async with Kafkaspeil(reg) as k:
        yield k


async def hamre(
    r,
    port: Port,
    navn: str,
    runder: list[Runde],
    *,
    parallelle: int,
    kall: Callable[[Runde, int], Awaitable],
    forst: Callable[[Runde], Awaitable] | None = None,
    hold: Callable[[list[Runde]], Callable] | None = None,
) -> list[Runde]:
    """Each round's `parallelle` calls on its own deltaker, as many rounds per wave as SAMTIDIGE allows; `forst`
    (if given) is each round's first call, queued at the lock before the others. Returns the rounds anew, with
    the answers."""
    runder = [Runde(x.deltaker_id, dict(x.data)) for x in runder]
    per_bolge = SAMTIDIGE // parallelle
    n = parallelle - (forst is not None)
    for i in range(0, len(runder), per_bolge):
        bolge = runder[i : i + per_bolge]
        laas = hold(bolge) if hold else laas_deltakerne([x.deltaker_id for x in bolge])
        forste, svar = await port.slipp(
            laas,
            [partial(kall, x, j) for x in bolge for j in range(n)],
            forst=[partial(forst, x) for x in bolge] if forst else [],
        )
        for k, x in enumerate(bolge):
            x.svar = ([forste[k]] if forst else []) + svar[k * n : (k + 1) * n]
    TALL[navn] = f"{len(runder)} rounds × {parallelle}: {fordeling(runder)}"
    return runder


async def kafka_er_lagret(r, kafka: Kafkaspeil, runder: list[Runde]) -> dict[str, list[dict]]:
    hendelser = await kafka.les_alt()
    await asyncio.gather(*(speil(r.runtime.pool, x.deltaker_id, hendelser[x.deltaker_id]) for x in runder))
    return hendelser


async def nye(r, **kw) -> list[Runde]:
    return [Runde(d) for d in await asyncio.gather(*(ny_deltaker(r, **kw) for _ in range(RUNDER)))]


def statuser(x: Runde) -> list:
    return x.statuser()


def konflikter(x: Runde) -> list[dict]:
    return [s.json() for s in x.svar if s.status_code == 409]


def nokkel_holdes(bolge):  # the gate claims each round's Idempotency-Key first: every request waits on the claim
    async def laas(conn):
        await conn.execute(
            "INSERT INTO idempotens (brukerident, nokkel, foresporsel) SELECT '4223-CES', unnest($1::text[]), 'port'",
            [x.data["nokkel"] for x in bolge],
        )

    return laas


# --- a deltaker and the programme's facts: one set of deltakere through every route in turn -------------------


async def test_a_deltaker_and_its_programme_facts_under_parallel_writes(reg, port, kafka):
    r, h = reg, reg.token()
    runder = await registrer_samme_duf(r, port, kafka)
    for steg in (
        oppdater,
        ny_identitet,
        forlengelse_bak_deltakelse,
        *(
            partial(alle_lagres, r, port, kafka, *x)
            for x in (
                (
                    "POST /sluttmal",
                    "sluttmal",
                    lambda j: {"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": f"2022-02-0{j + 1}"},
                ),
                (
                    "POST /tiltak",
                    "tiltak",
                    lambda j: {
                        "tiltakskode": f"NORSK{j}",
                        "periode": {"fra": "2022-01-10", "til": "2023-01-01"},
                        "timer_per_uke": "10.0",
                    },
                ),
                (
                    "POST /fravaer",
                    "fravaer",
                    lambda j: {
                        "fravaerstype": "GYLDIG",
                        "periode": {"fra": f"2022-04-0{j + 1}", "til": f"2022-04-0{j + 2}"},
                    },
                ),
                ("POST /avvisning", "avvisning", lambda j: {"avvist_dato": f"2021-10-0{j + 1}"}),
            )
        ),
    ):
        runder = await (steg(runder) if isinstance(steg, partial) else steg(r, h, port, kafka, runder))
    for tabell, body in (
        (
            "tiltak",
            lambda j: {"tiltakskode": f"ENDRET{j}", "periode": {"fra": f"2022-02-0{j + 1}"}, "timer_per_uke": 5},
        ),
        (
            "vedtak",
            lambda j: {"vedtakstype": "FORLENGELSE", "vedtaksdato": "2023-12-01", "periode": {"fra": f"2024-01-1{j}"}},
        ),
    ):
        runder = await endres(r, h, port, kafka, runder, tabell, body)
    for tabell in ("fravaer", "tiltak", "vedtak"):
        runder = await slettes_en_gang(r, h, port, kafka, runder, tabell)


async def registrer_samme_duf(r, port, kafka) -> list[Runde]:
    h = r.token()

    def hold(bolge):  # the gate inserts each round's DUF-nummer: every request waits on its index entry
        async def laas(conn):
            await conn.execute(
                "INSERT INTO deltaker (deltaker_id, duf_nummer, fornavn, etternavn, kjonn, fodselsdato, lov,"
                " bosettingsdato, oppfolgingskommune, registrert_av, registrert_dato, oppdatert_dato)"
                " SELECT gen_random_uuid(), duf, 'Port', 'Port', 'K', '1990-01-01', 'integreringsloven',"
                " '2021-01-01', '4223', 'port', now(), now() FROM unnest($1::text[]) duf",
                [x.data["duf"] for x in bolge],
            )

        return laas

    async def kall(x: Runde, j: int):
        return await r.client.post("/api/v1/deltakere", json=person(duf_nummer=x.data["duf"]), headers=h)

    runder = await hamre(
        r,
        port,
        "POST /deltakere (same DUF-nummer)",
        [Runde("", {"duf": person()["duf_nummer"]}) for _ in range(RUNDER)],
        parallelle=P,
        kall=kall,
        hold=hold,
    )
    for x in runder:
        assert statuser(x) == [201] + [409] * (P - 1)
        assert all("DUF-nummer" in k["detail"] for k in konflikter(x))
        x.deltaker_id = next(s.json()["deltaker_id"] for s in x.svar if s.status_code == 201)
        assert await r.runtime.pool.fetchval("SELECT count(*) FROM deltaker WHERE duf_nummer = $1", x.data["duf"]) == 1
    await kafka_er_lagret(r, kafka, runder)
    return runder


KJONN = ("K", "M")


async def oppdater(r, h, port, kafka, runder: list[Runde]) -> list[Runde]:
    # KategoriEndret is published when the computed kategori changed since the last committed update: with
    # IMDi's opphold reported (a tillatelse of 2021-09-01), alternate the fødselsdato between one that makes the
    # person 26 (rett og plikt) and one that makes 61 (kan tilbys) when it was granted, and each update's events
    # must follow from the one committed just before it.
    for x in runder:
        await r.opphold(x.data["duf"], ("FLYKTNING", "2021-09-01", None))
    til = ["1995-03-02", "1960-01-01"]

    async def kall(x: Runde, j: int):
        body = {k: v for k, v in person(fornavn=f"Navn{j}").items() if k not in ("duf_nummer", "fodselsnummer")}
        body["fodselsdato"] = til[j % 2]
        # which update an event on the deltaker topic is (the names and birth date are on the identity topic):
        # its kjønn
        body["kjonn"] = KJONN[j % 2]
        return await r.client.put(f"/api/v1/deltakere/{x.deltaker_id}", json=body, headers=h)

    runder = await hamre(r, port, "PUT /deltakere/{id}", runder, parallelle=P, kall=kall)
    hendelser = await kafka_er_lagret(r, kafka, runder)
    for x in runder:
        assert statuser(x) == [200] * P
        forrige = person()["fodselsdato"]  # as registered (and the opphold computed on it)
        strom = [e for e in hendelser[x.deltaker_id] if e["type"] in ("DeltakerOppdatert", "KategoriEndret")]
        oppdateringer = [i for i, e in enumerate(strom) if e["type"] == "DeltakerOppdatert"]
        assert len(oppdateringer) == P
        for i, start in enumerate(oppdateringer):
            slutt = oppdateringer[i + 1] if i + 1 < len(oppdateringer) else len(strom)
            ny = til[KJONN.index(strom[start]["person"]["kjonn"])]
            assert (slutt - start - 1 > 0) == (ny != forrige)  # KategoriEndret iff the kategori changed
            forrige = ny
    return runder


async def ny_identitet(r, h, port, kafka, runder: list[Runde]) -> list[Runde]:
    for x in runder:
        x.data["fnr"] = fodselsnummer()

    async def kall(x: Runde, j: int):
        return await r.client.post(
            f"/api/v1/deltakere/{x.deltaker_id}/identitet", json={"fodselsnummer": x.data["fnr"]}, headers=h
        )

    runder = await hamre(r, port, "POST /deltakere/{id}/identitet (same number)", runder, parallelle=P, kall=kall)
    for x in runder:
        assert statuser(x) == [200] + [409] * (P - 1)
        assert all("allerede dette fødselsnummeret" in k["detail"] for k in konflikter(x))
    await kafka_er_lagret(r, kafka, runder)
    return runder


async def forlengelse_bak_deltakelse(r, h, port, kafka, runder: list[Runde]) -> list[Runde]:
    # DOMAIN.md §4 rule 7: a forlengelse needs a vedtak om deltakelse. The deltakelse is first in the queue;
    # every forlengelse behind it must see it committed.
    async def deltakelse(x: Runde):
        return await r.client.post(
            f"/api/v1/deltakere/{x.deltaker_id}/vedtak",
            headers=h,
            json={
                "vedtakstype": "DELTAKELSE",
                "vedtaksdato": "2022-01-03",
                "periode": {"fra": START.isoformat(), "til": "2024-01-09"},
            },
        )

    async def forlengelse(x: Runde, j: int):
        return await r.client.post(
            f"/api/v1/deltakere/{x.deltaker_id}/vedtak",
            headers=h,
            json={
                "vedtakstype": "FORLENGELSE",
                "vedtaksdato": "2023-12-01",
                "periode": {"fra": "2024-01-10", "til": f"2024-02-{10 + j}"},
            },
        )

    runder = await hamre(
        r,
        port,
        "POST /vedtak (forlengelse behind deltakelse)",
        runder,
        parallelle=P,
        forst=deltakelse,
        kall=forlengelse,
    )
    for x in runder:
        assert statuser(x) == [201] * P, [s.text for s in x.svar if s.status_code != 201][:1]
    await kafka_er_lagret(r, kafka, runder)
    return runder


async def alle_lagres(
    r, port, kafka, navn: str, sti: str, body: Callable[[int], dict], runder: list[Runde]
) -> list[Runde]:
    """A fact every parallel request adds: all stored, each once, each published once."""
    h = r.token()
    for_ = {
        x.deltaker_id: await r.runtime.pool.fetchval(
            f"SELECT count(*) FROM {sti} WHERE deltaker_id = $1", UUID(x.deltaker_id)
        )
        for x in runder
    }

    async def kall(x: Runde, j: int):
        return await r.client.post(f"/api/v1/deltakere/{x.deltaker_id}/{sti}", json=body(j), headers=h)

    runder = await hamre(r, port, navn, runder, parallelle=P, kall=kall)
    for x in runder:
        assert statuser(x) == [201] * P
        assert (
            await r.runtime.pool.fetchval(f"SELECT count(*) FROM {sti} WHERE deltaker_id = $1", UUID(x.deltaker_id))
            == for_[x.deltaker_id] + P
        )
    await kafka_er_lagret(r, kafka, runder)
    return runder


async def endres(r, h, port, kafka, runder: list[Runde], tabell: str, body: Callable[[int], dict]) -> list[Runde]:
    """Parallel PUTs of one row: each is decided on what the one before it committed, all succeed, each is
    published once, and the last one published is what is stored (kafka_er_lagret)."""
    for x in runder:
        x.data["id"] = str(
            await r.runtime.pool.fetchval(
                f"SELECT {tabell}_id FROM {tabell} WHERE deltaker_id = $1 AND NOT slettet ORDER BY registrert_dato DESC"
                " LIMIT 1",
                UUID(x.deltaker_id),
            )
        )

    async def kall(x: Runde, j: int):
        return await r.client.put(f"/api/v1/deltakere/{x.deltaker_id}/{tabell}/{x.data['id']}", json=body(j), headers=h)

    runder = await hamre(r, port, f"PUT /{tabell}/{{id}}", runder, parallelle=P, kall=kall)
    for x in runder:
        assert statuser(x) == [200] * P, [s.text for s in x.svar if s.status_code != 200][:1]
    await kafka_er_lagret(r, kafka, runder)
    return runder


async def slettes_en_gang(r, h, port, kafka, runder: list[Runde], tabell: str) -> list[Runde]:
    for x in runder:
        x.data["id"] = str(
            await r.runtime.pool.fetchval(
                f"SELECT {tabell}_id FROM {tabell} WHERE deltaker_id = $1 AND NOT slettet LIMIT 1", UUID(x.deltaker_id)
            )
        )

    async def kall(x: Runde, j: int):
        return await r.client.delete(f"/api/v1/deltakere/{x.deltaker_id}/{tabell}/{x.data['id']}", headers=h)

    runder = await hamre(r, port, f"DELETE /{tabell}/{{id}}", runder, parallelle=P, kall=kall)
    for x in runder:
        assert statuser(x) == [204] + [404] * (P - 1)
    await kafka_er_lagret(r, kafka, runder)
    return runder


async def test_parallel_retries_with_one_idempotency_key_register_one_deltaker(reg, port, kafka):
    r = reg

    async def kall(x: Runde, j: int):
        return await r.client.post(
            "/api/v1/deltakere", json=x.data["body"], headers={**r.token(), "Idempotency-Key": x.data["nokkel"]}
        )

    runder = await hamre(
        r,
        port,
        "POST /deltakere (same Idempotency-Key)",
        [Runde("", {"nokkel": uuid.uuid4().hex, "body": person()}) for _ in range(RUNDER)],
        parallelle=P,
        kall=kall,
        hold=nokkel_holdes,
    )
    for x in runder:
        assert statuser(x) == [201] * P
        assert all(s.json() == x.svar[0].json() for s in x.svar)  # the first answer, each time
        assert sum(s.headers.get("Idempotent-Replayed") == "true" for s in x.svar) == P - 1
        x.deltaker_id = x.svar[0].json()["deltaker_id"]
        assert (
            await r.runtime.pool.fetchval(
                "SELECT count(*) FROM deltaker WHERE duf_nummer = $1", x.data["body"]["duf_nummer"]
            )
            == 1
        )
    await kafka_er_lagret(r, kafka, runder)


# --- avslutninger (DOMAIN.md §4 rules 4–6) -------------------------------------------------------------------------


async def kommuneavslutninger(r, did: str, *, i_kraft: bool = False) -> int:
    return await r.runtime.pool.fetchval(
        "SELECT count(*) FROM avslutning a WHERE deltaker_id = $1 AND kilde = 'kommune'"
        + (
            " AND NOT (SELECT slettet FROM avslutningsversjon v WHERE v.avslutning_id = a.avslutning_id"
            " ORDER BY versjon DESC LIMIT 1)"
            if i_kraft
            else ""
        ),
        UUID(did),
    )


def en_kommuneavslutning(k: dict) -> bool:
    return k["kode"] == "EN_GJELDENDE_KOMMUNEAVSLUTNING"


async def test_the_kommunes_avslutning_under_parallel_writes(reg, port, kafka):
    # Register (eight at once: where issue #11 stored up to five), edit, delete, register again with one key.
    r, h = reg, reg.token()

    async def registrer(x: Runde, j: int):
        return await r.client.post(f"/api/v1/deltakere/{x.deltaker_id}/avslutninger", json=ARBEID, headers=h)

    runder = await hamre(r, port, "POST /avslutninger", await nye(r), parallelle=8, kall=registrer)
    for x in runder:
        assert statuser(x) == [201] + [409] * 7
        assert all(en_kommuneavslutning(k) for k in konflikter(x))
        assert await kommuneavslutninger(r, x.deltaker_id) == 1
        x.data["aid"] = next(s.json()["avslutning"]["avslutning_id"] for s in x.svar if s.status_code == 201)
    await kafka_er_lagret(r, kafka, runder)

    async def rediger(x: Runde, j: int):
        return await r.client.put(
            f"/api/v1/deltakere/{x.deltaker_id}/avslutninger/{x.data['aid']}",
            headers=h,
            json={**ARBEID, "timer_arbeid_per_uke": f"{20 + j}.0"},
        )

    runder = await hamre(r, port, "PUT /avslutninger/{id} (own)", runder, parallelle=P, kall=rediger)
    for x in runder:
        assert statuser(x) == [200] * P
        assert sorted(s.json()["avslutning"]["versjon"] for s in x.svar) == list(range(2, P + 2))
        siste = max(x.svar, key=lambda s: s.json()["avslutning"]["versjon"]).json()["avslutning"]
        got = (await r.client.get(f"/api/v1/deltakere/{x.deltaker_id}/avslutninger", headers=h)).json()["gjeldende"]
        assert got["versjon"] == P + 1 and got["timer_arbeid_per_uke"] == siste["timer_arbeid_per_uke"]
    await kafka_er_lagret(r, kafka, runder)

    async def slett(x: Runde, j: int):
        return await r.client.delete(f"/api/v1/deltakere/{x.deltaker_id}/avslutninger/{x.data['aid']}", headers=h)

    runder = await hamre(r, port, "DELETE /avslutninger/{id}", runder, parallelle=P, kall=slett)
    for x in runder:
        assert statuser(x) == [204] + [409] * (P - 1)
        assert all("slettet" in k["detail"] for k in konflikter(x))
        assert await kommuneavslutninger(r, x.deltaker_id, i_kraft=True) == 0
        x.data["nokkel"] = uuid.uuid4().hex
    await kafka_er_lagret(r, kafka, runder)

    async def med_nokkel(x: Runde, j: int):
        return await r.client.post(
            f"/api/v1/deltakere/{x.deltaker_id}/avslutninger",
            json=ARBEID,
            headers={**h, "Idempotency-Key": x.data["nokkel"]},
        )

    runder = await hamre(
        r, port, "POST /avslutninger (same Idempotency-Key)", runder, parallelle=P, kall=med_nokkel, hold=nokkel_holdes
    )
    for x in runder:
        assert statuser(x) == [201] * P and all(s.json() == x.svar[0].json() for s in x.svar)
        assert sum(s.headers.get("Idempotent-Replayed") == "true" for s in x.svar) == P - 1
        assert await kommuneavslutninger(r, x.deltaker_id, i_kraft=True) == 1
    await kafka_er_lagret(r, kafka, runder)


async def test_parallel_avslutninger_with_and_without_confirm_one_wins_and_marks_once(reg, port, kafka):
    # DOMAIN.md §4 rule 4: the vedtak runs past the date. Half the requests confirm. One confirmed request wins
    # and marks the vedtak ikke gjeldende; a confirmed request behind it is refused for the winner, not warned;
    # an unconfirmed one gets the warning (before the winner) or the refusal (after it).
    r, h = reg, reg.token()
    body = {**ARBEID, "avslutningsdato": "2023-06-01"}

    async def kall(x: Runde, j: int):
        return await r.client.post(
            f"/api/v1/deltakere/{x.deltaker_id}/avslutninger" + ("?confirm=true" if j % 2 else ""), json=body, headers=h
        )

    runder = await hamre(
        r, port, "POST /avslutninger (half with confirm=true, warning)", await nye(r), parallelle=8, kall=kall
    )
    for x in runder:
        assert statuser(x) == [201] + [409] * 7
        for j, s in enumerate(x.svar):
            if s.status_code == 201:
                assert j % 2 == 1 and len(s.json()["ikke_gjeldende_vedtak"]) == 1
            elif j % 2 == 1:
                assert en_kommuneavslutning(s.json()), s.text
            else:
                assert s.json()["kode"] == "KREVER_BEKREFTELSE" or en_kommuneavslutning(s.json()), s.text
        assert (
            await r.runtime.pool.fetchval(
                "SELECT count(*) FROM vedtak WHERE deltaker_id = $1 AND NOT gjeldende", UUID(x.deltaker_id)
            )
            == 1
        )
    await kafka_er_lagret(r, kafka, runder)


# --- the regelmotor's avslutninger: edited by the kommune, retracted through the consumer ------------------------

_partisjon = itertools.count()


async def konsumer(r, e) -> None:
    """One record through registrering's consumer path (services/plumbing/consumer.py), as Kafka delivers it —
    each on a partition of its own, so only the deltaker's lock orders parallel ones (not their positions)."""
    c = consuming.consumer_for(
        r.runtime.pool, ved_beregnet_avslutning, (topics.BEREGNET_AVSLUTNING,), name=CONSUMER, service="registrering"
    )
    await c.handle([consuming.record(topics.BEREGNET_AVSLUTNING, 0, encode(e), e.deltaker_id, next(_partisjon))])
    assert await consuming.dead_letters(r.runtime.pool) == [], "a record was dead-lettered"


async def test_the_regelmotors_avslutning_under_parallel_writes(reg, port, kafka):
    # DOMAIN.md §4 rule 6: Flyttet is editable whoever set it; editing the regelmotor's adds the kommune's own, and
    # there can be only one of those. Then the regelmotor retracts its own, under a new event_id each time (it
    # retried): the first retraction marks it slettet, the others find it so. None may fail (a failed record
    # would be dead-lettered).
    r, h = reg, reg.token()
    runder = await nye(r)
    for x in runder:
        x.data["e"] = beregnet(x.deltaker_id, A.FLYTTET, date(2023, 3, 1))
        await konsumer(r, x.data["e"])

    async def rediger(x: Runde, j: int):
        # the date lies before the vedtak's end: confirmed from the start (§4 rule 4)
        return await r.client.put(
            f"/api/v1/deltakere/{x.deltaker_id}/avslutninger/{x.data['e'].avslutning_id}?confirm=true",
            headers=h,
            json={"arsak": "FLYTTET", "avslutningsdato": "2023-03-02"},
        )

    runder = await hamre(r, port, "PUT /avslutninger/{id} (regelmotor's Flyttet)", runder, parallelle=P, kall=rediger)
    for x in runder:
        assert statuser(x) == [200] + [409] * (P - 1)
        assert all(en_kommuneavslutning(k) for k in konflikter(x))
        assert await kommuneavslutninger(r, x.deltaker_id) == 1
    await kafka_er_lagret(r, kafka, runder)

    async def trekk_tilbake(x: Runde, j: int):
        return await konsumer(r, trukket(x.data["e"]))

    runder = await hamre(
        r, port, "consumer: BeregnetAvslutningTrukketTilbake", runder, parallelle=P, kall=trekk_tilbake
    )
    for x in runder:
        assert statuser(x) == ["ok"] * P, [repr(s) for s in x.svar if s is not None][:1]
        versjoner = await r.runtime.pool.fetch(
            "SELECT versjon, slettet FROM avslutningsversjon WHERE avslutning_id = $1 ORDER BY versjon",
            x.data["e"].avslutning_id,
        )
        assert [(v["versjon"], v["slettet"]) for v in versjoner] == [(1, False), (2, True)]


# --- the schema's own refusal ---------------------------------------------------------------------------------


async def test_without_the_lock_the_schema_still_refuses_a_second_kommune_avslutning(reg, port, kafka, monkeypatch):
    # The second layer alone: the lock switched off (the rules then decide on what they read, as the old code
    # did), and the gate holds an uncommitted kommune avslutning for each deltaker, so every request reads «none
    # in force» and then waits at the partial unique index. One wins; the others get the schema's 409, not a 500.
    from services.registrering.api import felles

    async def uten_laas(conn, deltaker_id, synlig_for=None) -> bool:
        return await conn.fetchval("SELECT true FROM deltaker WHERE deltaker_id = $1", deltaker_id) is not None

    monkeypatch.setattr(felles, "laas_deltaker", uten_laas)
    r, h = reg, reg.token()

    def hold(bolge):
        async def laas(conn):
            await conn.execute(
                "INSERT INTO avslutning (avslutning_id, deltaker_id, kilde)"
                " SELECT gen_random_uuid(), unnest($1::uuid[]), 'kommune'",
                [UUID(x.deltaker_id) for x in bolge],
            )

        return laas

    async def kall(x: Runde, j: int):
        return await r.client.post(f"/api/v1/deltakere/{x.deltaker_id}/avslutninger", json=ARBEID, headers=h)

    runder = await hamre(
        r, port, "POST /avslutninger without the lock (schema only)", await nye(r), parallelle=8, kall=kall, hold=hold
    )
    for x in runder:
        assert statuser(x) == [201] + [409] * 7
        for k in konflikter(x):
            assert "lagret av en annen forespørsel samtidig" in k["detail"], k
            assert k["kode"] == "EN_GJELDENDE_KOMMUNEAVSLUTNING"
        assert await kommuneavslutninger(r, x.deltaker_id) == 1
    await kafka_er_lagret(r, kafka, runder)
