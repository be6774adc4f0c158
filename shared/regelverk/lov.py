"""Which law governs a person, from the opphold dates (issue #13 §1: `lov` follows from the dates).

Followed: the seed nir-ny-integreringslov-endringer-2021 (line 65): «Integreringsloven vil gjelde personer som får
opphold og er ankommet Norge etter 01.01.21, mens introduksjonsloven fortsatt vil gjelde for de som har fått
opphold før 01.01.21» (DOMAIN.md §2 and issue #13 say the same). So a tillatelse before the ikrafttredelse gives
introduksjonsloven, whenever the person arrived; one from it gives integreringsloven. The seed's «og er ankommet»
does not say which law a person granted from 2021 who arrived before (an asylum seeker) falls under; read as one
rule with its second sentence (introduksjonsloven only for «opphold før 01.01.21») it is integreringsloven, which
is also what integreringsloven § 51 and integreringsforskriften § 72 give.

Where the public source disagrees with the seed (README «Regelverk», ASSUMPTION to confirm with IMDi):
integreringsforskriften § 72, as IMDi's juridiske veileder quotes it, «Personer som søker om oppholdstillatelse fra
utlandet og får innvilget oppholdstillatelse før integreringsloven trer i kraft, men som ankommer Norge etter
integreringsloven trer i kraft, omfattes av integreringsloven» — the seed puts them under introduksjonsloven
(«fått opphold før 01.01.21»), and the brief for issue #13 says to follow the seed. The arrival date is stored
(IMDi reports it) so that the forskrift's reading is a change here only.
The tillatelse that counts is the first one that gives a kategori (Oslo VO: «the first residence permit that gives
the right and duty»); without one, the first tillatelse of any kind.
"""

from __future__ import annotations

from shared.kodeverk.kategorier import Lov
from shared.regelverk.ikrafttredelse import ikrafttredelser
from shared.regelverk.kategoridata import gir_kategori
from shared.regelverk.opphold import Opphold, Tillatelse

REGEL = "lov etter oppholdsdato (seed nir-ny-integreringslov-endringer-2021)"


def avgjorende_tillatelse(opphold: Opphold) -> Tillatelse | None:
    tillatelser = opphold.i_rekkefolge()
    return next((t for t in tillatelser if gir_kategori(t.oppholdsgrunnlag)), tillatelser[0] if tillatelser else None)


def lov_for(opphold: Opphold) -> Lov | None:
    """integreringsloven if the deciding tillatelse is granted on or after 01.01.2021 (the configured
    ikrafttredelse), introduksjonsloven if before (the seed; the arrival does not change it); None without any
    tillatelse."""
    t = avgjorende_tillatelse(opphold)
    if t is None:
        return None
    if t.innvilget >= ikrafttredelser().integreringsloven.dato:
        return Lov.INTEGRERINGSLOVEN
    return Lov.INTRODUKSJONSLOVEN


def begrunnelse(opphold: Opphold, lov: Lov) -> str:
    t = avgjorende_tillatelse(opphold)
    fra = ikrafttredelser().integreringsloven.dato
    ankomst = opphold.ankomstdato.isoformat() if opphold.ankomstdato else "ukjent"
    innvilget = t.innvilget.isoformat() if t else "ukjent"
    return (
        f"{lov.value}: tillatelse innvilget {innvilget}, ankomst {ankomst} "
        f"(tillatelsen {'fra' if lov is Lov.INTEGRERINGSLOVEN else 'før'} {fra.isoformat()}, {REGEL})"
    )
