"""Load a realistic synthetic population into the running system, through its public interfaces only
(registrering's API and the Folkeregister simulator's control API), and wait until the report shows it.

    .venv/bin/python deploy/local/demo.py [--deltakere 600]

Deterministic (seeded): the same people every time, several kommuner including Oslo with bydeler, both
laws, a mix of sluttmål, some frister long passed, some avslutninger registered by the kommune, some
permisjoner, and Folkeregister hendelser for the participants (moves and emigrations the regelmotor ends
programmes for at once). A frist that had already passed when the person was registered is decided at the
regelmotor's next day tick (00:00 Europe/Oslo; services/regelmotor/README.md), not during the demo. Running it
again when the population is there does nothing.

It calls the API as the kommuner's fagsystem integrations do: with a Maskinporten-shaped system token from the
identity provider for each kommune's organisation (deploy/local/kommune-orgnr.csv), scope
imdi:nir.avslutning.skriv, and «Registrert av» in the Nir-Saksbehandler header; it reads the report as IMDi.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import date, timedelta

import httpx

from tests.support.identity import IdentityProvider
from tests.support.infrastructure import resolve_identity_provider

REGISTRERING = "http://127.0.0.1:8081/api/v1"
RAPPORT = "http://127.0.0.1:8084"
SIMULATOR = "http://127.0.0.1:8090"

# (kommunenummer, weight, initials of the demo caseworker)
KOMMUNER = [
    ("0301", 30, "OSLO"),
    ("4601", 14, "BERG"),
    ("5001", 12, "TRON"),
    ("1103", 10, "STAV"),
    ("3201", 10, "BARU"),
    ("4223", 8, "VENN"),
    ("3301", 8, "DRAM"),
    ("1804", 8, "BODO"),
]
OSLO_BYDELER = [f"0301{n:02d}" for n in range(1, 16)]
FORNAVN = [
    "Amina",
    "Mohammed",
    "Fatima",
    "Ahmad",
    "Olena",
    "Oleksandr",
    "Yonas",
    "Selam",
    "Abdi",
    "Hodan",
    "Ali",
    "Zahra",
    "Dmytro",
    "Iryna",
    "Hussein",
    "Maryam",
    "Tesfay",
    "Rahel",
    "Nour",
    "Omar",
    "Sára",
    "Bjørn",
    "Åsa",
    "Ærlig",
    "Øystein",
]
ETTERNAVN = [
    "Haddad",
    "Mohamed",
    "Ahmadi",
    "Shevchenko",
    "Kovalenko",
    "Tesfamariam",
    "Hassan",
    "Abdullahi",
    "Rahimi",
    "Bondarenko",
    "Gebremedhin",
    "Yusuf",
    "Karimi",
    "Melnyk",
    "Ali",
    "Osman",
    "Nilsen",
    "Sæther",
    "Løvås",
    "Ødegård",
    "Ås",
]
INTEG_2021 = [
    "ARBEID_HAR_VGO",
    "HOYERE_UTDANNING_HAR_VGO",
    "FULLFORE_VGO_UNDER_25",
    "FULLFORE_VGO_OVER_25",
    "ARBEID_HAR_IKKE_VGO",
    "GRUNNSKOLE",
    "DELER_AV_VGO",
]
INTEG_2026 = [
    "P13_ARBEID",
    "P13_FORBEREDE_UTDANNING",
    "P14_ARBEID",
    "P14_VGO_STUDIEFORBEREDENDE",
    "P14_VGO_FAG_OG_YRKE",
    "P14_DELER_AV_VGO",
]
KOMMUNE_ARSAKER = [
    ("ARBEID", 30),
    ("VGO_STUDIESPESIALISERING", 8),
    ("HOYERE_UTDANNING", 6),
    ("ARBEID_OG_VGO", 6),
    ("ARBEIDSMARKEDSTILTAK_NAV", 10),
    ("KVALIFISERENDE_TILTAK", 8),
    ("GRUNNSKOLE", 6),
    ("HJEMMEVAERENDE_BARN_UNDER_1", 4),
    ("HELSEMESSIGE_UTFORDRINGER", 5),
    ("FAGSKOLE", 3),
    ("IKKE_LENGER_I_KATEGORI_MISTET_RETT", 3),
    ("UKJENT", 3),
    ("ANNET", 3),
]


def progress(done: int, total: int, what: str, t0: float) -> None:
    width = 40
    filled = width * done // max(total, 1)
    sys.stderr.write(
        f"\r[demo] {what:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {time.perf_counter() - t0:5.1f}s"
    )
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def fodselsdato_fra(fnr: str) -> date:
    dag, maaned, aar = int(fnr[:2]) % 40, int(fnr[2:4]) % 80 % 40, int(fnr[4:6])
    return date(2000 + aar if aar < 10 else 1900 + aar, maaned, dag)


def utdanning_for(sluttmal: str | None, *, ukraina: bool) -> str | None:
    """The utdanningsbakgrunn a sluttmål is for: § 13 (ARBEID_HAR_VGO, HOYERE_UTDANNING_HAR_VGO, P13_*) needs
    videregående (from Ukraina counts, seed prop81L), the rest is § 14."""
    if sluttmal is None:
        return None
    if sluttmal.endswith("_HAR_VGO") or sluttmal.startswith("P13"):
        return "VGO_FRA_UKRAINA" if ukraina else "VGO_ELLER_HOYERE"
    return "IKKE_VGO"


def kommune_for(rng: random.Random) -> str:
    return rng.choices([k for k, _, _ in KOMMUNER], weights=[w for _, w, _ in KOMMUNER])[0]


def duf(i: int) -> str:
    return f"2019{i:08d}"


class Demo:
    def __init__(self, n: int, seed: int = 7) -> None:
        self.n = n
        self.rng = random.Random(seed)
        # the provider deploy/local/infra.sh started (or NIR_IDP_URL); tokens are fetched as they are needed
        address = resolve_identity_provider()
        self.idp = IdentityProvider(address.base_url, address.source)
        self.initialer = {k: ini for k, _, ini in KOMMUNER}

    def headers(self, kommune: str) -> dict[str, str]:
        """The kommune's fagsystem: a system token for its organisation (remembered until shortly before it
        expires), and its caseworker's ident as «Registrert av»."""
        return {
            "Authorization": f"Bearer {self.idp.system(kommune, skrive=True)}",
            "Nir-Saksbehandler": f"{kommune}-{self.initialer[kommune]}",
        }

    def oppholdskilde(self) -> dict[str, str]:
        """IMDi's bosetting system: the one source of opphold facts (scope imdi:nir.avslutning.opphold)."""
        return {"Authorization": f"Bearer {self.idp.imdi_opphold()}"}

    def imdi(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.idp.caseworker('IMDI-DEMO', None, rolle='IMDI')}"}

    async def already_loaded(self, client: httpx.AsyncClient) -> bool:
        last = self.n - 1
        kommune = kommune_for(random.Random(f"{last}"))
        r = await client.post(
            f"{REGISTRERING}/deltakere/sok", json={"duf_nummer": duf(last)}, headers=self.headers(kommune)
        )
        return r.status_code == 200

    def plan(self, i: int, fnr: str) -> dict:
        rng = random.Random(f"{i}")
        kommune = kommune_for(rng)
        lov = "introduksjonsloven" if rng.random() < 0.3 else "integreringsloven"
        if lov == "introduksjonsloven":
            start = date(2017, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        else:
            start = date(2021, 3, 1) + timedelta(days=rng.randrange(5 * 365 + 200))
        sluttmal = None
        if lov == "integreringsloven":
            sluttmal = rng.choice(INTEG_2026 if start >= date(2026, 1, 1) else INTEG_2021)
        bosatt = start - timedelta(days=rng.randrange(30, 200))
        if lov == "integreringsloven":  # arrived and settled under integreringsloven
            bosatt = max(bosatt, date(2021, 1, 15))
        # IMDi's opphold facts (in production from UDI via IMDi's bosetting): the tillatelse some weeks before
        # the bosetting; integreringsloven for a tillatelse from 01.01.2021 (integreringsforskriften § 72)
        innvilget = bosatt - timedelta(days=rng.randrange(20, 120))
        if lov == "integreringsloven":
            innvilget = max(innvilget, date(2021, 1, 1))
        grunnlag = rng.choices(["FLYKTNING", "FAMILIEGJENFORENT_MED_FLYKTNING", "OVERFORINGSFLYKTNING"], [6, 2, 1])[0]
        if innvilget >= date(2022, 3, 11) and rng.random() < 0.4:
            grunnlag = "KOLLEKTIV_BESKYTTELSE"  # Ukraina, utlendingsloven § 34
        return dict(
            kommune=kommune,
            lov=lov,
            start=start,
            sluttmal=sluttmal,
            bydel=rng.choice(OSLO_BYDELER) if kommune == "0301" else None,
            person=dict(
                duf_nummer=duf(i),
                fodselsnummer=fnr,
                fornavn=rng.choice(FORNAVN),
                etternavn=rng.choice(ETTERNAVN),
                kjonn=rng.choice("KM"),
                fodselsdato=fodselsdato_fra(fnr),
            ),
            bosatt=bosatt,
            opphold=dict(oppholdsgrunnlag=grunnlag, innvilget=innvilget.isoformat(), opphort=None),
            # § 13 (has videregående) or § 14 (has not), as the sluttmål needs (shared/regelverk/varighet.yaml)
            utdanningsbakgrunn=utdanning_for(sluttmal, ukraina=grunnlag == "KOLLEKTIV_BESKYTTELSE"),
            permisjon=rng.random() < 0.15,
            avslutning=rng.random() < 0.45,
            arsak=rng.choices([a for a, _ in KOMMUNE_ARSAKER], weights=[w for _, w in KOMMUNE_ARSAKER])[0],
            rng=rng,
        )

    async def register(self, client: httpx.AsyncClient, i: int, fnr: str) -> None:
        p = self.plan(i, fnr)
        h = self.headers(p["kommune"])
        # IMDi reports the opphold first (as at bosetting); kategori and lov follow from it and the age, so the
        # kommune sends neither (issue #13 §1)
        r = await client.post(
            f"{REGISTRERING}/opphold",
            json={"duf_nummer": p["person"]["duf_nummer"], "tillatelser": [p["opphold"]]},
            headers=self.oppholdskilde(),
        )
        r.raise_for_status()
        body = {
            **p["person"],
            "fodselsdato": p["person"]["fodselsdato"].isoformat(),
            "bosettingsdato": p["bosatt"].isoformat(),
            "oppfolgingskommune": p["kommune"],
            "bydel": p["bydel"],
        }
        r = await client.post(f"{REGISTRERING}/deltakere", json=body, headers=h)
        if r.status_code == 409:
            return  # registered by an earlier, interrupted run
        r.raise_for_status()
        did = r.json()["deltaker_id"]
        if p["utdanningsbakgrunn"]:
            r = await client.post(
                f"{REGISTRERING}/deltakere/{did}/utdanningsbakgrunn",
                json={"utdanningsbakgrunn": p["utdanningsbakgrunn"]},
                headers=h,
            )
            r.raise_for_status()
        planned_end = p["start"] + timedelta(days=p["rng"].randrange(180, 700))
        r = await client.post(
            f"{REGISTRERING}/deltakere/{did}/vedtak",
            headers=h,
            json={
                "vedtakstype": "DELTAKELSE",
                "vedtaksdato": (p["start"] - timedelta(days=14)).isoformat(),
                "periode": {"fra": p["start"].isoformat(), "til": planned_end.isoformat()},
            },
        )
        r.raise_for_status()
        if p["sluttmal"]:
            # confirm=true: the caseworker confirms the «hovedregel for personer under 25 år» warning; a sluttmål
            # outside its age band (Prop. 81 L § 13/§ 14 tables) is refused, and «Arbeid» of the same paragraph
            # taken instead
            for sluttmal in (p["sluttmal"], "P13_ARBEID" if p["sluttmal"].startswith("P13") else "P14_ARBEID"):
                r = await client.post(
                    f"{REGISTRERING}/deltakere/{did}/sluttmal?confirm=true",
                    headers=h,
                    json={"sluttmal": sluttmal, "fastsatt_dato": p["start"].isoformat()},
                )
                if r.status_code != 422 or not sluttmal.startswith("P1"):
                    break
            r.raise_for_status()
        if p["permisjon"]:
            fra = p["start"] + timedelta(days=p["rng"].randrange(60, 300))
            await client.post(
                f"{REGISTRERING}/deltakere/{did}/vedtak",
                headers=h,
                json={
                    "vedtakstype": "PERMISJON",
                    "vedtaksdato": fra.isoformat(),
                    "periode": {
                        "fra": fra.isoformat(),
                        "til": (fra + timedelta(days=p["rng"].randrange(14, 120))).isoformat(),
                    },
                },
            )
        if p["avslutning"]:
            dato = min(planned_end, date.today() - timedelta(days=1))
            if dato > p["start"]:
                body = {"arsak": p["arsak"], "avslutningsdato": dato.isoformat()}
                if p["arsak"] == "ARBEID":
                    body["timer_arbeid_per_uke"] = str(p["rng"].choice(["37.5", "30.0", "20.0", "18.5"]))
                await client.post(f"{REGISTRERING}/deltakere/{did}/avslutninger?confirm=true", headers=h, json=body)

    async def run(self) -> int:
        t0 = time.perf_counter()
        async with httpx.AsyncClient(timeout=30) as client:
            if await self.already_loaded(client):
                print("[demo] the demo population is already loaded")
                return await self.wait_for_report(client, t0)
            r = await client.get(f"{SIMULATOR}/kontroll/personer", params={"fra": 0, "antall": self.n})
            r.raise_for_status()
            personer = r.json()
            if len(personer) < self.n:
                extra = await client.post(f"{SIMULATOR}/kontroll/personer", params={"antall": self.n - len(personer)})
                personer += extra.json()
            sem = asyncio.Semaphore(16)
            done = 0

            async def one(i: int, person: dict) -> None:
                nonlocal done
                async with sem:
                    await self.register(client, i, person["folkeregisteridentifikator"])
                done += 1
                if done % 10 == 0 or done == self.n:
                    progress(done, self.n, "registering deltakere", t0)

            await asyncio.gather(*(one(i, p) for i, p in enumerate(personer[: self.n])))
            # Folkeregister hendelser for the participants: deaths, moves, emigrations, corrections, …
            r = await client.post(
                f"{SIMULATOR}/kontroll/generer", params={"antall": self.n // 2, "blantForste": self.n}
            )
            r.raise_for_status()
            print(
                f"[demo] Folkeregister: {self.n // 2} hendelser for the participants (up to sekvensnummer "
                f"{r.json()['sisteSekvensnummer']})"
            )
            return await self.wait_for_report(client, t0)

    async def wait_for_report(self, client: httpx.AsyncClient, t0: float) -> int:
        h = self.imdi()
        totalt = 0
        for _ in range(600):
            r = await client.get(f"{RAPPORT}/api/v1/rapport/integreringsloven", headers=h, params={"per_side": 1})
            if r.status_code == 200 and (totalt := r.json()["totalt"]) > 0:
                break
            await asyncio.sleep(0.5)
        beregnet = forrige = -1
        for _ in range(30):  # the adapter polls the feed every few seconds; the regelmotor then ends programmes
            beregnet = (
                (
                    await client.get(
                        f"{RAPPORT}/api/v1/rapport/integreringsloven",
                        headers=h,
                        params={"per_side": 1, "registrert_av": "regelmotor"},
                    )
                )
                .json()
                .get("totalt", 0)
            )
            if beregnet > 0 and beregnet == forrige:  # settled
                break
            forrige = beregnet
            await asyncio.sleep(1.5)
        totalt = (
            (await client.get(f"{RAPPORT}/api/v1/rapport/integreringsloven", headers=h, params={"per_side": 1}))
            .json()
            .get("totalt", totalt)
        )
        print(
            f"[demo] the report shows {totalt} avsluttede deltakere (integreringsloven), {beregnet} ended by the "
            f"regelmotor from the Folkeregister, {time.perf_counter() - t0:.1f}s after the demo started; frister that "
            f"had passed before registration end at the regelmotor's next day tick"
        )
        print(
            f"[demo] try the API in Swagger UI: {RAPPORT}/docs and http://127.0.0.1:8081/docs → «Authorize» → "
            f"saksbehandler: log in at the provider's page (e.g. username 4223-CES, claims "
            '{"preferred_username": "4223-CES", "kommunenummer": "4223", "roller": ["SAKSBEHANDLER"]})'
        )
        print(
            "[demo] log in to NIR as a caseworker: http://127.0.0.1:8080 → the provider's page: any username, "
            'claims {"preferred_username": "4223-CES", "kommunenummer": "4223", "roller": ["SAKSBEHANDLER"]}'
        )
        return 0 if totalt > 0 else 1


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="deploy/local/demo.py", description=__doc__.split("\n")[0])
    p.add_argument("--deltakere", type=int, default=600)
    a = p.parse_args(argv)
    return asyncio.run(Demo(a.deltakere).run())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
