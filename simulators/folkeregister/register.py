"""The simulated register: a seeded synthetic population, its person documents, and the hendelsesliste.

Deterministic: the same seed and the same calls give the same identifiers, dokumentidentifikatorer and
timestamps (the clock is simulated, 30 seconds a hendelse, from 2026-01-01). Feed entries are kept as
serialised JSON (about 1 kB each), so a feed of a few hundred thousand hendelser fits in memory.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from shared.identer import med_kontrollsiffer
from shared.kodeverk.geografi import kommuner
from simulators.folkeregister import dokumenter

START = datetime(2026, 1, 1, tzinfo=UTC)
SIDESTORRELSE = 1000
BASE_PATH = "/folkeregisteret/api/v1"
LAND = ("SWE", "DNK", "DEU", "POL", "SYR", "UKR", "ERI", "SOM", "AFG", "USA")
UKJENTE_TYPER = ("endringISivilstand", "endringINavn", "endringIStatsborgerskap", "personErFoedt")
# Two renumberings of the 2024 regional reform, for endringIBostedsadresseUtenFlytting in generated feeds.
NYTT_NUMMER = {"3001": "3101", "3005": "3301", "3024": "3201", "3803": "3905", "3807": "4003", "5401": "5501"}

# Control-API names → what the simulator appends (see Folkeregister.legg_til).
ARTER = (
    "doedsfall",
    "utflytting",
    "flytting",
    "flyttingMedOpphoertSomEgenHendelse",
    "nyttKommunenummer",
    "nyIdent",
    "korrigerDoedsfall",
    "korrigerUtflytting",
    "korrigerFlytting",
    "annullerDoedsfall",
    "annullerUtflytting",
    "annullerFlytting",
    "personErOppdatert",
    "ukjent",
)


class Ukjent(ValueError):
    """A control request names something the simulator does not know (person, art, field)."""


@dataclass
class Person:
    identer: list[str]  # current first; older (opphørte) after
    kommunenummer: str
    flyttedato: date
    fodselsdato: date
    tidligere_adresser: list[dict[str, Any]] = field(default_factory=list)
    adresse: dict[str, Any] | None = None
    doedsfall: dict[str, Any] | None = None
    utflytting: dict[str, Any] | None = None
    opphorte_identer: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ident(self) -> str:
        return self.identer[0]


class Folkeregister:
    def __init__(self, seed: int = 1, personer: int = 1000) -> None:
        self.seed = seed
        self._rng = random.Random(seed)
        self._kommuner = sorted(kommuner())
        self._personer: list[Person] = []
        self._etter_ident: dict[str, Person] = {}
        self._brukte: set[str] = set()
        self.innslag: list[bytes] = []  # index i holds sekvensnummer i + 1
        self.slettet_til = 1  # sekvensnummer below this are deleted (retention): asking for them gives 406
        self.lag_personer(personer)

    # -- population ---------------------------------------------------------------------------------------
    def _ny_ident(self, fodselsdato: date, d_nummer: bool = False) -> str:
        while True:
            dag = fodselsdato.day + (40 if d_nummer else 0)
            ni = f"{dag:02d}{fodselsdato.month + 80:02d}{fodselsdato.year % 100:02d}{self._rng.randrange(1000):03d}"
            ident = med_kontrollsiffer(ni)  # synthetic numbers: month + 80, as Skatteetaten's test numbers
            if ident is not None and ident not in self._brukte:
                self._brukte.add(ident)
                return ident

    def lag_personer(self, antall: int) -> list[Person]:
        nye = []
        for _ in range(antall):
            fodselsdato = date(1960, 1, 1) + timedelta(days=self._rng.randrange(365 * 45))
            kommune = self._rng.choice(self._kommuner)
            p = Person(
                identer=[self._ny_ident(fodselsdato, d_nummer=self._rng.random() < 0.2)],
                kommunenummer=kommune,
                flyttedato=date(2024, 1, 1) + timedelta(days=self._rng.randrange(600)),
                fodselsdato=fodselsdato,
            )
            p.adresse = dokumenter.bostedsadresse(kommune, p.flyttedato, START, husnummer=self._rng.randrange(1, 200))
            self._personer.append(p)
            self._etter_ident[p.ident] = p
            nye.append(p)
        return nye

    def personer(self, fra: int = 0, antall: int = 100) -> list[dict[str, str]]:
        return [
            {"folkeregisteridentifikator": p.ident, "kommunenummer": p.kommunenummer}
            for p in self._personer[fra : fra + antall]
        ]

    @property
    def antall_personer(self) -> int:
        return len(self._personer)

    def person(self, ident: str) -> Person:
        try:
            return self._etter_ident[ident]
        except KeyError:
            raise Ukjent("fant ingen person med den folkeregisteridentifikatoren") from None

    def persondokument(self, ident: str) -> dict[str, Any]:
        p = self.person(ident)
        ajour = self._klokke()
        return {
            "identifikasjonsnummer": [dokumenter.identifikasjonsnummer(p.ident, START), *p.opphorte_identer],
            "status": [
                {
                    "status": "doed" if p.doedsfall else "utflyttet" if p.utflytting else "bosatt",
                    **dokumenter.metadata(ajour),
                }
            ],
            "foedsel": [{"foedselsdato": p.fodselsdato.isoformat(), **dokumenter.metadata(START)}],
            "bostedsadresse": [x for x in (p.adresse,) if x] + p.tidligere_adresser,
            "doedsfall": [p.doedsfall] if p.doedsfall else [],
            "utflyttingFraNorge": [p.utflytting] if p.utflytting else [],
        }

    # -- the feed -----------------------------------------------------------------------------------------
    @property
    def siste_sekvensnummer(self) -> int:
        return len(self.innslag)

    def side(self, seq: int, storrelse: int = SIDESTORRELSE) -> list[bytes]:
        return self.innslag[seq - 1 : seq - 1 + storrelse]

    def _klokke(self) -> datetime:
        return START + timedelta(seconds=30 * (len(self.innslag) + 1))

    def _append(self, ident: str, hendelsestype: str, egenskaper: list[dict[str, Any]]) -> dict[str, Any]:
        seq = len(self.innslag) + 1
        dok_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"folkeregister-simulator/{self.seed}/{seq}"))
        innslag = dokumenter.feedinnslag(seq, dok_id, ident, hendelsestype, self._klokke(), egenskaper, BASE_PATH)
        self.innslag.append(json.dumps(innslag, separators=(",", ":")).encode())
        return {
            "sekvensnummer": seq,
            "dokumentidentifikator": dok_id,
            "hendelsetype": hendelsestype,
            "folkeregisteridentifikator": ident,
        }

    def gjenta(self, sekvensnummer: int) -> dict[str, Any]:
        """Deliver an earlier hendelse again at a new sekvensnummer, same dokumentidentifikator (a feed
        re-delivery: consumers must de-duplicate by the hendelse's identity, not by position)."""
        if not 1 <= sekvensnummer <= len(self.innslag):
            raise Ukjent("ingen hendelse med det sekvensnummeret")
        innslag = json.loads(self.innslag[sekvensnummer - 1])
        innslag["sekvensnummer"] = len(self.innslag) + 1
        self.innslag.append(json.dumps(innslag, separators=(",", ":")).encode())
        return {
            "sekvensnummer": innslag["sekvensnummer"],
            "dokumentidentifikator": innslag["hendelse"]["hendelsesdokument"]["dokumentidentifikator"],
        }

    def slett_til(self, sekvensnummer: int) -> None:
        """Retention: hendelser below `sekvensnummer` are gone (Skatteetaten deletes after 36 months)."""
        self.slettet_til = max(self.slettet_til, sekvensnummer)

    # -- appending hendelser --------------------------------------------------------------------------------
    def legg_til(self, art: str, ident: str, **p: Any) -> dict[str, Any]:
        """Append one hendelse of `art` (ARTER) for the person; dates default to the simulated clock's day."""
        person = self.person(ident)
        nå = self._klokke()
        dato = date.fromisoformat(p["dato"]) if p.get("dato") else nå.date()
        match art:
            case "doedsfall":
                person.doedsfall = dokumenter.doedsfall(dato, nå)
                return self._append(
                    ident, "personErDoed", [dokumenter.egenskapshendelse("registrereNy", "doedsfall", person.doedsfall)]
                )
            case "korrigerDoedsfall":
                person.doedsfall = dokumenter.doedsfall(dato, nå)
                return self._append(
                    ident,
                    "endringIDoedsfall",
                    [dokumenter.egenskapshendelse("korrigere", "doedsfall", person.doedsfall)],
                )
            case "annullerDoedsfall":
                person.doedsfall = None
                return self._append(ident, "endringIDoedsfall", [dokumenter.egenskapshendelse("annullere")])
            case "utflytting" | "korrigerUtflytting":
                person.utflytting = dokumenter.utflytting(dato, p.get("land") or "SWE", p.get("sted"), nå)
                return self._append(
                    ident,
                    "personErUtflyttet" if art == "utflytting" else "endringIUtflytting",
                    [
                        dokumenter.egenskapshendelse(
                            "registrereNy" if art == "utflytting" else "korrigere",
                            "utflyttingFraNorge",
                            person.utflytting,
                        )
                    ],
                )
            case "annullerUtflytting":
                person.utflytting = None
                return self._append(ident, "endringIUtflytting", [dokumenter.egenskapshendelse("annullere")])
            case "flytting" | "flyttingMedOpphoertSomEgenHendelse":
                til = p.get("kommunenummer") or self._annen_kommune(person.kommunenummer)
                return self._flytt(person, til, dato, nå, opphoert_for_seg=art != "flytting")
            case "korrigerFlytting":
                til = p.get("kommunenummer") or person.kommunenummer
                person.kommunenummer, person.flyttedato = til, dato
                person.adresse = dokumenter.bostedsadresse(til, dato, nå)
                return self._append(
                    ident,
                    "endringIBostedsadresse",
                    [dokumenter.egenskapshendelse("korrigere", "bostedsadresse", person.adresse)],
                )
            case "annullerFlytting":
                if person.tidligere_adresser:
                    person.adresse = {
                        **person.tidligere_adresser.pop(0),
                        "opphoerstidspunkt": None,
                        "erGjeldende": True,
                    }
                    person.kommunenummer = person.adresse["vegadresse"]["kommunenummer"]
                return self._append(ident, "endringIBostedsadresse", [dokumenter.egenskapshendelse("annullere")])
            case "nyttKommunenummer":
                til = p.get("kommunenummer") or NYTT_NUMMER.get(person.kommunenummer) or person.kommunenummer
                person.kommunenummer = til
                # Same address, same flyttedato: only the number changed (regional reform; FOLKEREGISTER.md).
                person.adresse = dokumenter.bostedsadresse(til, person.flyttedato, nå)
                return self._append(
                    ident,
                    "endringIBostedsadresseUtenFlytting",
                    [dokumenter.egenskapshendelse("registrereNy", "bostedsadresse", person.adresse)],
                )
            case "nyIdent":
                ny = p.get("nyIdent") or self._ny_ident(person.fodselsdato)
                if ny in self._etter_ident:
                    raise Ukjent("nyIdent er allerede i bruk")
                gammel = person.ident
                person.opphorte_identer.insert(0, dokumenter.identifikasjonsnummer(gammel, START, opphoert=nå))
                person.identer.insert(0, ny)
                self._etter_ident[ny] = person
                self._brukte.add(ny)
                res = self._append(
                    ny,
                    "endringIIdentifikasjonsnummer",
                    [
                        dokumenter.egenskapshendelse(
                            "registrereNy", "identifikasjonsnummer", dokumenter.identifikasjonsnummer(ny, nå)
                        ),
                        dokumenter.egenskapshendelse(
                            "registrereNy", "identifikasjonsnummer", person.opphorte_identer[0]
                        ),
                    ],
                )
                return {**res, "nyIdent": ny}
            case "personErOppdatert":
                return self._append(ident, "personErOppdatert", [])
            case "ukjent":
                return self._append(ident, p.get("hendelsetype") or UKJENTE_TYPER[0], [])
        raise Ukjent(f"ukjent art {art!r}; kjente: {', '.join(ARTER)}")

    def _annen_kommune(self, fra: str) -> str:
        while (til := self._rng.choice(self._kommuner)) == fra:
            pass
        return til

    def _flytt(self, person: Person, til: str, dato: date, nå: datetime, *, opphoert_for_seg: bool) -> dict[str, Any]:
        gammel = {
            **(person.adresse or {}),
            "opphoerstidspunkt": nå.isoformat().replace("+00:00", "Z"),
            "erGjeldende": False,
        }
        person.tidligere_adresser.insert(0, gammel)
        person.kommunenummer, person.flyttedato = til, dato
        person.adresse = dokumenter.bostedsadresse(til, dato, nå, husnummer=self._rng.randrange(1, 200))
        ny = dokumenter.egenskapshendelse("registrereNy", "bostedsadresse", person.adresse)
        # One address change is two facts: the new address, and the old one ended (FOLKEREGISTER.md traps).
        opphort = dokumenter.egenskapshendelse("korrigere", "bostedsadresse", gammel)
        if not opphoert_for_seg:
            return self._append(person.ident, "endringIBostedsadresse", [ny, opphort])
        res = self._append(person.ident, "endringIBostedsadresse", [ny])
        self._append(person.ident, "endringIBostedsadresse", [opphort])
        return res

    # -- a generated stream ---------------------------------------------------------------------------------
    VEKTER: ClassVar[dict[str, int]] = {
        "flytting": 30,
        "flyttingMedOpphoertSomEgenHendelse": 5,
        "nyttKommunenummer": 15,
        "personErOppdatert": 10,
        "doedsfall": 4,
        "utflytting": 5,
        "nyIdent": 3,
        "korrigerDoedsfall": 1,
        "korrigerUtflytting": 2,
        "korrigerFlytting": 3,
        "annullerDoedsfall": 1,
        "annullerUtflytting": 1,
        "annullerFlytting": 2,
        "ukjent": 18,
    }

    def generer(self, antall: int, blant_forste: int | None = None) -> int:
        """Append `antall` hendelser for random persons of the population (or of its first `blant_forste`);
        returns the last sekvensnummer."""
        arter, vekter = list(self.VEKTER), list(self.VEKTER.values())
        start = len(self.innslag)
        utvalg = min(blant_forste or len(self._personer), len(self._personer))
        while len(self.innslag) - start < antall:
            person = self._personer[self._rng.randrange(utvalg)]
            art = self._rng.choices(arter, vekter)[0]
            params: dict[str, Any] = {}
            if art == "nyttKommunenummer":
                params["kommunenummer"] = NYTT_NUMMER.get(person.kommunenummer, person.kommunenummer)
            if art in ("utflytting", "korrigerUtflytting"):
                params["land"] = self._rng.choice(LAND)
            if art == "ukjent":
                params["hendelsetype"] = self._rng.choice(UKJENTE_TYPER)
            self.legg_til(art, person.ident, **params)
        return len(self.innslag)
