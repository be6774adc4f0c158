"""Issue #13 end to end: IMDi's opphold facts decide kategori and lov (the kommune cannot post them), a kategori
that ends in programme drives the regelmotor's «Ikke lenger i kategori» into the report (seed
nir-brukerveiledning-avslutning-2023 §12), utdanningsbakgrunn decides § 13/§ 14 (seed prop81L-2024-2025), avvisning
only before programme start (DOMAIN.md §4 rule 9), and both /frister and the regelmotor's rule path name the
regelverk version that decided the frist (issue #13 §4). The pure rules are tested in tests/unit/test_kategori.py,
tests/registrering/test_opphold.py and tests/regelmotor/test_regler.py; this is the once-through-the-services check.

The ticks here go to 2026: this file runs after the session's 2023 scenarios (file order), whose outcomes would
change with a later day."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.nir import Nir
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

VENNESLA = "4223"


async def ikke_lenger_i_kategori(nir: Nir, d: dict) -> tuple[dict, dict]:
    """The regelmotor's «Ikke lenger i kategori» in the report, and its event on the topic."""

    async def i_rapporten() -> dict:
        row = await nir.rad(d, registrert_av="regelmotor")
        assert row is not None and row["arsak"] == "IKKE_LENGER_I_KATEGORI", row
        return row

    row = await eventually(i_rapporten, what="«Ikke lenger i kategori» in the report")
    (opprettet,) = [e for e in await nir.beregnet(d) if e["type"] == "BeregnetAvslutningOpprettet"]
    return row, opprettet


async def test_kategori_fra_opphold_og_ikke_lenger_i_kategori_etter_2021_regelverket(nir: Nir) -> None:
    """Flyktning granted 01.06.2021, born 1990 (31: rett og plikt, Prop. 81 L/integreringsloven § 2 18–55/60),
    programme 16.11.2021 under integreringsloven (granted after 01.01.2021). A tillatelse on another ground from
    01.03.2022 takes the person out of the kategori in programme → «Ikke lenger i kategori» dated 01.03.2022,
    the first day outside it (seed §12; services/regelmotor/README.md)."""
    d = await nir.ny_deltaker(VENNESLA, fornavn="Kari", etternavn="Kategori", bosettingsdato=date(2021, 9, 1))
    assert d["kategori"] is None  # nothing from IMDi yet
    assert (await nir.opphold(d, ("FLYKTNING", date(2021, 6, 1), None)))["deltakere_oppdatert"] == 1
    person = await nir.deltaker(d)
    assert (person["lov"], person["kategori"]) == ("integreringsloven", "RETT_OG_PLIKT")

    # the kommune cannot set the kategori (issue #13 §1)
    endring = {k: person[k] for k in ("fornavn", "etternavn", "kjonn", "fodselsdato", "lov", "bosettingsdato")}
    avvist = await nir.http.put(
        nir.reg(f"/deltakere/{d['deltaker_id']}"),
        headers=nir.kommune(VENNESLA),
        json={**endring, "oppfolgingskommune": VENNESLA, "kategori": "KAN_TILBYS"},
    )
    assert avvist.status_code == 422 and avvist.json()["feil"][0]["felt"] == "kategori", avvist.text

    start = date(2021, 11, 16)
    await nir.vedtak(d, "DELTAKELSE", start, date(2023, 11, 15), vedtaksdato=start)
    await nir.sluttmal(d, "ARBEID_HAR_IKKE_VGO", start)
    g = (await nir.frister(d))["gjennomforingsfrist"]
    assert (g["frist"], g["regelverk"], g["regelverk_gjelder_fra"]) == (
        "2023-11-15",
        "integreringsloven-2021",
        "2021-01-01",
    )

    await nir.opphold(d, ("FLYKTNING", date(2021, 6, 1), None), ("ANNET", date(2022, 3, 1), None))
    assert (await nir.deltaker(d))["kategori_periode"] == {"fra": "2021-06-01", "til": "2022-02-28"}
    await nir.tick(date(2026, 6, 2))

    row, opprettet = await ikke_lenger_i_kategori(nir, d)
    assert (row["avslutningsdato"], row["kilde"], row["arsak_navn"]) == (
        "2022-03-01",
        "regelmotor",
        "Ikke lenger i kategori",
    )
    sti = opprettet["grunnlag"]["regelsti"]
    assert any("regelverk integreringsloven-2021 (gjelder fra 2021-01-01)" in x for x in sti), sti


async def test_prop81L_utdanningsbakgrunn_avvisning_og_regelverket_i_regelstien(nir: Nir) -> None:
    """A programme from 02.02.2026, after the configured Prop. 81 L date (shared/regelverk/ikrafttredelse.yaml,
    ASSUMPTION 01.01.2026): utdanningsbakgrunn without videregående → a § 13 sluttmål is refused naming the
    rule, § 14 «Arbeid» (24 months, seed prop81L § 14 table) is accepted; avvisning after the start is refused
    with the way forward; /frister and the regelmotor's rule path name integreringsloven-prop81L."""
    d = await nir.ny_deltaker(
        VENNESLA,
        fornavn="Per",
        etternavn="Prop",
        bosettingsdato=date(2026, 1, 15),
        fodselsdato=date(1995, 3, 2),
    )
    await nir.opphold(d, ("FLYKTNING", date(2026, 1, 5), None))
    assert (await nir.deltaker(d))["kategori"] == "RETT_OG_PLIKT"
    start = date(2026, 2, 2)
    await nir.vedtak(d, "DELTAKELSE", start, vedtaksdato=date(2026, 2, 1))
    assert (await nir.utdanningsbakgrunn(d, "IKKE_VGO"))["utdanningsbakgrunn"] == "IKKE_VGO"

    url = nir.reg(f"/deltakere/{d['deltaker_id']}/sluttmal")
    feil = await nir.http.post(
        url, headers=nir.kommune(VENNESLA), json={"sluttmal": "P13_ARBEID", "fastsatt_dato": start.isoformat()}
    )
    assert feil.status_code == 422, feil.text
    (detalj,) = feil.json()["feil"]
    assert detalj["felt"] == "sluttmal" and "§ 13" in detalj["melding"], detalj
    await nir.sluttmal(d, "P14_ARBEID", start)

    avvisning = await nir.http.post(
        nir.reg(f"/deltakere/{d['deltaker_id']}/avvisning"),
        headers=nir.kommune(VENNESLA),
        json={"avvist_dato": "2026-03-01"},
    )
    assert avvisning.status_code == 409 and "permanent stans" in avvisning.json()["detail"], avvisning.text

    g = (await nir.frister(d))["gjennomforingsfrist"]
    assert (g["frist"], g["regelverk"], g["regelverk_gjelder_fra"]) == (
        "2028-02-01",
        "integreringsloven-prop81L",
        "2026-01-01",
    )

    await nir.opphold(d, ("FLYKTNING", date(2026, 1, 5), None), ("ANNET", date(2026, 5, 1), None))
    await nir.tick(date(2026, 6, 2))
    row, opprettet = await ikke_lenger_i_kategori(nir, d)
    assert row["avslutningsdato"] == "2026-05-01"
    sti = opprettet["grunnlag"]["regelsti"]
    assert any("regelverk integreringsloven-prop81L (gjelder fra 2026-01-01)" in x for x in sti), sti
