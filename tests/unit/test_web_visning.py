"""services/web's pure parts: how values read on the pages (NIR's formats) and how an API refusal is split into
field errors."""

from __future__ import annotations

import pytest

from services.web import visning
from services.web.apier import Svar


@pytest.mark.parametrize("inn, ut", [("2023-11-15", "15.11.2023"), (None, ""), ("", "")])
def test_dato_som_nir_skriver_den(inn, ut):
    assert visning.dato(inn) == ut


def test_registrert_dato_er_oslo_datoen():
    assert visning.tidspunkt("2023-11-14T23:30:00+00:00") == "15.11.2023"  # 00:30 in Oslo


@pytest.mark.parametrize("inn, ut", [("30.0", "30,0"), ("37.5", "37,5"), (30, "30,0"), (None, "")])
def test_timer_med_desimalkomma(inn, ut):  # seed §3 and §6: «30,0»
    assert visning.timer(inn) == ut


@pytest.mark.parametrize("inn, ut", [("30,0", "30.0"), (" 37,5 ", "37.5"), ("30.5", "30.5"), ("", None)])
def test_timer_til_api_med_desimalpunktum(inn, ut):
    assert visning.timer_til_api(inn) == ut


def test_oppfolgingskommune_og_bydel_ved_navn():
    assert visning.sted("4223") == "Vennesla"
    assert visning.sted("0301", "030102") != "030102"  # an Oslo bydel by its name
    assert visning.sted("9999") == "9999"  # unknown: the number, never an error


def test_feltfeil_fra_api_per_felt():
    svar = Svar(
        422,
        {
            "kode": "UGYLDIGE_FELT",
            "feil": [
                {"felt": "timer_arbeid_per_uke", "i": "body", "melding": "påkrevd", "kode": "x"},
                {"felt": "", "i": "body", "melding": "hele skjemaet", "kode": "y"},
            ],
        },
    )
    assert svar.feltfeil() == {"timer_arbeid_per_uke": "påkrevd", "": "hele skjemaet"}
    assert (
        Svar(409, {"detail": "konflikt"}).feltfeil() == {} and Svar(409, {"detail": "konflikt"}).melding == "konflikt"
    )
    assert Svar(409, {"detail": "x", "kode": "KREVER_BEKREFTELSE"}).krever_bekreftelse
    assert not Svar(409, {"detail": "x", "kode": "EN_GJELDENDE_KOMMUNEAVSLUTNING"}).krever_bekreftelse
