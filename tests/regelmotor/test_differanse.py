"""Creation and retraction as pure functions (DOMAIN.md §5; seed nir-brukerveiledning-avslutning-2023 §5–6,
§12): each computed avslutning is published once and retracted, with its grunn, when the facts change; the
order of the input events does not change the outcome; a replay yields identical events."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from services.regelmotor.domain import Tilstand, anvend
from shared.events.avslutning import BeregnetAvslutningOpprettet as Opprettet
from shared.events.avslutning import BeregnetAvslutningTrukketTilbake as Trukket
from shared.events.avslutning import Tilbaketrekkingsgrunn as G
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as K
from shared.kodeverk.vedtak import Vedtakstype
from tests.regelmotor.kjoring import kjor
from tests.support.hendelser import FRIST, Deltaker, dogn


def kjor_for(deltaker_id, events):
    return kjor(events, deltaker_id=deltaker_id)


def kort(ut):
    return [(type(e).__name__, e.arsak, getattr(e, "avslutningsdato", None), getattr(e, "grunn", None)) for e in ut]


DAG_ETTER = FRIST + timedelta(days=1)

RETRACTIONS = [
    (
        "§5–6 kommunen legger til egen avslutning: ikke registrert trekkes tilbake (Vennesla)",
        lambda f: f.program() + [dogn(DAG_ETTER), f.kommune_avslutning()],
        [
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None),
            ("T", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, None, G.KOMMUNE_AVSLUTNING),
        ],
    ),
    (
        "§4 regel 7 permanent stans viker for kommunens avslutning",
        lambda f: (
            f.program()
            + [f.vedtak(Vedtakstype.PERMANENT_STANS, date(2022, 9, 1)), f.kommune_avslutning(date(2022, 9, 1))]
        ),
        [
            ("O", K.VEDTAK_OM_PERMANENT_STANS, date(2022, 9, 1), None),
            ("T", K.VEDTAK_OM_PERMANENT_STANS, None, G.KOMMUNE_AVSLUTNING),
        ],
    ),
    (
        "§5 kommunens avslutning slettes: den beregnede kommer tilbake",
        lambda f: (
            lambda ka: f.program() + [dogn(DAG_ETTER), ka, f.kommune_avslutning_slettet(ka.avslutning.avslutning_id)]
        )(f.kommune_avslutning()),
        [
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None),
            ("T", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, None, G.KOMMUNE_AVSLUTNING),
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None),
        ],
    ),
    (
        "§5 sent registrert permisjon flytter fristen forbi idag: trekkes tilbake",
        lambda f: f.program() + [dogn(DAG_ETTER), f.vedtak(Vedtakstype.PERMISJON, date(2022, 3, 1), date(2022, 3, 10))],
        [
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None),
            ("T", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, None, G.FAKTA_ENDRET),
        ],
    ),
    (
        "§5 sent registrert forlengelse: trekkes tilbake, og ny frist gir ny avslutning når den passeres",
        lambda f: (
            f.program()
            + [dogn(DAG_ETTER), f.vedtak(Vedtakstype.FORLENGELSE, FRIST, date(2024, 5, 31)), dogn(date(2024, 6, 1))]
        ),
        [
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None),
            ("T", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, None, G.FAKTA_ENDRET),
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, date(2024, 5, 31), None),
        ],
    ),
    (
        "§12 død annulleres: trekkes tilbake",
        lambda f: f.program() + [f.dod(date(2023, 1, 3), hendelse_id="d1"), f.annullert("d1")],
        [("O", K.DOD, date(2023, 1, 3), None), ("T", K.DOD, None, G.FOLKEREGISTER_ANNULLERT)],
    ),
    (
        "§12 utvandring annulleres: trekkes tilbake",
        lambda f: f.program() + [f.utvandret(date(2023, 4, 28), hendelse_id="u1"), f.annullert("u1")],
        [("O", K.UTVANDRET, date(2023, 4, 28), None), ("T", K.UTVANDRET, None, G.FOLKEREGISTER_ANNULLERT)],
    ),
    (
        "§12 dødsdato korrigeres: trekk tilbake + opprett med ny dato",
        lambda f: f.program() + [f.dod(date(2023, 1, 3), hendelse_id="d1"), f.dod_korrigert("d1", date(2023, 1, 4))],
        [
            ("O", K.DOD, date(2023, 1, 3), None),
            ("T", K.DOD, None, G.FOLKEREGISTER_KORRIGERT),
            ("O", K.DOD, date(2023, 1, 4), None),
        ],
    ),
    (
        "§12 død etter fristpassering, dødsdato før fristen: Død erstatter ikke registrert",
        lambda f: f.program() + [dogn(DAG_ETTER), f.dod(date(2023, 1, 3))],
        [
            ("O", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None),
            ("T", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, None, G.FAKTA_ENDRET),
            ("O", K.DOD, date(2023, 1, 3), None),
        ],
    ),
    (
        "§12 vedtak om permanent stans slettes: trekkes tilbake",
        lambda f: (lambda s: f.program() + [s, f.vedtak_slettet(s.vedtak.vedtak_id)])(
            f.vedtak(Vedtakstype.PERMANENT_STANS, date(2022, 9, 1))
        ),
        [
            ("O", K.VEDTAK_OM_PERMANENT_STANS, date(2022, 9, 1), None),
            ("T", K.VEDTAK_OM_PERMANENT_STANS, None, G.FAKTA_ENDRET),
        ],
    ),
    (
        "§5 kommunens avslutning i kraft: en senere død skaper ingenting",
        lambda f: f.program() + [f.kommune_avslutning(date(2022, 1, 1)), f.dod(date(2023, 1, 3))],
        [],
    ),
]


@pytest.mark.parametrize("navn,events,forventet", RETRACTIONS, ids=[c[0] for c in RETRACTIONS])
def test_opprettelse_og_tilbaketrekking(navn, events, forventet):
    f = Deltaker()
    _, ut = kjor_for(f.deltaker_id, events(f))
    assert [(n[len("BeregnetAvslutning")], a, d, g) for n, a, d, g in kort(ut)] == forventet
    # every retraction names an avslutning that was created earlier and still in force
    i_kraft = set()
    for e in ut:
        if isinstance(e, Opprettet):
            assert e.avslutning_id not in i_kraft
            i_kraft.add(e.avslutning_id)
        else:
            i_kraft.remove(e.avslutning_id)


def test_hver_beregnet_avslutning_sendes_en_gang():
    """DOMAIN.md §5: emitted once, however many ticks and unrelated facts follow."""
    f = Deltaker()
    events = (
        f.program()
        + [dogn(DAG_ETTER + timedelta(days=i)) for i in range(5)]
        + [f.fravaer(date(2024, 1, 1), date(2024, 1, 2))]
    )
    _, ut = kjor_for(f.deltaker_id, events)
    assert kort(ut) == [("BeregnetAvslutningOpprettet", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST, None)]
    assert ut[0].oppfolgingskommune == "4223" and ut[0].producer == "regelmotor"


def _i_kraft(t: Tilstand):
    return sorted((u.arsak, u.avslutningsdato, u.avslutning_id) for u in t.utsendte.values())


@pytest.mark.parametrize("seed", range(25))
def test_rekkefolgen_endrer_ikke_utfallet(seed):
    """DOMAIN.md §5 / issue #4: the same events in another order (across topics) give the same avslutninger
    in force, and the output nets to the same set."""
    f = Deltaker()
    ka = f.kommune_avslutning(date(2023, 1, 1))
    events = f.program() + [
        f.vedtak(Vedtakstype.PERMISJON, date(2022, 3, 1), date(2022, 3, 10)),
        f.fravaer(date(2022, 4, 1), date(2022, 4, 2)),
        f.dod(date(2023, 5, 3), hendelse_id="d1"),
        f.dod_korrigert("d1", date(2023, 5, 4), hendelse_id="d2"),
        f.utvandret(date(2023, 2, 1), hendelse_id="u1"),
        f.annullert("u1", sekvens=9),
        ka,
        f.kommune_avslutning_slettet(ka.avslutning.avslutning_id),
        dogn(DAG_ETTER),
        dogn(date(2024, 2, 1)),
    ]
    fasit, _ = kjor_for(f.deltaker_id, events)
    assert [(a, d) for a, d, _ in _i_kraft(fasit)] == [(K.DOD, date(2023, 5, 4))]
    stokket = events[:]
    random.Random(seed).shuffle(stokket)
    t, ut = kjor_for(f.deltaker_id, stokket)
    assert _i_kraft(t) == _i_kraft(fasit)
    netto = set()
    for e in ut:
        (netto.add if isinstance(e, Opprettet) else netto.discard)(e.avslutning_id)
    # Published ids may differ with the history (a re-created avslutning gets a new id), but what the output
    # nets to is exactly what is in force.
    assert netto == {u.publisert_id or u.avslutning_id for u in t.utsendte.values()}


def test_gjenopprettet_avslutning_far_ny_id():
    """A computed avslutning retracted and then demanded again is published under a new id: consumers keep
    a retracted id as (slettet) for good (review finding: the person vanished from the report)."""
    f = Deltaker()
    ka = f.kommune_avslutning(FRIST)
    _t1, _ut1 = kjor_for(f.deltaker_id, f.program() + [dogn(DAG_ETTER), ka])
    t2, ut2 = kjor_for(
        f.deltaker_id, f.program() + [dogn(DAG_ETTER), ka, f.kommune_avslutning_slettet(ka.avslutning.avslutning_id)]
    )
    opprettet = [e for e in ut2 if isinstance(e, Opprettet)]
    assert [e.arsak for e in opprettet] == [K.AVSLUTNINGSARSAK_IKKE_REGISTRERT] * 2
    assert opprettet[0].avslutning_id != opprettet[1].avslutning_id
    assert [u.publisert_id for u in t2.utsendte.values()] == [opprettet[1].avslutning_id]


def test_replay_gir_identiske_hendelser():
    """Issue #4: replaying the same input yields the same output, event for event (ids and times too)."""
    f = Deltaker()
    events = f.program() + [dogn(DAG_ETTER), f.kommune_avslutning(), f.dod(date(2023, 1, 3))]
    _, en = kjor_for(f.deltaker_id, events)
    _, to = kjor_for(f.deltaker_id, events)
    assert [e.model_dump_json() for e in en] == [e.model_dump_json() for e in to]
    assert len(en) == 2 and isinstance(en[1], Trukket)


def test_tilstanden_overlever_json():
    """The service stores the state as jsonb: a round trip changes nothing."""
    f = Deltaker()
    t, _ = kjor_for(
        f.deltaker_id, f.program() + [f.dod(date(2023, 1, 3), hendelse_id="d1"), f.annullert("d1"), dogn(DAG_ETTER)]
    )
    assert Tilstand.model_validate_json(t.model_dump_json()) == t


def test_anvend_endrer_ikke_argumentet():
    """anvend is pure: the state it was given is left as it was (it copies shallowly, so this matters)."""
    f = Deltaker()
    t, _ = kjor_for(f.deltaker_id, f.program() + [f.dod(date(2023, 1, 3), hendelse_id="d1")])
    for_ = t.model_dump_json()
    ka = f.kommune_avslutning()
    for e in [
        f.vedtak(Vedtakstype.PERMISJON, date(2022, 3, 1), date(2022, 3, 10)),
        f.annullert("d1"),
        f.fravaer(date(2022, 4, 1), date(2022, 4, 2)),
        ka,
        f.kommune_avslutning_slettet(ka.avslutning.avslutning_id),
        f.avvist(date(2022, 1, 1)),
        dogn(DAG_ETTER),
    ]:
        anvend(t, e)
    assert t.model_dump_json() == for_
