"""Mapping unit tests: Skatteetaten feed entries (as the simulator writes them) → what NIR is told.

Each test names the docs/FOLKEREGISTER.md section it checks. Pure: no I/O.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from services.folkeregister_adapter import domain
from services.folkeregister_adapter.domain import Annullert, KjenteFakta, Korrigert, NyIdent, Registrert, vurder
from services.folkeregister_adapter.folkeregisterkilde import Feedhendelse, Persondokument, UgyldigInnslag
from services.folkeregister_adapter.hendelser import til_event
from services.folkeregister_adapter.skatteetaten import les_innslag, les_persondokument, les_side
from shared.events import folkeregister
from shared.identer import fodselsnummer_feil
from simulators.folkeregister.register import Folkeregister

DODSFALL, UTV, FLY = (
    folkeregister.Folkeregisterart.DODSFALL,
    folkeregister.Folkeregisterart.UTVANDRING,
    folkeregister.Folkeregisterart.FLYTTING,
)


@pytest.fixture
def reg() -> Folkeregister:
    return Folkeregister(seed=7, personer=5)


def siste(reg: Folkeregister, n: int = 1) -> list[Feedhendelse]:
    return [_hendelse(les_innslag(json.loads(b))) for b in reg.innslag[-n:]]


def _hendelse(innslag: Feedhendelse | UgyldigInnslag) -> Feedhendelse:
    assert isinstance(innslag, Feedhendelse), innslag  # the simulator writes valid entries only
    return innslag


def person(reg: Folkeregister, i: int = 0) -> tuple[str, str]:
    p = reg.personer(i, 1)[0]
    return p["folkeregisteridentifikator"], p["kommunenummer"]


def test_population_has_valid_fodselsnummer_and_is_deterministic():
    a, b = Folkeregister(seed=3, personer=50), Folkeregister(seed=3, personer=50)
    assert a.personer(0, 50) == b.personer(0, 50)
    assert all(fodselsnummer_feil(p["folkeregisteridentifikator"]) is None for p in a.personer(0, 50))
    a.generer(300), b.generer(300)
    assert a.innslag == b.innslag


# -- Skatteetaten «hendelsesliste»: personErDoed / endringIDoedsfall -------------------------------------
def test_personErDoed_gives_dodsfall_registrert(reg):
    ident, _ = person(reg)
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    [h] = siste(reg)
    v = vurder(h, KjenteFakta())
    assert v.utfall == (Registrert(DODSFALL, folkeregister.Dodsfall(dodsdato=date(2026, 3, 1))),)
    assert v.kjent.dodsfall_hendelse_id == h.hendelse_id  # the original a correction will reference


def test_korrigere_doedsfall_references_the_original(reg):
    ident, _ = person(reg)
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    reg.legg_til("korrigerDoedsfall", ident, dato="2026-02-27")
    original, korrigering = siste(reg, 2)
    kjent = vurder(original, KjenteFakta()).kjent
    v = vurder(korrigering, kjent)
    assert v.utfall == (Korrigert(DODSFALL, folkeregister.Dodsfall(dodsdato=date(2026, 2, 27)), original.hendelse_id),)


# Trap: «Annulments carry no payload.»
def test_annullere_without_payload_is_not_dropped(reg):
    ident, _ = person(reg)
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    reg.legg_til("annullerDoedsfall", ident)
    original, annullering = siste(reg, 2)
    assert annullering.egenskaper[0].opplysning is None  # really no payload in the feed
    v = vurder(annullering, vurder(original, KjenteFakta()).kjent)
    assert v.utfall == (Annullert(DODSFALL, original.hendelse_id),)
    assert v.kjent.dodsfall is None


def test_annullere_of_something_nir_was_never_told_gives_nothing(reg):
    ident, _ = person(reg)
    reg.legg_til("annullerDoedsfall", ident)
    assert vurder(siste(reg)[0], KjenteFakta()).utfall == ()


def test_korrigere_without_known_original_registers_the_fact(reg):
    # e.g. the person joined NIR after the original hendelse: the fact is true now, so NIR is told it.
    ident, _ = person(reg)
    reg.legg_til("korrigerDoedsfall", ident, dato="2026-02-27")
    [h] = siste(reg)
    assert vurder(h, KjenteFakta()).utfall == (
        Registrert(DODSFALL, folkeregister.Dodsfall(dodsdato=date(2026, 2, 27))),
    )


# -- personErUtflyttet / endringIUtflytting ----------------------------------------------------------------
def test_personErUtflyttet_gives_utvandring_with_country(reg):
    ident, _ = person(reg)
    reg.legg_til("utflytting", ident, dato="2026-04-01", land="SWE")
    [h] = siste(reg)
    assert vurder(h, KjenteFakta()).utfall == (
        Registrert(UTV, folkeregister.Utvandring(utflyttingsdato=date(2026, 4, 1), tilflyttingsland="SWE")),
    )


def test_endringIUtflytting_korrigere_and_annullere(reg):
    ident, _ = person(reg)
    reg.legg_til("utflytting", ident, dato="2026-04-01", land="SWE")
    reg.legg_til("korrigerUtflytting", ident, dato="2026-04-03", land="DNK")
    reg.legg_til("annullerUtflytting", ident)
    original, korr, ann = siste(reg, 3)
    k1 = vurder(original, KjenteFakta()).kjent
    v2 = vurder(korr, k1)
    assert v2.utfall == (
        Korrigert(
            UTV,
            folkeregister.Utvandring(utflyttingsdato=date(2026, 4, 3), tilflyttingsland="DNK"),
            original.hendelse_id,
        ),
    )
    assert vurder(ann, v2.kjent).utfall == (Annullert(UTV, original.hendelse_id),)


# -- endringIBostedsadresse ----------------------------------------------------------------------------------
def test_move_to_another_kommune_gives_flytting_with_fra_and_til(reg):
    ident, fra = person(reg)
    til = "0301" if fra != "0301" else "4601"
    reg.legg_til("flytting", ident, kommunenummer=til, dato="2026-05-01")
    [h] = siste(reg)
    v = vurder(h, KjenteFakta(kommunenummer=fra))
    assert v.utfall == (
        Registrert(
            FLY, folkeregister.Flytting(til_kommunenummer=til, fra_kommunenummer=fra, flyttedato=date(2026, 5, 1))
        ),
    )
    assert v.kjent.kommunenummer == til


# Trap: «One address change is two facts … don't treat the second as another move.»
def test_the_opphoert_half_in_the_same_hendelse_is_not_a_second_move(reg):
    ident, fra = person(reg)
    reg.legg_til("flytting", ident, kommunenummer="0301" if fra != "0301" else "4601", dato="2026-05-01")
    [h] = siste(reg)
    assert len(h.egenskaper) == 2 and h.egenskaper[1].opplysning.opphoert
    assert len(vurder(h, KjenteFakta(kommunenummer=fra)).utfall) == 1


def test_the_opphoert_half_as_its_own_hendelse_gives_nothing(reg):
    ident, fra = person(reg)
    reg.legg_til(
        "flyttingMedOpphoertSomEgenHendelse",
        ident,
        kommunenummer="0301" if fra != "0301" else "4601",
        dato="2026-05-01",
    )
    ny, opphort = siste(reg, 2)
    kjent = vurder(ny, KjenteFakta(kommunenummer=fra)).kjent
    v = vurder(opphort, kjent)
    assert v.utfall == () and "opphørt" in v.regel
    assert v.kjent == kjent


# Trap: «A new kommunenummer is not a move.»
def test_endringIBostedsadresseUtenFlytting_gives_nothing_but_remembers_the_number(reg):
    ident, _ = person(reg)
    reg.legg_til("nyttKommunenummer", ident, kommunenummer="3101")
    [h] = siste(reg)
    v = vurder(h, KjenteFakta(kommunenummer="3001"))
    assert v.utfall == ()
    assert v.kjent.kommunenummer == "3101"


def test_endringIBostedsadresse_to_the_same_kommune_renumbered_is_not_a_move():
    ok, regel = domain.er_flytting("3001", "3101", date(2024, 1, 1))  # Halden 3001 → 3101 (2024)
    assert not ok and "nytt kommunenummer" in regel


def test_move_within_the_kommune_or_without_flyttedato_is_not_a_flytting():
    assert domain.er_flytting("0301", "0301", date(2026, 1, 1))[0] is False
    assert domain.er_flytting("0301", "4601", None)[0] is False
    assert domain.er_flytting("0301", None, date(2026, 1, 1))[0] is False


def test_renumbering_table_names_real_2024_kommuner():
    from services.folkeregister_adapter.kommunereform import NYTT_KOMMUNENUMMER_2024
    from shared.kodeverk.geografi import kommuner

    assert set(NYTT_KOMMUNENUMMER_2024.values()) <= set(kommuner())
    assert not set(NYTT_KOMMUNENUMMER_2024) & set(kommuner())  # the old numbers are no longer valid


def test_korrigere_flytting_and_annullere_flytting(reg):
    ident, fra = person(reg)
    til = "0301" if fra != "0301" else "4601"
    reg.legg_til("flytting", ident, kommunenummer=til, dato="2026-05-01")
    reg.legg_til("korrigerFlytting", ident, kommunenummer=til, dato="2026-05-03")
    reg.legg_til("annullerFlytting", ident)
    original, korr, ann = siste(reg, 3)
    k1 = vurder(original, KjenteFakta(kommunenummer=fra)).kjent
    v2 = vurder(korr, k1)
    assert v2.utfall == (
        Korrigert(
            FLY,
            folkeregister.Flytting(til_kommunenummer=til, fra_kommunenummer=fra, flyttedato=date(2026, 5, 3)),
            original.hendelse_id,
        ),
    )
    v3 = vurder(ann, v2.kjent)
    assert v3.utfall == (Annullert(FLY, original.hendelse_id),)
    assert v3.kjent.kommunenummer == fra  # back where the person was


def test_a_second_move_is_a_new_flytting_not_a_correction(reg):
    ident, fra = person(reg)
    reg.legg_til("flytting", ident, kommunenummer="0301" if fra != "0301" else "4601", dato="2026-05-01")
    reg.legg_til("flytting", ident, kommunenummer="1103", dato="2026-08-01")
    a, b = siste(reg, 2)
    v = vurder(b, vurder(a, KjenteFakta(kommunenummer=fra)).kjent)
    assert [type(u) for u in v.utfall] == [Registrert]
    assert v.kjent.flytting_hendelse_id == b.hendelse_id


# -- endringIIdentifikasjonsnummer ---------------------------------------------------------------------------
def test_identity_change_teaches_the_new_number_and_publishes_nothing(reg):
    ident, _ = person(reg)
    res = reg.legg_til("nyIdent", ident)
    [h] = siste(reg)
    v = vurder(h, KjenteFakta())
    assert v.utfall == (NyIdent(res["nyIdent"], (ident,)),)
    assert fodselsnummer_feil(res["nyIdent"]) is None


# -- personErOppdatert ----------------------------------------------------------------------------------------
def test_personErOppdatert_asks_for_the_person_document(reg):
    ident, _ = person(reg)
    reg.legg_til("personErOppdatert", ident)
    [h] = siste(reg)
    v = vurder(h, KjenteFakta())
    assert v.trenger_persondokument and v.utfall == ()


def test_personErOppdatert_compares_the_document_with_what_nir_was_told(reg):
    ident, fra = person(reg)
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    original = siste(reg)[0]
    kjent = vurder(original, KjenteFakta(kommunenummer=fra)).kjent
    reg.legg_til("annullerDoedsfall", ident)  # the register's truth changed …
    reg.legg_til("personErOppdatert", ident)  # … and the feed only says «look again»
    h = siste(reg)[0]
    doc = les_persondokument(reg.persondokument(ident))
    assert vurder(h, kjent, doc).utfall == (Annullert(DODSFALL, original.hendelse_id),)


def test_personErOppdatert_with_a_death_nir_did_not_know_registers_it():
    h = Feedhendelse("dok-1", 5, "x", "personErOppdatert", _ts())
    from services.folkeregister_adapter.folkeregisterkilde import Dodsfallsopplysning

    doc = Persondokument(("x",), Dodsfallsopplysning(date(2026, 1, 2)), None, None)
    assert vurder(h, KjenteFakta(), doc).utfall == (
        Registrert(DODSFALL, folkeregister.Dodsfall(dodsdato=date(2026, 1, 2))),
    )


def test_personErOppdatert_with_a_new_kommune_is_a_flytting():
    from services.folkeregister_adapter.folkeregisterkilde import Bostedsadresse

    h = Feedhendelse("dok-2", 6, "x", "personErOppdatert", _ts())
    doc = Persondokument(("x",), None, None, Bostedsadresse("0301", date(2026, 6, 1)))
    v = vurder(h, KjenteFakta(kommunenummer="4601"), doc)
    assert v.utfall == (
        Registrert(
            FLY, folkeregister.Flytting(til_kommunenummer="0301", fra_kommunenummer="4601", flyttedato=date(2026, 6, 1))
        ),
    )


# -- unknown types, duplicates, bad input --------------------------------------------------------------------
def test_unknown_hendelsestype_is_flagged_and_gives_nothing(reg):
    ident, _ = person(reg)
    reg.legg_til("ukjent", ident, hendelsetype="endringISivilstand")
    v = vurder(siste(reg)[0], KjenteFakta())
    assert v.ukjent_type and v.utfall == ()


def test_the_same_death_told_twice_gives_one_event(reg):
    ident, _ = person(reg)
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    a, b = siste(reg, 2)
    assert vurder(b, vurder(a, KjenteFakta()).kjent).utfall == ()


def test_an_unreadable_entry_names_the_field_not_the_content():
    from services.folkeregister_adapter.folkeregisterkilde import UgyldigInnslag

    u = les_innslag({"sekvensnummer": 9, "hendelse": {"hendelsetype": "personErDoed"}})
    assert isinstance(u, UgyldigInnslag) and u.grunn == "folkeregisteridentifikator mangler"


def test_a_page_moves_the_pointer_past_its_last_entry(reg):
    reg.generer(30)
    side = les_side(1, json.loads(b"[" + b",".join(reg.side(1)) + b"]"))
    assert side.neste == reg.siste_sekvensnummer + 1
    assert les_side(99, []).neste == 99


# -- events on nir.folkeregister.v1 ------------------------------------------------------------------------------
def test_events_carry_the_feed_identity_and_a_stable_event_id(reg):
    from uuid import uuid4

    ident, _ = person(reg)
    reg.legg_til("doedsfall", ident, dato="2026-03-01")
    reg.legg_til("annullerDoedsfall", ident)
    original, ann = siste(reg, 2)
    d = uuid4()
    v1 = vurder(original, KjenteFakta())
    e1 = til_event(v1.utfall[0], original, d)
    assert isinstance(e1, folkeregister.DodsfallRegistrert) and e1.hendelse_id == original.hendelse_id
    assert e1.sekvensnummer == original.sekvensnummer and e1.deltaker_id == d
    assert til_event(v1.utfall[0], original, d).event_id == e1.event_id  # read twice → same event
    e2 = til_event(vurder(ann, v1.kjent).utfall[0], ann, d)
    assert isinstance(e2, folkeregister.FolkeregisterhendelseAnnullert)
    assert e2.annullerer_hendelse_id == original.hendelse_id and e2.art is DODSFALL


def _ts():
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC)
