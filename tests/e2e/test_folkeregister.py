"""DOMAIN.md §5 and seed nir-brukerveiledning-avslutning-2023 §1 (Flyttet, Utvandret, Død are set by the
system from the Folkeregister): hendelser injected in the Folkeregister simulator's feed end the programme via
the adapter and the regelmotor, and show in the report; an annulment takes it back; a renumbering is no move."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.nir import Nir
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

# programme from 01.06.2023: the frist (31.05.2025) lies after every tick of the session, so only the
# Folkeregister can end it
START = date(2023, 6, 1)


async def deltaker_i_folkeregisteret(nir: Nir, kommune: str, etternavn: str) -> tuple[dict, str]:
    ident = (await nir.folkeregisterperson())["folkeregisteridentifikator"]
    d = await nir.i_program(kommune, START, fodselsnummer=ident, etternavn=etternavn, bosettingsdato=date(2023, 3, 1))
    await nir.kjent_for_adapteren(d)
    return d, ident


async def rad_med(nir: Nir, d: dict, arsak: str) -> dict:
    async def listed() -> dict:
        row = await nir.rad(d)
        assert row is not None and row["arsak"] == arsak, row
        return row

    return await eventually(listed, what=f"{arsak} in the report")


async def test_dod_og_annullering(nir: Nir) -> None:
    d, ident = await deltaker_i_folkeregisteret(nir, "4223", "Dodsfallsopplysning")
    await nir.folkeregisterhendelse("doedsfall", ident, dato="2024-02-10")

    row = await rad_med(nir, d, "DOD")
    assert (row["arsak_navn"], row["avslutningsdato"], row["kilde"]) == ("Død", "2024-02-10", "regelmotor")

    await nir.folkeregisterhendelse("annullerDoedsfall", ident)

    async def back_in_programme() -> list[dict]:
        assert await nir.rad(d) is None, "still in the report"
        linjer = await nir.historikklinjer(d)
        assert [(x["arsak"], x["status"]) for x in linjer if x["arsak"] == "DOD"] == [("DOD", "slettet")], linjer
        assert not [x for x in linjer if x["status"] != "slettet"], linjer
        # registrering consumes the retraction on its own, not ordered with the report's projection
        assert (await nir.avslutninger(d))["gjeldende"] is None, "registrering still shows the death"
        return linjer

    await eventually(back_in_programme, what="the death annulled")

    fakta = await nir.folkeregisterfakta(d)
    assert [e["type"] for e in fakta] == ["DodsfallRegistrert", "FolkeregisterhendelseAnnullert"]
    beregnet = [e for e in await nir.beregnet(d) if e["arsak"] == "DOD"]
    assert [(e["type"], e["arsak"]) for e in beregnet] == [
        ("BeregnetAvslutningOpprettet", "DOD"),
        ("BeregnetAvslutningTrukketTilbake", "DOD"),
    ]
    assert beregnet[1]["grunn"] == "FOLKEREGISTER_ANNULLERT"


async def test_utvandring(nir: Nir) -> None:
    d, ident = await deltaker_i_folkeregisteret(nir, "0301", "Utvandring")
    await nir.folkeregisterhendelse("utflytting", ident, dato="2024-03-01", land="SWE")
    row = await rad_med(nir, d, "UTVANDRET")
    assert (row["arsak_navn"], row["avslutningsdato"], row["kommune_navn"]) == ("Utvandret", "2024-03-01", "Oslo")


async def test_flytting_til_annen_kommune_men_ikke_nytt_kommunenummer(nir: Nir) -> None:
    # Bærum's number 3024 became 3201 in 2024: an address change without a move publishes nothing
    omnummerert, _ = await deltaker_i_folkeregisteret(nir, "3201", "Omnummerert")
    flytter, ident = await deltaker_i_folkeregisteret(nir, "4223", "Flytter")
    await nir.folkeregisterhendelse("nyttKommunenummer", _ident_of(omnummerert), kommunenummer="3201")
    # appended after the renumbering: once the move is through, the feed has been read past the renumbering
    await nir.folkeregisterhendelse("flytting", ident, dato="2024-04-15", kommunenummer="4204")

    row = await rad_med(nir, flytter, "FLYTTET")
    assert (row["arsak_navn"], row["avslutningsdato"], row["kommune_navn"]) == ("Flyttet", "2024-04-15", "Vennesla")
    assert [e["type"] for e in await nir.folkeregisterfakta(flytter)] == ["FlyttingRegistrert"]

    assert await nir.folkeregisterfakta(omnummerert) == []
    assert [e for e in await nir.beregnet(omnummerert) if e["arsak"] == "FLYTTET"] == []
    assert await nir.rad(omnummerert) is None
    assert not [x for x in await nir.historikklinjer(omnummerert) if x["status"] != "slettet"]


def _ident_of(d: dict) -> str:
    return d["fodselsnummer"]
