"""Backlog registrations (etterslep): a kommune registers a person whose oppstartsfrist or gjennomføringsfrist
already lies behind idag, together with the vedtak, sluttmål and often its own avslutning, within a second,
on three topics the regelmotor reads independently. A frist expires with the passage of time (DOMAIN.md §5:
«time is an input like any other»; §6: the gjennomføringsfrist), so the frist rules act only on a tick after
the day the person became known (`Tilstand.kjent_fra`): no «Utgått oppstartsfrist (slettet)» for something
that never happened, and the next tick's sweep still ends the programme when the facts call for it."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from services.regelmotor.domain import Tilstand, frister, utled
from shared.events.avslutning import Tilbaketrekkingsgrunn as G
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as K
from shared.kodeverk.kategorier import Kategori
from shared.kodeverk.vedtak import Vedtakstype
from tests.regelmotor.kjoring import kjor
from tests.support.hendelser import BOSATT, FRIST, Deltaker, dogn
from tests.support.polling import eventually

OPPSTARTSFRIST = date(2023, 8, 31)  # bosatt 01.09.2021 (test_regler.py)
IDAG = date(2024, 3, 1)  # the day the kommune registers its backlog: both frister lie behind it
NESTE = IDAG + timedelta(days=1)


def kort(ut):
    return [
        (type(e).__name__.removeprefix("BeregnetAvslutning"), e.arsak, getattr(e, "avslutningsdato", None)) for e in ut
    ]


def test_etterslep_uten_vedtak_far_utgatt_oppstartsfrist_forst_neste_dogn():
    """DOMAIN.md §5 «Utgått oppstartsfrist» (seed §12): registered on 01.03.2024 with the oppstartsfrist
    31.08.2023 behind it and no vedtak: nothing on DeltakerRegistrert or KategoriEndret (nor on the same day
    announced again); the tick of 02.03 ends it, dated the oppstartsfrist."""
    f = Deltaker()
    t, ut = kjor(
        [dogn(IDAG), f.registrert(), f.kategori(Kategori.RETT_OG_PLIKT, BOSATT), dogn(IDAG)], deltaker_id=f.deltaker_id
    )
    assert ut == [] and t.kjent_fra == IDAG
    assert frister(t).neste_tidsfrist == IDAG  # so the sweep (neste_tidsfrist < idag) finds it on the next tick
    [venter] = [u for u in utled(t).utfall if u.venter_pa is not None]
    assert venter.regel == "OPPSTARTSFRIST_UTGATT" and venter.venter_pa == OPPSTARTSFRIST

    t, ut = kjor([dogn(NESTE)], t)
    assert kort(ut) == [("Opprettet", K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST)]
    assert ut[0].grunnlag.datoer == {"oppstartsfrist": OPPSTARTSFRIST, "idag": NESTE, "kjent_fra": IDAG}
    assert frister(t).neste_tidsfrist is None


def test_etterslep_med_vedtak_i_tide_far_aldri_utgatt_oppstartsfrist():
    """DOMAIN.md §5 «Utgått oppstartsfrist» counts a vedtak/sluttmål by its own date (seed §12): the vedtak and
    sluttmål dated before the oppstartsfrist arrive after the person, before the tick: no Opprettet and no
    TrukketTilbake at all, on any event or on the following ticks."""
    f = Deltaker()
    events = [
        dogn(IDAG),
        f.registrert(),
        f.kategori(Kategori.RETT_OG_PLIKT, BOSATT),
        f.vedtak(fra=date(2023, 8, 1), vedtaksdato=date(2023, 7, 15)),
        f.sluttmal(fastsatt=date(2023, 7, 15)),
        dogn(NESTE),
        dogn(NESTE + timedelta(days=30)),
    ]
    t, ut = kjor(events, deltaker_id=f.deltaker_id)
    assert ut == []
    assert frister(t).neste_tidsfrist == date(2025, 7, 31)  # only the gjennomføringsfrist (DOMAIN.md §6) ahead


def test_etterslep_med_passert_gjennomforingsfrist_og_kommunens_avslutning_gir_ingenting():
    """DOMAIN.md §5 «Avslutningsårsak ikke registrert», §6 frist: the Vennesla programme (frist 15.11.2023)
    registered as backlog on 01.03.2024 with the kommune's own avslutning: nothing, then or on the tick."""
    f = Deltaker()
    _, ut = kjor([dogn(IDAG), *f.program(), f.kommune_avslutning(FRIST), dogn(NESTE)], deltaker_id=f.deltaker_id)
    assert ut == []


def test_etterslep_med_passert_gjennomforingsfrist_uten_avslutning_avsluttes_neste_dogn():
    """DOMAIN.md §5/§6, seed §5 (Vennesla): the same backlog without the kommune's avslutning ends on the
    next tick, dated the frist; the kommune's avslutning arriving later retracts it at once."""
    f = Deltaker()
    t, ut = kjor([dogn(IDAG), *f.program()], deltaker_id=f.deltaker_id)
    assert ut == [] and frister(t).neste_tidsfrist == IDAG
    t, ut = kjor([dogn(NESTE)], t)
    assert kort(ut) == [("Opprettet", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST)]
    t, ut = kjor([f.kommune_avslutning(FRIST)], t)
    assert [(type(e).__name__, e.grunn) for e in ut] == [("BeregnetAvslutningTrukketTilbake", G.KOMMUNE_AVSLUTNING)]


def test_fakta_trekker_tilbake_og_flytter_en_fristavslutning_straks():
    """DOMAIN.md §5: once armed, facts still retract or re-date a frist avslutning at once (no tick): a late
    vedtak dated within the oppstartsfrist retracts «Utgått oppstartsfrist»; a late permisjon (§6) moves the
    gjennomføringsfrist, and the avslutning is re-dated on the same event."""
    f = Deltaker()
    t, _ = kjor([dogn(IDAG), f.registrert(), dogn(NESTE)], deltaker_id=f.deltaker_id)
    _, ut = kjor(
        [f.vedtak(fra=date(2023, 8, 1), vedtaksdato=date(2023, 7, 15)), f.sluttmal(fastsatt=date(2023, 7, 15))], t
    )
    assert [(type(e).__name__, e.grunn) for e in ut] == [("BeregnetAvslutningTrukketTilbake", G.FAKTA_ENDRET)]

    g = Deltaker()
    t, _ = kjor([dogn(IDAG), *g.program(), dogn(NESTE)], deltaker_id=g.deltaker_id)
    _, ut = kjor([g.vedtak(Vedtakstype.PERMISJON, date(2022, 3, 1), date(2022, 3, 10))], t)
    assert kort(ut) == [
        ("TrukketTilbake", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, None),
        ("Opprettet", K.AVSLUTNINGSARSAK_IKKE_REGISTRERT, FRIST + timedelta(days=10)),
    ]


def test_en_ventende_frist_holder_tilbake_senere_avslutninger():
    """DOMAIN.md §5 (the earliest-dated avslutning wins): a backlog person rejected the programme after the
    oppstartsfrist had passed: «Person avvist program» is not published on the day of registration only to be
    replaced by the earlier «Utgått oppstartsfrist» on the tick; the tick publishes the latter alone. An
    avvisning dated before the oppstartsfrist is not held back."""
    f = Deltaker()
    _, ut = kjor([dogn(IDAG), f.registrert(), f.avvist(date(2023, 10, 1))], deltaker_id=f.deltaker_id)
    assert ut == []
    g = Deltaker()
    t, ut = kjor([dogn(IDAG), g.registrert(), g.avvist(date(2023, 5, 1))], deltaker_id=g.deltaker_id)
    assert kort(ut) == [("Opprettet", K.PERSON_AVVIST_PROGRAM, date(2023, 5, 1))]
    _, ut = kjor([dogn(NESTE)], t)
    assert ut == []


def test_rad_lagret_for_feltet_fantes_oppfores_som_kjent_lenge():
    """A tilstand stored (jsonb) before `kjent_fra` existed reads as known long ago: a passed frist acts as
    before (DOMAIN.md §5 «Utgått oppstartsfrist»), also on a later DeltakerOppdatert."""
    f = Deltaker()
    t, _ = kjor([f.registrert()], deltaker_id=f.deltaker_id)
    lagret = t.model_dump(mode="json")
    del lagret["kjent_fra"]
    gammel = Tilstand.model_validate(lagret)
    assert gammel.kjent_fra is None
    _, ut = kjor([dogn(IDAG), f.registrert()], gammel)
    assert kort(ut) == [("Opprettet", K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST)]


def _i_kraft(t: Tilstand):
    return sorted((u.arsak, u.avslutningsdato, u.avslutning_id) for u in t.utsendte.values())


@pytest.mark.parametrize("seed", range(25))
def test_rekkefolgen_endrer_ikke_utfallet_etter_neste_dogn(seed):
    """DOMAIN.md §5 (order across topics): a backlog registration's facts and the ticks in any order, followed
    by the next day's tick, give the same avslutninger in force (with the same ids) as in order."""
    a, b = Deltaker(), Deltaker()
    for f, ekstra, forventet in (
        (a, [], [(K.UTGATT_OPPSTARTSFRIST, OPPSTARTSFRIST)]),
        (
            b,
            [b.vedtak(fra=date(2023, 8, 1), vedtaksdato=date(2023, 7, 15)), b.sluttmal(fastsatt=date(2023, 7, 15))],
            [],
        ),
    ):
        events = [
            dogn(IDAG - timedelta(days=1)),
            dogn(IDAG),
            f.registrert(),
            f.kategori(Kategori.RETT_OG_PLIKT, BOSATT),
            *ekstra,
        ]
        fasit, _ = kjor([*events, dogn(NESTE)], deltaker_id=f.deltaker_id)
        assert [(x, d) for x, d, _ in _i_kraft(fasit)] == forventet
        stokket = events[:]
        random.Random(seed).shuffle(stokket)
        t, _ = kjor([*stokket, dogn(NESTE)], deltaker_id=f.deltaker_id)
        assert _i_kraft(t) == _i_kraft(fasit)


@pytest.mark.integration
async def test_sveipet_tar_etterslepet_pa_neste_dogn(regelmotor):
    """DOMAIN.md §5/§6 through the real broker and PostgreSQL: two backlog persons registered on 01.03.2024;
    nothing is published that day, the row waits in the sweep's index (neste_tidsfrist = the day it became
    known), and the tick of 02.03 ends the one without a vedtak («Utgått oppstartsfrist») and not the other."""
    uten, med = Deltaker(), Deltaker()
    await regelmotor.publiser(dogn(IDAG))
    await regelmotor.behandlet(dogn(IDAG))
    fakta = [
        uten.registrert(),
        uten.kategori(Kategori.RETT_OG_PLIKT, BOSATT),
        med.registrert(),
        med.kategori(Kategori.RETT_OG_PLIKT, BOSATT),
        med.vedtak(fra=date(2023, 8, 1), vedtaksdato=date(2023, 7, 15)),
        med.sluttmal(fastsatt=date(2023, 7, 15)),
    ]
    await regelmotor.publiser(*fakta)
    await regelmotor.behandlet(*fakta)
    assert regelmotor.ut(uten.deltaker_id) == [] and regelmotor.ut(med.deltaker_id) == []
    rad = await regelmotor.runtime.pool.fetchrow(
        "SELECT neste_tidsfrist, oppstartsfrist, tilstand->>'kjent_fra' AS kjent_fra FROM deltaker_tilstand"
        " WHERE deltaker_id = $1",
        uten.deltaker_id,
    )
    assert (rad["neste_tidsfrist"], rad["oppstartsfrist"], rad["kjent_fra"]) == (IDAG, OPPSTARTSFRIST, "2024-03-01")

    await regelmotor.publiser(dogn(IDAG))  # the same day announced again: no day boundary, nothing
    await regelmotor.publiser(dogn(NESTE))
    await regelmotor.behandlet(dogn(NESTE))
    await eventually(lambda: regelmotor.ut(uten.deltaker_id), what="the sweep's avslutning")
    [opprettet] = regelmotor.ut(uten.deltaker_id)
    assert (opprettet["type"], opprettet["arsak"], opprettet["avslutningsdato"]) == (
        "BeregnetAvslutningOpprettet",
        "UTGATT_OPPSTARTSFRIST",
        "2023-08-31",
    )
    assert opprettet["causation_id"] == str(dogn(NESTE).event_id)  # created by the tick, not by a fact
    assert regelmotor.ut(med.deltaker_id) == []
    assert (
        await regelmotor.runtime.pool.fetchval(
            "SELECT neste_tidsfrist FROM deltaker_tilstand WHERE deltaker_id = $1", uten.deltaker_id
        )
        is None
    )
