"""Which law governs a person, from the opphold dates (issue #13 §1: `lov` follows from the dates).

Integreringsforskriften § 72 (overgangsregler, to integreringsloven § 51), as IMDi's juridiske veileder quotes it:
«Personer som søker om oppholdstillatelse fra utlandet og får innvilget oppholdstillatelse før integreringsloven
trer i kraft, men som ankommer Norge etter integreringsloven trer i kraft, omfattes av integreringsloven.» and
«[introduksjonsloven] gjelder for de som ikke omfattes av integreringsloven i henhold til overgangsreglene»;
Kompetanse Norge: «Personer som får oppholdstillatelse etter 1. januar 2021; Personer som fikk oppholdstillatelse
før 1. januar 2021, men som kommer til Norge etter 1. januar 2021».

So integreringsloven applies when the tillatelse OR the arrival is on or after its ikrafttredelse. The seed
nir-ny-integreringslov-endringer-2021 («personer som får opphold og er ankommet Norge etter 01.01.21») and
DOMAIN.md §2 («opphold and arrival from 01.01.2021») say «and»; read literally that leaves an asylum seeker who
arrived in 2020 and got the tillatelse in 2021 under neither law (the seed's other sentence gives introduksjonsloven
only to «de som har fått opphold før 01.01.21»), so the forskrift's rule is followed (README, issue #13 note).
The tillatelse that counts is the first one that gives a kategori (Oslo VO: «the first residence permit that gives
the right and duty»); without one, the first tillatelse of any kind.
"""

from __future__ import annotations

from shared.kodeverk.kategorier import Lov
from shared.regelverk.ikrafttredelse import ikrafttredelser
from shared.regelverk.kategoridata import gir_kategori
from shared.regelverk.opphold import Opphold, Tillatelse

REGEL = "integreringsforskriften § 72 lov etter datoer"


def avgjorende_tillatelse(opphold: Opphold) -> Tillatelse | None:
    tillatelser = opphold.i_rekkefolge()
    return next((t for t in tillatelser if gir_kategori(t.oppholdsgrunnlag)), tillatelser[0] if tillatelser else None)


def lov_for(opphold: Opphold) -> Lov | None:
    """integreringsloven if the deciding tillatelse or the arrival is on or after 01.01.2021 (the configured
    ikrafttredelse); introduksjonsloven otherwise; None without any tillatelse."""
    t = avgjorende_tillatelse(opphold)
    if t is None:
        return None
    fra = ikrafttredelser().integreringsloven.dato
    if t.innvilget >= fra or (opphold.ankomstdato is not None and opphold.ankomstdato >= fra):
        return Lov.INTEGRERINGSLOVEN
    return Lov.INTRODUKSJONSLOVEN


def begrunnelse(opphold: Opphold, lov: Lov) -> str:
    t = avgjorende_tillatelse(opphold)
    fra = ikrafttredelser().integreringsloven.dato
    ankomst = opphold.ankomstdato.isoformat() if opphold.ankomstdato else "ukjent"
    innvilget = t.innvilget.isoformat() if t else "ukjent"
    return (
        f"{lov.value}: tillatelse innvilget {innvilget}, ankomst {ankomst} "
        f"({'minst én' if lov is Lov.INTEGRERINGSLOVEN else 'ingen'} fra {fra.isoformat()}, {REGEL})"
    )
