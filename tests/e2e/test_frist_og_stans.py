"""Seed nir-brukerveiledning-avslutning-2023 §5–6 (the Vennesla example: the frist passes without a
registration) and §3 (the Bærum example: vedtak om permanent stans), end to end through every service."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.nir import Nir
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

VENNESLA, BAERUM = "4223", "3201"


async def test_frist_passerer_uten_registrering_og_kommunen_legger_til_arbeid(nir: Nir) -> None:
    """Seed §5–6: programme from 16.11.2021 under integreringsloven, sluttmål Arbeid (no vgo): frist 15.11.2023.
    The tick of 16.11.2023 ends the programme with «Avslutningsårsak ikke registrert» dated 15.11.2023; the
    kommune then adds Arbeid, 30,0 timer, dated within the frist."""
    d = await nir.i_program(VENNESLA, date(2021, 11, 16), fornavn="Amina", etternavn="Vennesla")
    assert (await nir.frister(d))["gjennomforingsfrist"]["frist"] == "2023-11-15"

    await nir.tick(date(2023, 11, 16))

    async def listed_by_regelmotor() -> dict:
        row = await nir.rad(d, registrert_av="regelmotor")
        assert row is not None, "not in the report filtered on registrert_av=regelmotor"
        assert row["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT", row
        return row

    row = await eventually(listed_by_regelmotor, what="the regelmotor's avslutning in the report")
    assert row["arsak_navn"] == "Avslutningsårsak ikke registrert"
    assert row["avslutningsdato"] == "2023-11-15"
    assert row["kilde"] == "regelmotor"
    assert row["frist_gjennomforing"] == "2023-11-15"

    await nir.avslutt(d, "ARBEID", date(2023, 11, 15), timer="30.0")

    async def arbeid_by_kommune() -> dict:
        row = await nir.rad(d)
        assert row is not None and row["arsak"] == "ARBEID", row
        linjer = await nir.historikklinjer(d)
        regelmotor = [x for x in linjer if x["kilde"] == "regelmotor"]
        assert regelmotor and regelmotor[0]["status"] == "slettet", linjer
        return row

    row = await eventually(arbeid_by_kommune, what="Arbeid in the report and the regelmotor's (slettet)")
    assert row["kilde"] == "kommune" and row["registrert_av"] == f"{VENNESLA}-saksbehandler"
    assert row["avslutningsdato"] == "2023-11-15"
    assert await nir.rad(d, registrert_av="regelmotor") is None
    assert (await nir.rad(d, registrert_av="kommunen")) is not None

    linjer = await nir.historikklinjer(d)
    nyeste_regelmotor = next(x for x in linjer if x["kilde"] == "regelmotor")
    assert nyeste_regelmotor["avslutning"] == "Ordinær avslutning (slettet)"
    assert nyeste_regelmotor["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT"
    assert nyeste_regelmotor["avslutningsdato"] == "2023-11-15"
    kommunens = [x for x in linjer if x["kilde"] == "kommune"]
    assert [(x["arsak"], x["status"], x["timer_arbeid_per_uke"]) for x in kommunens] == [
        ("ARBEID", "gjeldende", "30.0")
    ]

    # on the topic: created once, retracted once because the kommune's own arrived
    events = [e for e in await nir.beregnet(d) if e["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT"]
    assert [(e["type"], e["arsak"]) for e in events] == [
        ("BeregnetAvslutningOpprettet", "AVSLUTNINGSARSAK_IKKE_REGISTRERT"),
        ("BeregnetAvslutningTrukketTilbake", "AVSLUTNINGSARSAK_IKKE_REGISTRERT"),
    ]
    assert events[1]["grunn"] == "KOMMUNE_AVSLUTNING"


async def test_permanent_stans_og_kommunen_registrerer_arbeid(nir: Nir) -> None:
    """Seed §3 (Bærum): a vedtak om permanent stans from 14.09.2022 → «Vedtak om permanent stans», type Stans,
    by Regelmotor; the kommune registers Arbeid 30,0 dated 14.09.2022 → the history shows «Stans (slettet)»."""
    # programme start chosen so the frist (09.01.2024) lies after every tick of this session
    d = await nir.i_program(
        BAERUM, date(2022, 1, 10), fornavn="Nils", etternavn="Baerum", bosettingsdato=date(2021, 12, 1)
    )
    stans = date(2022, 9, 14)
    await nir.vedtak(d, "PERMANENT_STANS", stans, vedtaksdato=stans)

    async def stans_by_regelmotor() -> dict:
        row = await nir.rad(d, registrert_av="regelmotor")
        assert row is not None, "not in the report filtered on registrert_av=regelmotor"
        assert row["arsak"] == "VEDTAK_OM_PERMANENT_STANS", row
        return row

    row = await eventually(stans_by_regelmotor, what="the permanent stans in the report")
    assert (row["arsak"], row["arsak_navn"], row["avslutningstype"]) == (
        "VEDTAK_OM_PERMANENT_STANS",
        "Vedtak om permanent stans",
        "Stans",
    )
    assert row["avslutningsdato"] == "2022-09-14" and row["kilde"] == "regelmotor"
    assert row["kommune_navn"] == "Bærum"

    # registrering's own view: awaiting the kommune's avslutningsårsak (DOMAIN.md §4 rule 7) — registrering
    # consumes the computed avslutning on its own, not ordered with the report's projection
    async def venter_paa_kommunen() -> bool:
        return (await nir.avslutninger(d))["venter_paa_kommunens_arsak"] is True

    await eventually(venter_paa_kommunen, what="registrering shows the stans awaiting the kommune's årsak")

    # the DELTAKELSE vedtak runs past the date: the kommune confirms it is no longer in force
    await nir.avslutt(d, "ARBEID", stans, timer="30.0", bekreft=True)

    async def stans_slettet() -> list[dict]:
        linjer = await nir.historikklinjer(d)
        assert [x["avslutning"] for x in linjer if x["kilde"] == "regelmotor"][:1] == ["Stans (slettet)"], linjer
        return linjer

    linjer = await eventually(stans_slettet, what="«Stans (slettet)» in the history")
    gjeldende = [x for x in linjer if x["status"] == "gjeldende"]
    assert [
        (x["avslutning"], x["arsak_navn"], x["timer_arbeid_per_uke"], x["avslutningsdato"], x["registrert_av"])
        for x in gjeldende
    ] == [("Ordinær avslutning", "Arbeid", "30.0", "2022-09-14", f"{BAERUM}-saksbehandler")]
    kommunens = await nir.rad(d)
    assert kommunens is not None and (kommunens["arsak"], kommunens["kilde"]) == ("ARBEID", "kommune")
    assert (await nir.avslutninger(d))["venter_paa_kommunens_arsak"] is False

    events = [e for e in await nir.beregnet(d) if e["arsak"] == "VEDTAK_OM_PERMANENT_STANS"]
    assert [(e["type"], e["arsak"]) for e in events] == [
        ("BeregnetAvslutningOpprettet", "VEDTAK_OM_PERMANENT_STANS"),
        ("BeregnetAvslutningTrukketTilbake", "VEDTAK_OM_PERMANENT_STANS"),
    ]
    assert events[1]["grunn"] == "KOMMUNE_AVSLUTNING"


async def test_sen_permisjon_trekker_tilbake_beregnet_avslutning(nir: Nir) -> None:
    """DOMAIN.md §5 (facts change after the regelmotor decided; seed nir-ny-integreringslov-endringer-2021: a
    permisjon moves the frist): the programme was ended at the frist 15.11.2023; a permisjon registered
    afterwards moves the frist past the latest day → the computed avslutning is retracted."""
    d = await nir.i_program(VENNESLA, date(2021, 11, 16), fornavn="Sen", etternavn="Permisjon")
    # A frist expires with the passage of time (services/regelmotor/README.md): when an earlier test has already
    # ticked 16.11, this person becomes known on that day and its passed frist acts on the next day's tick.
    await nir.tick(date(2023, 11, 17))

    async def ended_at_frist() -> dict:
        row = await nir.rad(d, registrert_av="regelmotor")
        assert row is not None and row["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT", row
        return row

    row = await eventually(ended_at_frist, what="the regelmotor's avslutning at the frist")
    assert row["avslutningsdato"] == "2023-11-15"

    await nir.vedtak(d, "PERMISJON", date(2022, 3, 1), date(2022, 8, 31), vedtaksdato=date(2022, 2, 20))
    ny_frist = date.fromisoformat((await nir.frister(d))["gjennomforingsfrist"]["frist"])
    assert nir.siste_tick is not None and ny_frist >= nir.siste_tick, (ny_frist, nir.siste_tick)

    async def retracted() -> bool:
        assert await nir.rad(d) is None, "still in the report"
        linjer = await nir.historikklinjer(d)
        assert not [x for x in linjer if x["status"] != "slettet"], linjer
        assert [x["avslutningsdato"] for x in linjer if x["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT"] == [
            "2023-11-15"
        ], linjer
        # registrering consumes the retraction on its own: it is not ordered with the report's projection
        assert (await nir.avslutninger(d))["gjeldende"] is None
        return True

    await eventually(retracted, what="the computed avslutning retracted")

    # (the clock may be past the oppstartsfrist when the person is registered: the frist rules wait for the next
    # tick, so no transient «Utgått oppstartsfrist» between the POST of the person and that of the vedtak)
    assert [e["arsak"] for e in await nir.beregnet(d) if e["arsak"] == "UTGATT_OPPSTARTSFRIST"] == []
    events = [e for e in await nir.beregnet(d) if e["arsak"] == "AVSLUTNINGSARSAK_IKKE_REGISTRERT"]
    assert [e["type"] for e in events] == ["BeregnetAvslutningOpprettet", "BeregnetAvslutningTrukketTilbake"]
    assert events[1]["grunn"] == "FAKTA_ENDRET"
