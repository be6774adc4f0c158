"""Which avslutning is in force (DOMAIN.md §4 rules 5–7, §5): the one rule in
shared/regelverk/avslutning_i_kraft.py, and registrering and rapport, each through its own version records,
agreeing with it on random histories (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from services.rapport import domain as rapport_domain
from services.registrering.domain import modell
from services.registrering.domain import regler as registrering_regler
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode, Avslutningstype, Kilde
from shared.kodeverk.kategorier import Lov
from shared.regelverk import avslutning_i_kraft

T = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class V:
    avslutning_id: UUID
    versjon: int
    kilde: Kilde
    registrert_dato: datetime


def test_5_kommune_avslutning_wins_over_a_newer_computed_one_before_its_retraction():
    """§4 rule 6, §5: «A kommune avslutning always wins»."""
    kommunens = V(uuid4(), 1, Kilde.KOMMUNE, T)
    regelmotorens = V(uuid4(), 1, Kilde.REGELMOTOR, T + timedelta(days=3))
    assert avslutning_i_kraft.gjeldende_avslutning([regelmotorens, kommunens]) == kommunens


def test_4_5_the_newest_version_counts_and_a_deleted_avslutning_never():
    """§4 rule 5: edits are new versions; a deleted avslutning is kept in the history, not in force."""
    a, b = uuid4(), uuid4()
    a1, a2 = V(a, 1, Kilde.KOMMUNE, T), V(a, 2, Kilde.KOMMUNE, T - timedelta(days=1))
    b1 = V(b, 1, Kilde.REGELMOTOR, T)
    assert avslutning_i_kraft.siste_versjoner([a2, a1, b1]) == {a: a2, b: b1}
    assert avslutning_i_kraft.gjeldende_avslutning([a1, a2, b1]) == a2
    assert avslutning_i_kraft.gjeldende_avslutning([a1, a2, b1], {a}) == b1
    assert avslutning_i_kraft.gjeldende_avslutning([a1, a2, b1], {a, b}) is None
    assert avslutning_i_kraft.gjeldende_avslutning([]) is None


def test_4_7_among_several_of_one_kilde_the_last_registered_then_by_id_whatever_the_order():
    """§4 rule 7 (a stans avslutning replaced by the kommune's) and the tie-break that keeps it order-free."""
    tidlig, sen = V(uuid4(), 1, Kilde.REGELMOTOR, T), V(uuid4(), 1, Kilde.REGELMOTOR, T + timedelta(hours=1))
    assert avslutning_i_kraft.gjeldende_avslutning([sen, tidlig]) == sen
    like = [V(uuid4(), 1, Kilde.KOMMUNE, T) for _ in range(4)]
    assert avslutning_i_kraft.gjeldende_avslutning(like) == avslutning_i_kraft.gjeldende_avslutning(like[::-1])


def test_registrering_and_rapport_agree_on_random_histories():
    """The two services' adapters (registrering: a version marked slettet; rapport: a Sletting per
    avslutning) over 1,000 random histories name the same avslutning in force."""
    for seed in range(1000):
        rnd = random.Random(seed)
        registrering: list[modell.Avslutningsversjon] = []
        rapport: list[rapport_domain.Avslutningsversjon] = []
        slettinger: list[rapport_domain.Sletting] = []
        for _ in range(rnd.randrange(5)):
            aid, kilde = uuid4(), rnd.choice(list(Kilde))
            versjoner = rnd.randrange(1, 4)
            slettet = rnd.random() < 0.3
            for n in range(1, versjoner + 1):
                dato = T + timedelta(hours=rnd.randrange(6))  # few distinct times: ties happen
                felles = dict(
                    avslutning_id=aid,
                    versjon=n,
                    avslutningsdato=date(2024, 1, 1),
                    timer_arbeid_per_uke=None,
                    registrert_av="4223-CES",
                    registrert_dato=dato,
                    oppfolgingskommune="4223",
                    bydel=None,
                )
                registrering.append(
                    modell.Avslutningsversjon(
                        **felles,
                        kilde=kilde,
                        avslutningstype=Avslutningstype.ORDINAER,
                        arsak=Avslutningsarsakkode.GRUNNSKOLE,
                        slettet=slettet and n == versjoner,
                    )
                )
                rapport.append(
                    rapport_domain.Avslutningsversjon(
                        **felles, kilde=kilde.value, avslutningstype="Ordinær avslutning", arsak="GRUNNSKOLE"
                    )
                )
            if slettet:
                slettinger.append(rapport_domain.Sletting(aid, "4223-CES", T + timedelta(days=1)))
        rnd.shuffle(rapport)
        program = modell.Program(
            lov=Lov.INTEGRERINGSLOVEN,
            bosettingsdato=date(2021, 9, 1),
            oppfolgingskommune="4223",
            avslutningsversjoner=tuple(registrering),
        )
        fra_registrering = registrering_regler.gjeldende_avslutning(program)
        fra_rapport = rapport_domain.gjeldende_avslutning(rapport, slettinger)
        assert (None if fra_registrering is None else (fra_registrering.avslutning_id, fra_registrering.versjon)) == (
            None if fra_rapport is None else (fra_rapport.avslutning_id, fra_rapport.versjon)
        ), f"seed {seed}"
