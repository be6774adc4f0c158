"""Issue #13 through registrering's API: kategori and lov computed from IMDi's opphold facts (only IMDi's
bosetting system may report them), utdanningsbakgrunn deciding § 13/§ 14, the sluttmål's age band and its
«hovedregel for personer under 25 år» warning, avvisning only before programme start, and /frister naming the
regelverk version. The pure rules are tested in tests/unit/test_kategori.py and tests/registrering/test_regler.py."""

from __future__ import annotations

from tests.registrering.conftest import duf, ny_deltaker, person
from tests.registrering.test_api_deltaker import outbox_typer


async def _kategori_hendelser(r, did: str) -> list[tuple[str | None, str]]:
    rows = await r.runtime.pool.fetch(
        "SELECT convert_from(payload, 'UTF8')::jsonb->>'kategori' AS k,"
        " convert_from(payload, 'UTF8')::jsonb->>'gjelder_fra' AS fra FROM outbox"
        " WHERE key = $1 AND headers->>'event-type' = 'KategoriEndret' ORDER BY id",
        did.encode(),
    )
    return [(x["k"], x["fra"]) for x in rows]


async def test_only_imdis_bosetting_system_may_report_opphold(registrering):
    r = registrering
    body = {"duf_nummer": duf(), "tillatelser": [{"oppholdsgrunnlag": "FLYKTNING", "innvilget": "2022-01-01"}]}
    for headers in (r.token(), r.system(), r.token(imdi=True)):
        resp = await r.client.post("/api/v1/opphold", json=body, headers=headers)
        assert resp.status_code == 403, resp.text
    # the opphold scope from a kommune's organisation is not IMDi
    kommune = {"Authorization": "Bearer " + r.idp.imdi_opphold(orgnr="964966753")}
    assert (await r.client.post("/api/v1/opphold", json=body, headers=kommune)).status_code == 403
    assert await r.runtime.pool.fetchval("SELECT count(*) FROM opphold WHERE duf_nummer=$1", body["duf_nummer"]) == 0


async def test_the_oppholdskilde_does_nothing_but_report_opphold(registrering):
    r = registrering
    did = await ny_deltaker(r, program=False, sluttmal=False)
    for metode, url, body in (
        ("GET", f"/api/v1/deltakere/{did}", None),
        ("POST", "/api/v1/deltakere", person()),
        ("POST", f"/api/v1/deltakere/{did}/utdanningsbakgrunn", {"utdanningsbakgrunn": "IKKE_VGO"}),
    ):
        resp = await r.client.request(metode, url, headers=r.imdi_opphold(), json=body)
        assert resp.status_code == 403 and "registrere opphold" in resp.text, resp.text


async def test_opphold_dates_are_strict_iso_dates_naming_the_field(registrering):
    r = registrering
    for felt, verdi in (("innvilget", 20220101), ("innvilget", "01.01.2022"), ("opphort", "2021-12-31")):
        t = {"oppholdsgrunnlag": "FLYKTNING", "innvilget": "2022-01-01", felt: verdi}
        resp = await r.client.post(
            "/api/v1/opphold", headers=r.imdi_opphold(), json={"duf_nummer": duf(), "tillatelser": [t]}
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["feil"][0]["felt"].startswith("tillatelser.0"), resp.text


async def test_opphold_before_registration_gives_kategori_and_lov_and_a_contradicting_lov_is_422(registrering):
    """Seed nir-ny-integreringslov-endringer-2021 line 65: opphold from 01.01.21 → integreringsloven (an asylum
    seeker who arrived before is not under introduksjonsloven, which is for «opphold før 01.01.21»)."""
    r = registrering
    nummer = duf()
    await r.opphold(nummer, ("OVERFORINGSFLYKTNING", "2021-01-15", None), ankomstdato="2020-11-15")
    feil = await r.client.post(
        "/api/v1/deltakere", json=person(duf_nummer=nummer, lov="introduksjonsloven"), headers=r.token()
    )
    assert feil.status_code == 422, feil.text
    (d,) = feil.json()["feil"]
    assert d["felt"] == "lov" and "integreringsloven" in d["melding"] and d["kode"] == "regel", d
    assert "DOMAIN.md" not in feil.text  # the rule is named as the lov and the seed name it, not our document
    body = person(duf_nummer=nummer)
    del body["lov"]
    resp = await r.client.post("/api/v1/deltakere", json=body, headers=r.token())
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert (out["lov"], out["kategori"], out["kategori_periode"]) == (
        "integreringsloven",
        "RETT_OG_PLIKT",
        {"fra": "2021-01-15", "til": None},
    )
    assert await _kategori_hendelser(r, out["deltaker_id"]) == [("RETT_OG_PLIKT", "2021-01-15")]


async def test_without_opphold_the_kommune_must_give_lov(registrering):
    body = person()
    del body["lov"]
    resp = await registrering.client.post("/api/v1/deltakere", json=body, headers=registrering.token())
    assert resp.status_code == 422 and resp.json()["feil"][0]["felt"] == "lov", resp.text


async def test_opphold_after_registration_sets_kategori_changes_lov_and_an_opphor_ends_the_kategori(registrering):
    r = registrering
    did = await ny_deltaker(r, program=False, sluttmal=False, lov="introduksjonsloven")
    nummer = (await r.client.get(f"/api/v1/deltakere/{did}", headers=r.token())).json()["duf_nummer"]
    # born 1995-03-02: 26 when the tillatelse was granted → rett og plikt; granted 2021 → integreringsloven
    svar = await r.opphold(nummer, ("FLYKTNING", "2021-06-01", None))
    assert svar == {"deltakere_oppdatert": 1, "deltakere": 1}
    out = (await r.client.get(f"/api/v1/deltakere/{did}", headers=r.token())).json()
    assert (out["lov"], out["kategori"]) == ("integreringsloven", "RETT_OG_PLIKT")
    typer = await outbox_typer(r, did)
    assert typer == ["DeltakerRegistrert", "IdentitetFastsatt", "DeltakerOppdatert", "KategoriEndret"]
    # the same report again changes nothing
    assert (await r.opphold(nummer, ("FLYKTNING", "2021-06-01", None)))["deltakere_oppdatert"] == 0
    # a new tillatelse on another ground: out of the kategori from its date (the regelmotor's «Ikke lenger i
    # kategori» date)
    await r.opphold(nummer, ("FLYKTNING", "2021-06-01", None), ("ANNET", "2023-03-01", None))
    out = (await r.client.get(f"/api/v1/deltakere/{did}", headers=r.token())).json()
    assert out["kategori_periode"] == {"fra": "2021-06-01", "til": "2023-02-28"}
    assert (await _kategori_hendelser(r, did))[-1] == (None, "2023-03-01")
    # IMDi corrects it (the refugee tillatelse continues): the end is overwritten on its day
    await r.opphold(nummer, ("FLYKTNING", "2021-06-01", None))
    assert (await _kategori_hendelser(r, did))[-1] == ("RETT_OG_PLIKT", "2023-03-01")
    # the kommune cannot post a kategori
    upd = await r.client.put(
        f"/api/v1/deltakere/{did}",
        json={
            **{k: v for k, v in person().items() if k not in ("duf_nummer", "fodselsnummer")},
            "kategori": "KAN_TILBYS",
        },
        headers=r.token(),
    )
    assert upd.status_code == 422 and upd.json()["feil"][0]["felt"] == "kategori", upd.text
    assert "beregnes av NIR" in upd.json()["feil"][0]["melding"]


async def _prop81_deltaker(r, fodselsdato: str, utdanning: str | None) -> tuple[str, dict]:
    h = r.token()
    resp = await r.client.post(
        "/api/v1/deltakere", json=person(fodselsdato=fodselsdato, bosettingsdato="2026-01-15"), headers=h
    )
    assert resp.status_code == 201, resp.text
    did = resp.json()["deltaker_id"]
    v = await r.client.post(
        f"/api/v1/deltakere/{did}/vedtak",
        headers=h,
        json={"vedtakstype": "DELTAKELSE", "vedtaksdato": "2026-02-01", "periode": {"fra": "2026-02-02"}},
    )
    assert v.status_code == 201, v.text
    if utdanning:
        u = await r.client.post(
            f"/api/v1/deltakere/{did}/utdanningsbakgrunn", headers=h, json={"utdanningsbakgrunn": utdanning}
        )
        assert u.status_code == 200 and u.json()["utdanningsbakgrunn"] == utdanning, u.text
    return did, h


async def test_a_sluttmal_of_the_wrong_paragraph_is_refused_naming_the_rule(registrering):
    r = registrering
    did, h = await _prop81_deltaker(r, "1995-03-02", "IKKE_VGO")
    url = f"/api/v1/deltakere/{did}/sluttmal"
    resp = await r.client.post(url, headers=h, json={"sluttmal": "P13_ARBEID", "fastsatt_dato": "2026-02-02"})
    assert resp.status_code == 422, resp.text
    (d,) = resp.json()["feil"]
    assert d["felt"] == "sluttmal" and "§ 13" in d["melding"] and "§§ 13–14" in d["regel"], d
    ok = await r.client.post(url, headers=h, json={"sluttmal": "P14_ARBEID", "fastsatt_dato": "2026-02-02"})
    assert ok.status_code == 201, ok.text
    # the Ukraina exception counts as § 13 (seed prop81L lines 122–128)
    did, h = await _prop81_deltaker(r, "1995-03-02", "VGO_FRA_UKRAINA")
    url = f"/api/v1/deltakere/{did}/sluttmal"
    assert (
        await r.client.post(url, headers=h, json={"sluttmal": "P14_ARBEID", "fastsatt_dato": "2026-02-02"})
    ).status_code == 422
    assert (
        await r.client.post(url, headers=h, json={"sluttmal": "P13_ARBEID", "fastsatt_dato": "2026-02-02"})
    ).status_code == 201


async def test_the_age_band_is_enforced_and_the_under_25_main_rule_is_a_warning(registrering):
    r = registrering
    did, h = await _prop81_deltaker(r, "1968-05-01", "IKKE_VGO")  # 57 on the fastsatt dato
    url = f"/api/v1/deltakere/{did}/sluttmal"
    resp = await r.client.post(url, headers=h, json={"sluttmal": "P14_DELER_AV_VGO", "fastsatt_dato": "2026-02-02"})
    assert resp.status_code == 422 and "til og med 55 år" in resp.text, resp.text
    did, h = await _prop81_deltaker(r, "1995-03-02", "IKKE_VGO")  # 30: above the main rule's 25
    url = f"/api/v1/deltakere/{did}/sluttmal"
    body = {"sluttmal": "P14_VGO_FAG_OG_YRKE", "fastsatt_dato": "2026-02-02"}
    warn = await r.client.post(url, headers=h, json=body)
    assert warn.status_code == 409, warn.text
    advarsel = warn.json()
    assert advarsel["kode"] == "KREVER_BEKREFTELSE" and advarsel["advarsel"]["kode"] == "SLUTTMAL_HOVEDREGEL_ALDER"
    assert (await r.client.get(url, headers=h)).json() == []  # nothing stored before the confirmation
    assert (await r.client.post(url + "?confirm=true", headers=h, json=body)).status_code == 201
    assert (await r.client.get(url, headers=h)).json()[0]["sluttmal"] == "P14_VGO_FAG_OG_YRKE"


async def test_avvisning_after_programme_start_says_register_stans_or_avslutning(registrering):
    r = registrering
    did = await ny_deltaker(r)  # programme from 2022-01-10
    h = r.token()
    resp = await r.client.post(f"/api/v1/deltakere/{did}/avvisning", headers=h, json={"avvist_dato": "2022-03-01"})
    assert resp.status_code == 409 and resp.json()["kode"] == "AVVISNING_ETTER_PROGRAMSTART", resp.text
    assert "permanent stans" in resp.json()["detail"] and "avslutning" in resp.json()["detail"]
    assert "AvvisningRegistrert" not in await outbox_typer(r, did)
    before = await r.client.post(f"/api/v1/deltakere/{did}/avvisning", headers=h, json={"avvist_dato": "2022-01-09"})
    assert before.status_code == 201, before.text


async def test_frister_show_the_regelverk_version_and_its_date(registrering):
    r = registrering
    did = await ny_deltaker(r)
    frister = (await r.client.get(f"/api/v1/deltakere/{did}/frister", headers=r.token())).json()
    g = frister["gjennomforingsfrist"]
    assert (g["regelverk"], g["regelverk_gjelder_fra"]) == ("integreringsloven-2021", "2021-01-01")
