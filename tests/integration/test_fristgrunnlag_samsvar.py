"""Property: registrering, the regelmotor and rapport give one gjennomføringsfrist for the same facts
(DOMAIN.md §6; issue #12 §2: the frist's inputs are derived once, in shared/regelverk/fristgrunnlag.py).

Random programmes from a seeded generator (the seed of a failing programme is in the assertion message):
vedtak of every type, fattet or opphevet, open or closed, some deleted; several sluttmål, fastsatt out of
order, some unknown to the regelverk in force; gyldig and ugyldig fravær. Each service runs its own
adapter: registrering maps its rows with `lager.hent_program` (the rows a SELECT would give), the regelmotor
folds the events with `anvend` and asks `regler.frist`, rapport projects the events into real PostgreSQL and
reads the row's frist_gjennomforing. The regelmotor and rapport get the events in a random order.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from services.rapport import forbruker
from services.regelmotor.app import FAKTA as REGELMOTOR_INN
from services.regelmotor.domain import regler as regelmotor_regler
from services.regelmotor.domain.tilstand import Tilstand, anvend
from services.registrering import lager
from services.registrering.domain import regler as registrering_regler
from shared.events import topics
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.sluttmal import Sluttmalkode
from shared.kodeverk.vedtak import Fravaerstype, Vedtaksresultat, Vedtakstype
from shared.regelverk import frister, fristgrunnlag
from tests.rapport.conftest import schema_pool  # noqa: F401  (the fixture: rapport's schema, no Kafka)
from tests.support.hendelser import Deltaker, person

pytestmark = pytest.mark.integration

PROGRAMMER = 500
T0 = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


class Programme:
    """One person's facts as events in registration order, and as registrering's rows."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        rnd = random.Random(seed)
        self.did = uuid4()
        self.lov = rnd.choice(list(Lov))
        # integreringsloven from 2021 (a few before: no regelverk, no frist), introduksjonsloven from 2015
        forste = date(2020, 10, 1) if self.lov is Lov.INTEGRERINGSLOVEN else date(2015, 1, 1)
        start = forste + timedelta(days=rnd.randrange(1500))
        self.d = Deltaker(self.did, t0=T0, steg=timedelta(minutes=1))
        self.events: list = [*self.d.registrering(person(f"{seed:012d}", lov=self.lov))]
        self.vedtak_rader: list[tuple] = []
        self.sluttmal_rader: list[tuple] = []
        self.fravaer_rader: list[tuple] = []
        slettet: set[UUID] = set()

        def dag(spenn: int) -> date:
            return start + timedelta(days=rnd.randrange(-60, spenn))

        for _ in range(rnd.randrange(12)):
            typ = rnd.choice([Vedtakstype.DELTAKELSE] * 2 + list(Vedtakstype))
            fra = dag(1000)
            til = None if rnd.random() < 0.25 else fra + timedelta(days=rnd.randrange(0, 1200))
            resultat = Vedtaksresultat.VEDTAK_FATTET if rnd.random() < 0.85 else Vedtaksresultat.OPPHEVET
            vid = uuid4()
            self.events.append(self.d.vedtak(typ, fra, til, vedtaksdato=fra, vedtak_id=vid, resultat=resultat))
            if rnd.random() < 0.1:
                slettet.add(vid)
                self.events.append(self.d.vedtak_slettet(vid))
            else:
                self.vedtak_rader.append((vid, typ.value, resultat.value, fra, til, True))
        for i in range(rnd.randrange(4)):
            kode, fastsatt = rnd.choice(list(Sluttmalkode)), dag(400)
            self.events.append(self.d.sluttmal(kode, fastsatt))
            self.sluttmal_rader.append((kode.value, fastsatt, i + 1))
        for _ in range(rnd.randrange(5)):
            fra = dag(900)
            til = None if rnd.random() < 0.2 else fra + timedelta(days=rnd.randrange(0, 90))
            ftyp = rnd.choice(list(Fravaerstype))
            fid = uuid4()
            self.events.append(self.d.fravaer(fra, til, ftyp, fravaer_id=fid))
            if rnd.random() < 0.1:
                self.events.append(self.d.fravaer_slettet(fid))
            else:
                self.fravaer_rader.append((fid, ftyp.value, fra, til))
        # rapport has a row (and so a frist) only for a person with an avslutning in force
        self.events.append(self.d.kommune_avslutning(start + timedelta(days=300), Kode.ARBEID))
        self.i_tilfeldig_rekkefolge = rnd.sample(self.events, len(self.events))

    async def registrering(self) -> date | None:
        rad = {
            "lov": self.lov.value,
            "bosettingsdato": date(2021, 9, 1),
            "oppfolgingskommune": "4223",
            "fodselsdato": date(1990, 5, 17),
            "utdanningsbakgrunn": None,
            "p_vedtak": self.vedtak_rader,
            "p_sluttmal": self.sluttmal_rader,
            "p_tiltak": [],
            "p_fravaer": self.fravaer_rader,
            "p_versjoner": [],
        }
        program = await lager.hent_program(None, rad)  # type: ignore[arg-type]  # loaded already: no query
        try:
            beregning = registrering_regler.gjennomforingsfrist(program)
        except (frister.UkjentSluttmal, frister.IngenRegelverk):
            return None  # registrering refuses the avslutning then (§4.2): no frist either
        return beregning.frist if beregning else None

    def regelmotor(self) -> tuple[date | None, bool]:
        """The regelmotor's frist, and whether it is seed §12's reserve for a programme without a sluttmål
        the regelverk knows (fristgrunnlag.beregn_uten_gyldig_sluttmal): registrering and rapport show no
        frist then, the regelmotor still ends the programme when the longest possible frist passes."""
        t = Tilstand.ny(self.did)
        for e in self.i_tilfeldig_rekkefolge:
            if topics.topic_of(e) in REGELMOTOR_INN:  # it does not read the identities
                t = anvend(t, e)
        beregning, _, _ = regelmotor_regler.frist(t)
        reserve = beregning is not None and fristgrunnlag.SEED_12_UTEN_SLUTTMAL in beregning.steg[0].beskrivelse
        return (beregning.frist if beregning else None), reserve


async def test_tre_tjenester_samme_gjennomforingsfrist(schema_pool):  # noqa: F811
    programmer = [Programme(seed) for seed in range(PROGRAMMER)]
    async with schema_pool.acquire() as conn:
        async with conn.transaction():
            # one batch of every programme's events, interleaved: the projection's own batch path
            hendelser = [e for p in programmer for e in p.i_tilfeldig_rekkefolge]
            await forbruker.behandle(conn, random.Random(0).sample(hendelser, len(hendelser)))
        rapport = {
            r["deltaker_id"]: r["frist_gjennomforing"]
            for r in await conn.fetch("SELECT deltaker_id, frist_gjennomforing FROM rapport_rad")
        }

    med_frist = reserver = 0
    for p in programmer:
        fra_registrering, (fra_regelmotor, reserve) = await p.registrering(), p.regelmotor()
        if reserve:  # seed §12: only the regelmotor has a frist, registrering and rapport none
            assert fra_registrering is None and rapport[p.did] is None, f"seed {p.seed}"
            reserver += 1
            continue
        assert fra_registrering == fra_regelmotor == rapport[p.did], (
            f"seed {p.seed}: registrering {fra_registrering}, regelmotor {fra_regelmotor}, rapport {rapport[p.did]}"
        )
        med_frist += fra_registrering is not None
    # the generator reaches both sides: programmes with a frist and without one
    assert PROGRAMMER * 0.2 < med_frist < PROGRAMMER * 0.9, med_frist
    assert reserver > 0  # and programmes whose sluttmål the regelverk does not know
