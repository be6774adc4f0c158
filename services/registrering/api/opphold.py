"""/api/v1/opphold: IMDi's opphold facts (from UDI through IMDi's bosetting), the inputs of the kategori and
the lov NIR computes (issue #13 §1). Only IMDi's bosetting system may call it (shared/tilgang.py
Rolle.OPPHOLDSKILDE: a Maskinporten token of IMDi's organisation with scope imdi:nir.avslutning.opphold); a
kommune — caseworker or fagsystem — gets 403, so a kommune can neither set a kategori nor change the dates it
follows from.

Why an HTTP endpoint for a system role rather than an inbound topic: the facts are keyed by DUF-nummer (IMDi
knows no NIR deltaker id) and must reach a deltaker the kommune registers later too, so they are stored per
person and applied in the same transaction that registers or changes a deltaker; an HTTP call gives IMDi an
immediate, specific answer (422 naming the field) instead of a dead letter, and uses the authentication every
other client already has. The state change and its events commit together through the outbox as for every
other write.
"""

from __future__ import annotations

import logging

from fastapi import Request

from services.plumbing import outbox
from services.plumbing.auth import Oppholdstilgang
from services.registrering import lager
from services.registrering.api import skjema
from services.registrering.api.deltaker import kategorihendelser
from services.registrering.api.felles import kontekst, runtime, ruter
from services.registrering.api.idempotens import krev_nokkel, lagre_svar
from services.registrering.domain import regler
from services.registrering.lager import deltakere_med_duf, hent_deltaker, laas_identer, lagre_opphold, person
from shared.events import deltaker as deltakerhendelser
from shared.regelverk.opphold import Opphold, Tillatelse

log = logging.getLogger(__name__)
router = ruter("/api/v1/opphold", "opphold")


@router.post(
    "",
    response_model=skjema.OppholdLagret,
    summary="Meld personens opphold (IMDis bosettingssystem)",
    description="Hele listen over personens oppholdstillatelser og ankomstdatoen, som erstatter forrige melding. "
    "NIR beregner lov og kategori på nytt for hver deltaker med DUF-nummeret. Bare IMDis bosettingssystem "
    "(scope imdi:nir.avslutning.opphold) kan melde opphold; alle andre får 403.",
)
async def registrer_opphold(inn: skjema.OppholdInn, bruker: Oppholdstilgang, request: Request) -> skjema.OppholdLagret:
    """Store IMDi's full list of the person's oppholdstillatelser and the arrival date (replacing the previous
    report), and recompute lov and kategori of every deltaker with the DUF-nummer: DeltakerOppdatert when the lov
    changes, KategoriEndret when the kategori or its period does. A kategori that ends while the person is in
    programme makes the regelmotor compute «Ikke lenger i kategori», dated the first day out of it."""
    k = kontekst(request, bruker)
    opphold = Opphold(
        tillatelser=tuple(Tillatelse(t.oppholdsgrunnlag, t.innvilget, t.opphort) for t in inn.tillatelser),
        ankomstdato=inn.ankomstdato,
    )
    endret = 0
    rt = runtime(request)
    async with rt.pool.acquire() as conn, conn.transaction():
        await krev_nokkel(conn, request, bruker.nokkel)
        await laas_identer(conn, inn.duf_nummer)  # as registration does: a deltaker registered now waits for this
        await lagre_opphold(conn, inn.duf_nummer, opphold, k.brukerident, k.naa)
        deltakere = await deltakere_med_duf(conn, inn.duf_nummer)
        for deltaker_id in deltakere:
            gammel = await hent_deltaker(conn, deltaker_id)
            assert gammel is not None
            _, lov = regler.lov_etter_opphold(None, opphold)
            assert lov is not None  # at least one tillatelse (OppholdInn)
            kategori = regler.kategori(opphold, gammel["fodselsdato"])
            hendelser: list[deltakerhendelser.DeltakerOppdatert | deltakerhendelser.KategoriEndret] = []
            if lov.value != gammel["lov"] or kategori != (
                gammel["kategori"],
                gammel["kategori_fra"],
                gammel["kategori_til"],
            ):
                row = await lager.endre_lov_og_kategori(conn, deltaker_id, lov.value, kategori, naa=k.naa)
                if lov.value != gammel["lov"]:
                    hendelser.append(deltakerhendelser.DeltakerOppdatert(**k.envelope(deltaker_id), person=person(row)))
                hendelser += kategorihendelser(
                    k, deltaker_id, kategori, (gammel["kategori"], gammel["kategori_fra"], gammel["kategori_til"])
                )
                await outbox.enqueue(conn, hendelser)
                endret += 1
        ut = skjema.OppholdLagret(deltakere_oppdatert=endret, deltakere=len(deltakere))
        await lagre_svar(conn, request, 200, ut)
    if rt.relay is not None:
        rt.relay.wake()
    log.info("opphold registrert", extra={"deltakere": len(deltakere), "endret": endret})
    return ut
