"""Issue #11 §3, «a number is not a date», table-driven over the API itself: every date field of every write
route, found in the OpenAPI document, refuses numbers, booleans, non-ISO strings and dates before the person's
fødselsdato with a 422 naming that field and writes nothing; the same body with an ISO date is accepted. A
write route or date field added later is found here too: without a body below, or without strictness, it fails.
Rules: DOMAIN.md §4 («Bad input always gets a clear, specific error (which field, why) … never a partial
write»); services/registrering/domain/regler.py (dates in time)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from tests.registrering.conftest import ny_deltaker, person
from tests.support.datofelt import IKKE_DATOER, dato_stier, med

pytestmark = pytest.mark.integration

FODT = person()["fodselsdato"]  # 1995-03-02
FOR_FODSEL = (date.fromisoformat(FODT) - timedelta(days=1)).isoformat()
BASE = "/api/v1/deltakere"


@dataclass(frozen=True)
class Rute:
    """A write route with a body the API accepts, and how to get a fresh URL for it (a new deltaker, …)."""

    body: Callable[[], dict[str, Any]]
    url: Callable[[Any], Awaitable[str]]
    ok: int = 201
    gyldig_dato: str = "2022-02-01"  # for an optional date field the body leaves out


async def _uten_program(r) -> str:
    return await ny_deltaker(r, program=False, sluttmal=False)


async def _avslutning(r) -> str:
    did = await ny_deltaker(r)
    resp = await r.client.post(f"{BASE}/{did}/avslutninger", headers=r.token(), json=AVSLUTNING)
    assert resp.status_code == 201, resp.text
    return f"{BASE}/{did}/avslutninger/{resp.json()['avslutning']['avslutning_id']}"


VEDTAK = {
    "vedtakstype": "DELTAKELSE",
    "vedtaksdato": "2022-01-03",
    "periode": {"fra": "2022-01-10", "til": "2024-01-09"},
}


async def _vedtak(r) -> str:
    did = await _uten_program(r)
    resp = await r.client.post(f"{BASE}/{did}/vedtak", headers=r.token(), json=VEDTAK)
    assert resp.status_code == 201, resp.text
    return f"{BASE}/{did}/vedtak/{resp.json()['vedtak_id']}"


def _oppdatering() -> dict[str, Any]:
    return {k: v for k, v in person().items() if k not in ("duf_nummer", "fodselsnummer")}


AVSLUTNING = {"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": 30.0}

RUTER: dict[tuple[str, str], Rute] = {
    ("post", BASE): Rute(person, lambda r: _url(BASE)),
    ("put", BASE + "/{deltaker_id}"): Rute(_oppdatering, lambda r: _url_for(r, _uten_program, ""), ok=200),
    ("post", BASE + "/{deltaker_id}/vedtak"): Rute(
        lambda: {
            "vedtakstype": "DELTAKELSE",
            "vedtaksdato": "2022-01-03",
            "periode": {"fra": "2022-01-10", "til": "2024-01-09"},
        },
        lambda r: _url_for(r, _uten_program, "/vedtak"),
    ),
    ("put", BASE + "/{deltaker_id}/vedtak/{vedtak_id}"): Rute(lambda: dict(VEDTAK), _vedtak, ok=200),
    ("post", BASE + "/{deltaker_id}/sluttmal"): Rute(
        lambda: {"sluttmal": "ARBEID_HAR_IKKE_VGO", "fastsatt_dato": "2022-01-03"},
        lambda r: _url_for(r, lambda r: ny_deltaker(r, sluttmal=False), "/sluttmal"),
    ),
    ("post", BASE + "/{deltaker_id}/tiltak"): Rute(
        lambda: {
            "tiltakskode": "NORSKOPPLAERING",
            "periode": {"fra": "2022-01-10", "til": "2022-06-30"},
            "timer_per_uke": 22.5,
        },
        lambda r: _url_for(r, ny_deltaker, "/tiltak"),
    ),
    ("post", BASE + "/{deltaker_id}/fravaer"): Rute(
        lambda: {"fravaerstype": "GYLDIG", "periode": {"fra": "2022-04-01", "til": "2022-04-05"}},
        lambda r: _url_for(r, ny_deltaker, "/fravaer"),
    ),
    ("post", BASE + "/{deltaker_id}/avvisning"): Rute(
        lambda: {"avvist_dato": "2021-12-01"}, lambda r: _url_for(r, _uten_program, "/avvisning")
    ),
    ("post", BASE + "/{deltaker_id}/avslutninger"): Rute(
        lambda: dict(AVSLUTNING), lambda r: _url_for(r, ny_deltaker, "/avslutninger")
    ),
    ("put", BASE + "/{deltaker_id}/avslutninger/{avslutning_id}"): Rute(
        lambda: {"arsak": "GRUNNSKOLE", "avslutningsdato": "2024-01-09"}, _avslutning, ok=200
    ),
}


async def _url(url: str) -> str:
    return url


async def _url_for(r, deltaker: Callable[[Any], Awaitable[str]], rest: str) -> str:
    return f"{BASE}/{await deltaker(r)}{rest}"


def _openapi():
    from services.registrering.app import create_app
    from shared.settings import RegistreringSettings

    return create_app(RegistreringSettings()).openapi()


def _skrive_ruter() -> list[tuple[str, str, dict]]:
    """Every route with a JSON body in the OpenAPI document: (method, path, body schema)."""
    doc = _openapi()
    ut = []
    for sti, operasjoner in doc["paths"].items():
        if sti == "/api/v1/opphold":
            continue  # IMDi's facts about a person, not a deltaker's: no fødselsdato to judge them by (test_opphold)
        for metode, op in operasjoner.items():
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                ut.append((metode, sti, schema))
    return ut


def _tilfeller():
    doc = _openapi()
    defs = doc["components"]["schemas"]
    for metode, sti, schema in _skrive_ruter():
        rute = RUTER.get((metode, sti))
        eksempel = rute.body() if rute else {}
        for felt in dato_stier(schema, defs, eksempel):
            yield pytest.param(metode, sti, felt, id=f"{metode.upper()} {sti} {'.'.join(felt)}")


TILFELLER = list(_tilfeller())


def test_every_write_route_with_a_date_field_has_a_body_here():
    """A new route whose body has a date gets a row in RUTER, and with it the checks below."""
    med_dato = {(m, s) for m, s, _ in (p.values for p in TILFELLER)}
    assert med_dato <= set(RUTER), sorted(med_dato - set(RUTER))
    assert set(RUTER) <= med_dato  # and the table has no stale rows
    assert len(TILFELLER) >= 15


def _har(data: dict, felt: tuple[str, ...]) -> bool:
    for k in felt:
        if not isinstance(data, dict) or k not in data:
            return False
        data = data[k]
    return data is not None


async def _skrevet(r, url: str, body: dict) -> int:
    """Rows a refused request might have left: the deltaker's outbox, or (POST /deltakere) the person."""
    if url == BASE:
        return await r.runtime.pool.fetchval("SELECT count(*) FROM deltaker WHERE duf_nummer = $1", body["duf_nummer"])
    did = url.split("/")[4]
    return await r.runtime.pool.fetchval("SELECT count(*) FROM outbox WHERE key = $1", did.encode())


@pytest.mark.parametrize("metode,sti,felt", TILFELLER)
async def test_a_date_field_takes_only_an_iso_date_after_the_persons_birth(registrering, metode, sti, felt):
    r = registrering
    rute = RUTER[(metode, sti)]
    url = await rute.url(r)
    body = rute.body()
    for_ = await _skrevet(r, url, body)
    # fødselsdato itself cannot lie before itself: it may not lie in the future instead
    uten_mening = (date.today() + timedelta(days=2)).isoformat() if felt == ("fodselsdato",) else FOR_FODSEL
    for verdi in [*IKKE_DATOER, uten_mening]:
        resp = await r.client.request(metode, url, headers=r.token(), json=med(body, felt, verdi))
        assert resp.status_code == 422, (verdi, resp.text)
        feil = resp.json()["feil"]
        assert [d["felt"] for d in feil] == [".".join(felt)], (verdi, feil)
        assert all(d["melding"] for d in feil)
    assert await _skrevet(r, url, body) == for_, "a refused request wrote something"
    # the same body with an ISO date is accepted
    gyldig = body if _har(body, felt) else med(body, felt, rute.gyldig_dato)
    resp = await r.client.request(metode, url, headers=r.token(), json=gyldig)
    assert resp.status_code == rute.ok, resp.text


async def test_issue_11_avvisning_dated_0_is_refused_with_a_norwegian_message(registrering):
    """The case of the issue: {"avvist_dato": 0} was stored as 1970-01-01 and ended the programme of a person
    born later with «Person avvist program» dated 01.01.1970."""
    r = registrering
    did = await ny_deltaker(r)
    url = f"{BASE}/{did}/avvisning"
    resp = await r.client.post(url, headers=r.token(), json={"avvist_dato": 0})
    assert resp.status_code == 422
    assert resp.json()["feil"] == [
        {
            "felt": "avvist_dato",
            "i": "body",
            "kode": "dato_type",
            "melding": 'datoen må oppgis som tekst på formen ÅÅÅÅ-MM-DD (f.eks. "2024-02-01"), ikke som tall',
        }
    ]
    resp = await r.client.post(url, headers=r.token(), json={"avvist_dato": "1970-01-01"})
    assert resp.status_code == 422
    assert resp.json()["feil"] == [
        {
            "felt": "avvist_dato",
            "i": "body",
            "kode": "regel",
            "melding": "avvist dato kan ikke være før personens fødselsdato",
            "regel": "dato ikke før fødselsdato",
        }
    ]


async def test_dates_outside_the_programmes_time_are_refused_naming_the_field(registrering):
    """regler.innenfor_programmets_tid: not before introduksjonsloven (01.09.2003), not further ahead than any
    programme can run (8 years with today's regelverk)."""
    r = registrering
    eldre = person(fodselsdato="1980-05-01", bosettingsdato="2002-01-01", lov="introduksjonsloven")
    resp = await r.client.post(BASE, headers=r.token(), json=eldre)
    assert resp.status_code == 201, resp.text
    url = f"{BASE}/{resp.json()['deltaker_id']}"
    resp = await r.client.post(
        f"{url}/fravaer",
        headers=r.token(),
        json={"fravaerstype": "GYLDIG", "periode": {"fra": "2003-08-31", "til": "2003-09-02"}},
    )
    assert resp.status_code == 422
    assert [(f["felt"], f["melding"]) for f in resp.json()["feil"]] == [
        ("periode.fra", "fra-dato kan ikke være før 2003-09-01, da introduksjonsloven trådte i kraft")
    ]
    langt_fram = date(date.today().year + 9, 1, 1).isoformat()
    resp = await r.client.post(
        f"{url}/tiltak",
        headers=r.token(),
        json={"tiltakskode": "X", "periode": {"fra": "2022-01-10", "til": langt_fram}, "timer_per_uke": 10},
    )
    assert resp.status_code == 422 and [d["felt"] for d in resp.json()["feil"]] == ["periode.til"]
    assert "år fram i tid" in resp.json()["feil"][0]["melding"]


@pytest.mark.parametrize(
    "timer,status", [(30, 201), (30.5, 201), ("30.5", 201), ("30,5", 422), (True, 422), (30.25, 422), ("30.25", 422)]
)
async def test_hours_are_a_number_with_a_decimal_point_and_the_message_says_so(registrering, timer, status):
    """DOMAIN.md §4 rule 3 («at most one decimal, e.g. 30,0» is how NIR shows it); in JSON the decimal mark is a
    point, and the error says what is accepted rather than suggesting «30,0»."""
    r = registrering
    did = await ny_deltaker(r)
    resp = await r.client.post(
        f"{BASE}/{did}/avslutninger",
        headers=r.token(),
        json={"arsak": "ARBEID", "avslutningsdato": "2024-01-09", "timer_arbeid_per_uke": timer},
    )
    assert resp.status_code == status, resp.text
    if status == 422:
        (d,) = resp.json()["feil"]
        assert d["felt"] == "timer_arbeid_per_uke" and "30,0" not in d["melding"] and "30.5" in d["melding"]
