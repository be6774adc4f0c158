"""The clock (issue #4 «Time is an input»): one DognPassert per Europe/Oslo day, catch-up after downtime,
and it sleeps until the next Oslo midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from services.regelmotor.klokke import dager_a_publisere, dogn, sekunder_til_neste_midnatt

OSLO = ZoneInfo("Europe/Oslo")


def test_forste_gang_bare_idag():
    assert dager_a_publisere(None, date(2026, 11, 23)) == [date(2026, 11, 23)]


def test_innhenting_etter_nedetid():
    assert dager_a_publisere(date(2026, 11, 20), date(2026, 11, 23)) == [
        date(2026, 11, 21),
        date(2026, 11, 22),
        date(2026, 11, 23),
    ]


def test_ingenting_nar_dagen_er_publisert():
    assert dager_a_publisere(date(2026, 11, 23), date(2026, 11, 23)) == []


def test_oslo_dagen_begynner_for_utc_dagen():
    # 23:30 UTC on 22.11 is 00:30 on 23.11 in Oslo (CET, UTC+1): the Oslo day is the 23rd.
    naa = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert naa.astimezone(OSLO).date() == date(2026, 11, 23)
    assert sekunder_til_neste_midnatt(naa, OSLO) == 23.5 * 3600


def test_sommertid_gir_23_timers_dogn():
    # 29.03.2026: clocks go forward in Oslo; midnight 28.03 → midnight 29.03 is 24 h, 29.03 → 30.03 is 23 h.
    naa = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 on 29.03 Oslo (CET)
    assert sekunder_til_neste_midnatt(naa, OSLO) == 23 * 3600


def test_samme_dag_gir_samme_hendelse():
    a = dogn(date(2026, 11, 23), OSLO, datetime(2026, 11, 23, 0, 0, 1, tzinfo=UTC))
    b = dogn(date(2026, 11, 23), OSLO, datetime(2026, 11, 23, 5, 0, tzinfo=UTC))
    assert a.event_id == b.event_id and a.occurred_at == datetime(2026, 11, 23, tzinfo=OSLO)
