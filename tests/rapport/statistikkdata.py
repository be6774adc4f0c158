"""A year of avsluttede for the statistics tests (the API's and the web page's), in a year no other test uses,
under introduksjonsloven (the other rapport tests count integreringsloven's rows), so the national figures are
these alone: Agder with one small kommune (Gjerstad, 3 persons) beside Risør, Arendal and Grimstad; Rogaland
(Klepp, Time); Oslo with a small bydel (Grünerløkka, 2) between two of 10."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

from shared.events.envelope import DeltakerEvent
from shared.kodeverk.avslutningsarsaker import Avslutningsarsakkode as Kode
from shared.kodeverk.kategorier import Lov
from shared.kodeverk.vedtak import Vedtakstype
from tests.support.hendelser import T0, Deltaker, person

AAR = 2012
LOV = Lov.INTRODUKSJONSLOVEN

# (kommune, bydel, [(code, how many)], how many with forlengelse)
OMRAADER: list[tuple[str, str | None, list[tuple[Kode, int]], int]] = [
    ("4201", None, [(Kode.ARBEID, 8), (Kode.VGO_FAG_OG_YRKE, 5), (Kode.KVALIFISERENDE_TILTAK, 7)], 5),
    ("4211", None, [(Kode.ARBEID, 3)], 0),
    ("4203", None, [(Kode.ARBEID, 10), (Kode.ARBEID_OG_VGO, 5), (Kode.HOYERE_UTDANNING, 5), (Kode.ANNET, 10)], 10),
    ("4202", None, [(Kode.ARBEID, 6), (Kode.GRUNNSKOLE, 6)], 0),
    ("1120", None, [(Kode.ARBEID, 10), (Kode.VGO_FAG_OG_YRKE, 5)], 5),
    ("1121", None, [(Kode.ARBEID, 5), (Kode.ANNET, 5)], 0),
    ("0301", "030101", [(Kode.ARBEID, 5), (Kode.HOYERE_UTDANNING, 5)], 0),
    ("0301", "030102", [(Kode.ARBEID, 2)], 0),
    ("0301", "030103", [(Kode.ANNET, 10)], 5),
]


def dager_i_program(i: int) -> int:
    """Person i's days from programme start to avslutning."""
    return 400 + 37 * i


def hendelser() -> list[DeltakerEvent]:
    events: list[DeltakerEvent] = []
    for kommune, bydel, koder, forlenget in OMRAADER:
        i = 0
        for kode, antall in koder:
            for _ in range(antall):
                d = Deltaker()
                slutt = date(AAR, 3, 1) + timedelta(days=i * 7)
                start = slutt - timedelta(days=dager_i_program(i))
                duf = f"{AAR}{uuid4().int % 10**8:08d}"
                events += [
                    *d.registrering(person(duf, "Stat", f"Istikk{i:02d}", kommune=kommune, bydel=bydel, lov=LOV)),
                    d.vedtak(fra=start, til=start + timedelta(days=700), vedtaksdato=start - timedelta(days=10)),
                    d.kommune_avslutning(slutt, kode, t=T0, av=f"{kommune}-STAT", kommune=kommune, bydel=bydel),
                ]
                if i < forlenget:
                    fra = start + timedelta(days=700)
                    events.append(d.vedtak(Vedtakstype.FORLENGELSE, fra, start + timedelta(days=1000), vedtaksdato=fra))
                i += 1
    return events
