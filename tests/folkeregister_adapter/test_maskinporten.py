"""Maskinporten: the adapter's JWT grant and token handling (maskinporten.py) against the simulator's token
endpoint, which checks grants as docs.digdir.no «Maskinporten JWT grant» describes; and the feed through the real
broker in Maskinporten mode."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from services.folkeregister_adapter import feedlytter
from services.folkeregister_adapter.app import maskinporten_for
from services.folkeregister_adapter.folkeregisterkilde import Kildefeil
from services.folkeregister_adapter.maskinporten import GRANT_TYPE, Klientoppsett, Maskinporten, Maskinportenfeil
from services.folkeregister_adapter.skatteetaten import Hendelsesliste
from shared.settings import FolkeregisterAdapterSettings
from simulators.folkeregister import maskinporten as mp_sim
from simulators.folkeregister.register import BASE_PATH, Folkeregister
from simulators.folkeregister.server import create_app
from tests.folkeregister_adapter.harness import Oppsett, Simulator, oppsett_med

UTSTEDER = "https://test.maskinporten.no/"
KLIENT = "nir-avslutning-test"
KID = "nir-2026-1"
SCOPE = mp_sim.FOLKEREGISTER_SCOPE


def _nokkel() -> tuple[str, str]:
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    privat = k.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    offentlig = (
        k.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return privat, offentlig


PRIVAT, OFFENTLIG = _nokkel()
ANNEN_PRIVAT, _ = _nokkel()


class Klokke:
    def __init__(self) -> None:
        self.t = 1_790_000_000.0

    def __call__(self) -> float:
        return self.t


class Tellende(httpx.AsyncBaseTransport):
    """The simulator in-process, counting calls per path (to see the one retry)."""

    def __init__(self, app) -> None:
        self.indre = httpx.ASGITransport(app)
        self.kall: list[tuple[str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        r = await self.indre.handle_async_request(request)
        self.kall.append((request.url.path, r.status_code))
        return r


def oppsett(**kw) -> Klientoppsett:
    return Klientoppsett(
        **(
            {
                "token_url": "http://sim/maskinporten/token",
                "audience": UTSTEDER,
                "client_id": KLIENT,
                "scope": SCOPE,
                "privat_nokkel_pem": PRIVAT,
                "kid": KID,
            }
            | kw
        )
    )


def sim_med(klokke: Klokke | None = None, levetid: int = 120):
    reg = Folkeregister(seed=5, personer=20)
    reg.generer(50)
    mp = mp_sim.Maskinporten(
        [mp_sim.Klient(KLIENT, {KID: OFFENTLIG})], utsteder=UTSTEDER, levetid=levetid, klokke=klokke or time.time
    )
    app = create_app(reg, mp)
    return reg, mp, Tellende(app)


def kilde(transport, klokke=time.time, **kw) -> tuple[Hendelsesliste, Maskinporten]:
    m = Maskinporten(oppsett(**kw), klokke=klokke, transport=transport)
    return Hendelsesliste("http://sim" + BASE_PATH, maskinporten=m, transport=transport), m


def grant(privat: str = PRIVAT, *, kid: str = KID, iat: float | None = None, levetid: int = 120, **claims) -> str:
    iat = int(iat if iat is not None else time.time())
    body = {
        "aud": UTSTEDER,
        "iss": KLIENT,
        "scope": SCOPE,
        "iat": iat,
        "exp": iat + levetid,
        "jti": str(uuid.uuid4()),
    } | claims
    nokkel = serialization.load_pem_private_key(privat.encode(), None)
    assert isinstance(nokkel, rsa.RSAPrivateKey)
    return jwt.encode(body, nokkel, algorithm="RS256", headers={"kid": kid})


# -- the grant ---------------------------------------------------------------------------------------------------
def test_grant_has_maskinportens_claims_and_kid_and_verifies_with_the_public_key():
    klokke = Klokke()
    m = Maskinporten(oppsett(), klokke=klokke)
    g1, g2 = m.lag_grant(), m.lag_grant()
    header = jwt.get_unverified_header(g1)
    assert header == {"alg": "RS256", "kid": KID, "typ": "JWT"}
    claims = jwt.decode(
        g1, OFFENTLIG, algorithms=["RS256"], audience=UTSTEDER, options={"verify_exp": False, "verify_iat": False}
    )
    assert set(claims) == {"aud", "iss", "scope", "iat", "exp", "jti"}  # Maskinporten refuses unknown claims
    assert claims["aud"] == UTSTEDER and claims["iss"] == KLIENT and claims["scope"] == SCOPE
    assert claims["iat"] == int(klokke.t) and claims["exp"] - claims["iat"] == 120
    assert claims["jti"] != jwt.decode(g2, options={"verify_signature": False})["jti"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            g1,
            serialization.load_pem_private_key(ANNEN_PRIVAT.encode(), None).public_key(),
            algorithms=["RS256"],
            audience=UTSTEDER,
            options={"verify_exp": False},
        )


# -- tokens: reuse, refresh, 401 ---------------------------------------------------------------------------------
async def test_one_token_for_many_polls_and_one_exchange_for_concurrent_requests():
    reg, mp, t = sim_med()
    k, m = kilde(t)
    identer = [p["folkeregisteridentifikator"] for p in reg.personer(0, 16)]
    # Sixteen person lookups at once with no token yet: one exchange, not sixteen.
    docs = await asyncio.gather(*(k.persondokument(i) for i in identer))
    assert all(d is not None for d in docs)
    for _ in range(20):
        await k.side(1)
    assert m.utvekslinger == 1 and mp.utstedt == 1
    assert [p for p, _ in t.kall].count("/maskinporten/token") == 1
    await k.close()


async def test_a_token_is_renewed_shortly_before_it_expires():
    klokke = Klokke()
    _reg, mp, t = sim_med(klokke, levetid=300)
    k, m = kilde(t, klokke)
    await k.siste_sekvensnummer()
    klokke.t += 300 - 31  # margin: 10 % of 300 s = 30 s; not yet
    await k.siste_sekvensnummer()
    assert mp.utstedt == 1
    klokke.t += 2  # inside the margin: renewed before the API would refuse it
    await k.siste_sekvensnummer()
    assert mp.utstedt == 2 and m.utvekslinger == 2
    assert all(s == 200 for p, s in t.kall)  # never a 401: renewed in time
    await k.close()


async def test_a_revoked_token_gives_one_renewal_and_one_retry(caplog):
    caplog.set_level(logging.DEBUG)
    _reg, mp, t = sim_med()
    k, _m = kilde(t)
    await k.side(1)
    gammel = next(iter(mp._tokens))
    assert mp.tilbakekall() == 1
    side = await k.side(11)  # 401, a new token, the same request again
    assert side is not None and len(side.innslag) == 40
    feed = [s for p, s in t.kall if p.endswith("/hendelser/feed")]
    assert feed == [200, 401, 200] and mp.utstedt == 2
    assert gammel not in caplog.text and all(tok not in caplog.text for tok in mp._tokens)
    await k.close()


async def test_an_api_that_keeps_refusing_gets_one_retry_then_a_source_error():
    _reg, mp, t = sim_med(levetid=0)  # every token is dead on arrival
    k, _m = kilde(t)
    with pytest.raises(Kildefeil) as e:
        await k.side(1)
    assert e.value.status == 401 and not isinstance(e.value, Maskinportenfeil)
    assert [s for p, s in t.kall if p.endswith("/hendelser/feed")] == [401, 401]
    assert mp.utstedt == 2
    await k.close()


async def test_without_a_token_the_simulator_answers_401_in_maskinporten_mode():
    _reg, _mp, t = sim_med()
    async with httpx.AsyncClient(transport=t, base_url="http://sim") as c:
        r = await c.get(f"{BASE_PATH}/hendelser/siste/sekvensnummer")
        assert r.status_code == 401 and r.json()["kode"] == "FREG-401" and "Bearer" in r.headers["WWW-Authenticate"]
        r = await c.get(f"{BASE_PATH}/hendelser/siste/sekvensnummer", headers={"Authorization": "Bearer gjett"})
        assert r.status_code == 401


# -- grants the simulator refuses, as Maskinporten does ----------------------------------------------------------
@pytest.mark.parametrize(
    ("lag", "error", "i_beskrivelse"),
    [
        (lambda: grant(ANNEN_PRIVAT), "invalid_grant", "Invalid JWT signature"),
        (lambda: grant(aud="https://test.maskinporten.no/token"), "invalid_grant", "Invalid JWT claim aud"),
        (lambda: grant(levetid=121), "invalid_grant", "more than 120 seconds"),
        (lambda: grant(iat=time.time() - 300), "invalid_grant", "expired"),
        (lambda: grant(iss="en-annen-klient"), "invalid_grant", "Unknown client"),
        (lambda: grant(kid="ukjent"), "invalid_grant", "Unknown kid"),
        (lambda: grant(scope="skatteetaten:inntekt"), "invalid_scope", "skatteetaten:inntekt"),
        (lambda: grant(pid="01010112345"), "invalid_grant", "Unknown claims"),
    ],
    ids=[
        "feil_nokkel",
        "feil_aud",
        "exp_for_langt",
        "utlopt",
        "ukjent_klient",
        "ukjent_kid",
        "feil_scope",
        "ukjent_claim",
    ],
)
async def test_the_simulator_refuses_bad_grants_like_maskinporten(lag, error, i_beskrivelse):
    _reg, mp, t = sim_med()
    async with httpx.AsyncClient(transport=t, base_url="http://sim") as c:
        r = await c.post("/maskinporten/token", data={"grant_type": GRANT_TYPE, "assertion": lag()})
    assert r.status_code == 400 and r.json()["error"] == error and i_beskrivelse in r.json()["error_description"]
    assert mp.utstedt == 0


async def test_a_grant_is_used_once_and_the_token_answer_is_maskinportens():
    _reg, _mp, t = sim_med()
    g = grant()
    async with httpx.AsyncClient(transport=t, base_url="http://sim") as c:
        r = await c.post("/maskinporten/token", data={"grant_type": GRANT_TYPE, "assertion": g})
        assert r.status_code == 200
        assert set(r.json()) == {"access_token", "token_type", "expires_in", "scope"}
        assert r.json()["token_type"] == "Bearer" and r.json()["expires_in"] == 120 and r.json()["scope"] == SCOPE
        again = await c.post("/maskinporten/token", data={"grant_type": GRANT_TYPE, "assertion": g})
        assert again.status_code == 400 and "jti has already been used" in again.json()["error_description"]
        wrong = await c.post("/maskinporten/token", data={"grant_type": "client_credentials", "assertion": grant()})
        assert wrong.json()["error"] == "unsupported_grant_type"


async def test_a_refused_grant_is_a_clear_source_error_without_the_grant_in_it():
    _reg, _mp, t = sim_med()
    k, _m = kilde(t, privat_nokkel_pem=ANNEN_PRIVAT)
    with pytest.raises(Maskinportenfeil) as e:
        await k.side(1)
    assert e.value.status == 400 and e.value.merke == "maskinporten"
    assert "invalid_grant" in str(e.value) and "Invalid JWT signature" in str(e.value)
    assert "eyJ" not in str(e.value)  # no JWT (grant or token) in the message
    await k.close()


async def test_maskinporten_unreachable_is_a_network_source_error():
    k, _m = kilde(httpx.MockTransport(lambda r: (_ for _ in ()).throw(httpx.ConnectError("nei"))))
    with pytest.raises(Maskinportenfeil) as e:
        await k.side(1)
    assert e.value.status is None and "ConnectError" in str(e.value)
    await k.close()


# -- settings ----------------------------------------------------------------------------------------------------
def test_settings_choose_maskinporten_only_when_complete():
    assert FolkeregisterAdapterSettings().maskinporten_aktiv is False
    assert maskinporten_for(FolkeregisterAdapterSettings()) is None
    fullt = dict(
        maskinporten_token_url="https://test.maskinporten.no/token",
        maskinporten_client_id=KLIENT,
        maskinporten_kid=KID,
        maskinporten_key=PRIVAT,
    )
    s = FolkeregisterAdapterSettings(**fullt)
    assert s.maskinporten_aktiv and s.maskinporten_scope == SCOPE and PRIVAT not in repr(s)
    assert isinstance(maskinporten_for(s), Maskinporten)
    for uten, melding in (
        ("maskinporten_key", "MASKINPORTEN_KEY is not"),
        ("maskinporten_kid", "MASKINPORTEN_KID is not"),
        ("maskinporten_token_url", "MASKINPORTEN_TOKEN_URL is not"),
    ):
        with pytest.raises(ValidationError, match=melding) as e:
            FolkeregisterAdapterSettings(**{k: v for k, v in fullt.items() if k != uten})
        assert "PRIVATE KEY" not in str(e.value)
    with pytest.raises(ValidationError, match="choose one"):
        FolkeregisterAdapterSettings(**fullt, folkeregister_client_id="a", folkeregister_client_secret="b")
    with pytest.raises(ValueError, match="ikke en PEM-kodet privat nøkkel") as e:
        maskinporten_for(FolkeregisterAdapterSettings(**fullt | {"maskinporten_key": "hemmelig-men-feil"}))
    assert "hemmelig-men-feil" not in str(e.value)


# -- the whole feed through the real broker, in Maskinporten mode ------------------------------------------------
@pytest.fixture
async def oppsett_mp(infrastructure, kafka_bootstrap, unique) -> AsyncIterator[Oppsett]:
    mp = mp_sim.Maskinporten([mp_sim.Klient(KLIENT, {KID: OFFENTLIG})], utsteder=UTSTEDER, levetid=120)
    async with oppsett_med(
        Simulator(Folkeregister(seed=11, personer=200), mp), kafka_bootstrap, infrastructure.database_url, unique
    ) as o:
        o.ekstra_settings = dict(
            maskinporten_token_url=o.sim.url + "/maskinporten/token",
            maskinporten_audience=UTSTEDER,
            maskinporten_client_id=KLIENT,
            maskinporten_kid=KID,
            maskinporten_key=PRIVAT,
        )
        yield o


@pytest.mark.integration
async def test_feed_to_kafka_in_maskinporten_mode_with_a_revoked_token_on_the_way(oppsett_mp, caplog):
    caplog.set_level(logging.DEBUG)
    o = oppsett_mp
    mp = o.sim.maskinporten
    o.sim.register.generer(1500, blant_forste=150)
    await o.start_adapter()
    await o.vent_til_lest()
    ps = await o.sim.kontroll("POST", "/personer", params={"antall": 2})
    (a, ka), (b, kb) = [(p["folkeregisteridentifikator"], p["kommunenummer"]) for p in ps]
    ids = await o.registrer_deltakere([(a, ka), (b, kb)])
    await o.sim.kontroll(
        "POST", "/hendelser", json=[{"art": "doedsfall", "folkeregisteridentifikator": a, "dato": "2026-03-01"}]
    )
    await o.vent_til_lest()
    tokens = set(mp._tokens)
    assert mp.utstedt == 1  # many polls, one token
    await o.sim.kontroll("POST", "/maskinporten/tilbakekall")
    await o.sim.kontroll(
        "POST",
        "/hendelser",
        json=[
            {"art": "utflytting", "folkeregisteridentifikator": b, "dato": "2026-04-01", "land": "SWE"},
            {"art": "personErOppdatert", "folkeregisteridentifikator": b},
        ],
    )
    await o.vent_til_lest()
    events = sorted(await o.events(minst=2), key=lambda e: e["sekvensnummer"])
    assert [(e["type"], e["deltaker_id"]) for e in events] == [
        ("DodsfallRegistrert", str(ids[a])),
        ("UtvandringRegistrert", str(ids[b])),
    ]
    assert mp.utstedt == 2  # the revoked token was replaced once
    tokens |= set(mp._tokens)
    assert o.lytter.siste_kildefeil is None
    assert not any(tok in caplog.text for tok in tokens)


@pytest.mark.integration
async def test_a_refused_grant_is_a_counted_source_failure_and_nothing_secret_is_logged(oppsett_mp, caplog):
    caplog.set_level(logging.DEBUG)
    o = oppsett_mp
    o.ekstra_settings["maskinporten_key"] = ANNEN_PRIVAT  # not the key registered for KID
    for_ = feedlytter.KILDEFEIL.labels("maskinporten")._value.get()
    await o.start_adapter()
    await o.vent(lambda: _siste_kildefeil(o), "maskinporten", "kildefeil meldt")
    assert feedlytter.KILDEFEIL.labels("maskinporten")._value.get() > for_
    ready = await o.readiness()
    assert ready["folkeregister"]["siste_kildefeil"] == "maskinporten"
    logget = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Invalid JWT signature" in logget and "invalid_grant" in logget  # what to fix is said
    assert "eyJ" not in logget  # no JWT: neither a grant nor a token
    assert "PRIVATE KEY" not in logget and ANNEN_PRIVAT.splitlines()[1] not in logget
    assert await o.peker() == 1 and o.sim.maskinporten.utstedt == 0


async def _siste_kildefeil(o: Oppsett) -> str | None:
    return o.lytter.siste_kildefeil
