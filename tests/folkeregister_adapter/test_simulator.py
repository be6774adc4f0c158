"""The simulator behaves like Skatteetaten's hendelsesliste (docs/FOLKEREGISTER.md), and the adapter's HTTP
source reads it: pages ≤ 1000, latest sekvensnummer, ETag/304, 429 + Retry-After, 406, {"kode","melding"}."""

from __future__ import annotations

import httpx
import pytest

from services.folkeregister_adapter.folkeregisterkilde import ForMangeForesporsler, Kildefeil, UtenforRetensjon
from services.folkeregister_adapter.skatteetaten import Hendelsesliste
from simulators.folkeregister.register import BASE_PATH, Folkeregister
from simulators.folkeregister.server import create_app


@pytest.fixture
def sim():
    reg = Folkeregister(seed=5, personer=50)
    reg.generer(2500)
    app = create_app(reg)
    return reg, app, httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sim")


def kilde(app) -> Hendelsesliste:
    return Hendelsesliste("http://sim" + BASE_PATH, transport=httpx.ASGITransport(app))


async def test_pages_of_at_most_1000_and_the_latest_sekvensnummer(sim):
    reg, app, c = sim
    r = await c.get(f"{BASE_PATH}/hendelser/feed", params={"seq": 1})
    assert r.status_code == 200 and len(r.json()) == 1000
    assert r.json()[0]["sekvensnummer"] == 1 and r.json()[0]["hendelse"]["hendelsesdokument"]["dokumentidentifikator"]
    assert (await c.get(f"{BASE_PATH}/hendelser/siste/sekvensnummer")).json() == reg.siste_sekvensnummer
    k = kilde(app)
    s = await k.side(2001)
    assert s.fra == 2001 and s.neste == reg.siste_sekvensnummer + 1 and len(s.innslag) == reg.siste_sekvensnummer - 2000
    assert await k.siste_sekvensnummer() == reg.siste_sekvensnummer


async def test_etag_gives_304_when_nothing_is_new(sim):
    reg, app, _c = sim
    k = kilde(app)
    end = reg.siste_sekvensnummer + 1
    assert (await k.side(end)).innslag == ()
    assert await k.side(end) is None  # If-None-Match → 304
    reg.legg_til("doedsfall", reg.personer(0, 1)[0]["folkeregisteridentifikator"])
    s = await k.side(end)
    assert s is not None and len(s.innslag) == 1


async def test_429_with_retry_after_and_5xx_with_error_body(sim):
    _reg, app, c = sim
    await c.post("/kontroll/feil", json={"status": 429, "retryAfter": 7})
    r = await c.get(f"{BASE_PATH}/hendelser/feed", params={"seq": 1})
    assert r.status_code == 429 and r.headers["Retry-After"] == "7" and set(r.json()) == {"kode", "melding"}
    await c.post("/kontroll/feil", json={"status": 429, "retryAfter": 3})
    with pytest.raises(ForMangeForesporsler) as e:
        await kilde(app).side(1)
    assert e.value.retry_after == 3
    await c.post("/kontroll/feil", json={"status": 503})
    with pytest.raises(Kildefeil) as e5:
        await kilde(app).side(1)
    assert e5.value.status == 503


async def test_406_for_hendelser_older_than_retention(sim):
    _reg, app, c = sim
    await c.post("/kontroll/slett", params={"tilSekvensnummer": 1500})
    r = await c.get(f"{BASE_PATH}/hendelser/feed", params={"seq": 1})
    assert r.status_code == 406 and r.json()["kode"] == "FREG-406"
    with pytest.raises(UtenforRetensjon) as e:
        await kilde(app).side(1499)
    assert e.value.fra == 1499
    assert (await c.get(f"{BASE_PATH}/hendelser/feed", params={"seq": 1500})).status_code == 200


async def test_person_lookup_and_unknown_person(sim):
    reg, app, c = sim
    ident = reg.personer(3, 1)[0]["folkeregisteridentifikator"]
    doc = (await c.get(f"{BASE_PATH}/personer/{ident}")).json()
    assert doc["identifikasjonsnummer"][0]["foedselsEllerDNummer"] == ident
    assert (await kilde(app).persondokument(ident)).identer[0] == ident
    r = await c.get(f"{BASE_PATH}/personer/01010100000")
    assert r.status_code == 404 and set(r.json()) == {"kode", "melding"}
    assert await kilde(app).persondokument("01010100000") is None


async def test_control_api_appends_a_death_for_a_given_person_and_rejects_unknown_ones(sim):
    reg, _app, c = sim
    ident = reg.personer(0, 1)[0]["folkeregisteridentifikator"]
    r = await c.post(
        "/kontroll/hendelser", json=[{"art": "doedsfall", "folkeregisteridentifikator": ident, "dato": "2026-02-01"}]
    )
    assert r.status_code == 200 and r.json()[0]["sekvensnummer"] == reg.siste_sekvensnummer
    assert reg.persondokument(ident)["doedsfall"][0]["doedsdato"] == "2026-02-01"
    r = await c.post("/kontroll/hendelser", json=[{"art": "doedsfall", "folkeregisteridentifikator": "123"}])
    assert r.status_code == 400 and r.json()["kode"] == "SIM-001"


async def test_slow_pages(sim):
    import time

    _reg, _app, c = sim
    await c.post("/kontroll/feil", json={"forsinkelseSekunder": 0.3})
    t0 = time.perf_counter()
    assert (await c.get(f"{BASE_PATH}/hendelser/feed", params={"seq": 1})).status_code == 200
    assert time.perf_counter() - t0 >= 0.3


async def test_metrics_in_the_services_prometheus_format(sim):
    """Issue #16 §4: the simulator serves /metrics like the services (Prometheus text, parsed here by the
    Prometheus client's own parser), with its requests' latency and the register's state."""
    from prometheus_client.parser import text_string_to_metric_families

    reg, _app, c = sim
    await c.get(f"{BASE_PATH}/hendelser/siste/sekvensnummer")
    r = await c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    (siste,) = families["nir_simulator_siste_sekvensnummer"].samples
    assert siste.value == reg.siste_sekvensnummer
    latency = [
        s
        for s in families["nir_http_request_seconds"].samples
        if s.labels.get("service") == "folkeregister_simulator" and s.name.endswith("_count")
    ]
    assert any(s.labels["route"] == f"{BASE_PATH}/hendelser/siste/sekvensnummer" for s in latency)
