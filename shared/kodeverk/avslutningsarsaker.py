"""The 28 avslutningsårsaker (DOMAIN.md §3; seed nir-brukerveiledning-avslutning-2023 §10–12).

Display names, grupper and veiledningstekster are copied letter for letter from the seed's tables: they
are what users search and filter on. Code everywhere keys on `Avslutningsarsakkode`, never on the text.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Maaloppnaaelsesgruppe(StrEnum):
    """Column «Måloppnåelse direkte etter endt program» of the seed's tables (§10–12)."""

    ARBEID = "Arbeid"
    ARBEID_OG_UTDANNING = "Arbeid og utdanning"
    UTDANNING_HOY_FAGSKOLE = "Utdanning – høy/fagskole"  # en dash, as in the seed
    UTDANNING_VGO = "Utdanning - Vgo"
    ANNET = "Annet"
    INNGAR_IKKE = "Inngår ikke i tallgrunnlaget for måloppnåelse"


class Avslutningstype(StrEnum):
    ORDINAER = "Ordinær avslutning"
    STANS = "Stans"


class Kilde(StrEnum):
    """Who registered (or may register) an avslutning."""

    KOMMUNE = "kommune"
    REGELMOTOR = "regelmotor"


class Avslutningsarsakkode(StrEnum):
    ARBEID = "ARBEID"
    ARBEID_MED_LONNSTILSKUDD = "ARBEID_MED_LONNSTILSKUDD"
    ARBEID_OG_GRUNNSKOLE = "ARBEID_OG_GRUNNSKOLE"
    ARBEID_OG_VGO = "ARBEID_OG_VGO"
    ARBEID_OG_FAGSKOLE = "ARBEID_OG_FAGSKOLE"
    ARBEID_OG_HOYERE_UTDANNING = "ARBEID_OG_HOYERE_UTDANNING"
    HOYERE_UTDANNING = "HOYERE_UTDANNING"
    FAGSKOLE = "FAGSKOLE"
    VGO_FAG_OG_YRKE = "VGO_FAG_OG_YRKE"
    VGO_STUDIESPESIALISERING = "VGO_STUDIESPESIALISERING"
    GRUNNSKOLE = "GRUNNSKOLE"
    ARBEIDSMARKEDSTILTAK_NAV = "ARBEIDSMARKEDSTILTAK_NAV"
    KVALIFISERENDE_TILTAK = "KVALIFISERENDE_TILTAK"
    HJEMMEVAERENDE_BARN_UNDER_1 = "HJEMMEVAERENDE_BARN_UNDER_1"
    HJEMMEVAERENDE_BARN_OVER_1 = "HJEMMEVAERENDE_BARN_OVER_1"
    IKKE_ARBEIDSSOKER = "IKKE_ARBEIDSSOKER"
    HELSEMESSIGE_UTFORDRINGER = "HELSEMESSIGE_UTFORDRINGER"
    IKKE_LENGER_I_KATEGORI_MISTET_RETT = "IKKE_LENGER_I_KATEGORI_MISTET_RETT"
    FLYTTET = "FLYTTET"
    UTVANDRET = "UTVANDRET"
    DOD = "DOD"
    UKJENT = "UKJENT"
    ANNET = "ANNET"
    AVSLUTNINGSARSAK_IKKE_REGISTRERT = "AVSLUTNINGSARSAK_IKKE_REGISTRERT"
    UTGATT_OPPSTARTSFRIST = "UTGATT_OPPSTARTSFRIST"
    IKKE_LENGER_I_KATEGORI = "IKKE_LENGER_I_KATEGORI"
    PERSON_AVVIST_PROGRAM = "PERSON_AVVIST_PROGRAM"
    VEDTAK_OM_PERMANENT_STANS = "VEDTAK_OM_PERMANENT_STANS"


class Avslutningsarsak(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kode: Avslutningsarsakkode
    navn: str
    gruppe: Maaloppnaaelsesgruppe
    kan_settes_av: frozenset[Kilde]
    krever_timer_arbeid_per_uke: bool
    avslutningstype: Avslutningstype
    veiledningstekst: str

    @property
    def kan_registreres_av_kommunen(self) -> bool:
        return Kilde.KOMMUNE in self.kan_settes_av

    @property
    def beregnes_av_regelmotor(self) -> bool:
        return Kilde.REGELMOTOR in self.kan_settes_av

    @property
    def redigerbar_uansett_kilde(self) -> bool:
        """Seed §4 tips: Flyttet, Utvandret and Død are editable whoever set them."""
        return self.kan_settes_av == {Kilde.KOMMUNE, Kilde.REGELMOTOR}

    @property
    def inngar_i_maaloppnaaelse(self) -> bool:
        return self.gruppe is not Maaloppnaaelsesgruppe.INNGAR_IKKE


_K = frozenset({Kilde.KOMMUNE})
_R = frozenset({Kilde.REGELMOTOR})
_KR = frozenset({Kilde.KOMMUNE, Kilde.REGELMOTOR})
_G = Maaloppnaaelsesgruppe
_C = Avslutningsarsakkode

# The Folkeregister texts are the same in the seed's §11 and §12.
_FLYTTET = (
    "Deltaker har flyttet til annen kommune. Dette kan registreres av kommunen, men vil også beregnes av "
    "regelmotor basert på data fra Folkeregisteret"
)
_UTVANDRET = (
    "Deltaker har flyttet ut av landet. Dette kan registreres av kommunen, men vil også beregnes av "
    "regelmotor basert på data fra Folkeregisteret"
)
_DOD = (
    "Deltakeren er død. Dette kan registreres av kommunen, men vil også beregnes av regelmotor basert på "
    "data fra Folkeregisteret"
)

# (kode, navn, gruppe, who, veiledningstekst) in the seed's order: §10–11 (kommune), then §12 (regelmotor).
_ROWS: tuple[tuple[Avslutningsarsakkode, str, Maaloppnaaelsesgruppe, frozenset[Kilde], str], ...] = (
    (
        _C.ARBEID,
        "Arbeid",
        _G.ARBEID,
        _K,
        "Fast eller midlertidig arbeid. Registrer antall timer pr. uke for arbeidsforholdet/ene",
    ),
    (
        _C.ARBEID_MED_LONNSTILSKUDD,
        "Arbeid med lønnstilskudd fra NAV",
        _G.ANNET,
        _K,
        "Overgang til NAVs ordning med midlertidig eller varig lønnstilskudd",
    ),
    (
        _C.ARBEID_OG_GRUNNSKOLE,
        "Arbeid og grunnskole",
        _G.ARBEID_OG_UTDANNING,
        _K,
        "Kombinasjon av arbeid og opplæring på grunnskole nivå",
    ),
    (
        _C.ARBEID_OG_VGO,
        "Arbeid og utdanning - videregående opplæring",
        _G.ARBEID_OG_UTDANNING,
        _K,
        "Kombinasjon av arbeid og opplæring på videregående nivå",
    ),
    (
        _C.ARBEID_OG_FAGSKOLE,
        "Arbeid og utdanning - fagskole",
        _G.ARBEID_OG_UTDANNING,
        _K,
        "Kombinasjon av arbeid og utdanning ved fagskole",
    ),
    (
        _C.ARBEID_OG_HOYERE_UTDANNING,
        "Arbeid og utdanning - høyere utdanning",
        _G.ARBEID_OG_UTDANNING,
        _K,
        "Kombinasjon av arbeid og utdanning på høyskole/universitetsnivå",
    ),
    (_C.HOYERE_UTDANNING, "Høyere utdanning", _G.UTDANNING_HOY_FAGSKOLE, _K, "Høyskole eller universitet"),
    (
        _C.FAGSKOLE,
        "Fagskole",
        _G.UTDANNING_HOY_FAGSKOLE,
        _K,
        "Fagskole - offentlig godkjent utdanning på nivå over videregående opplæring. Et fullverdig "
        "alternativ til universitets- og høyskoleutdanning",
    ),
    (
        _C.VGO_FAG_OG_YRKE,
        "Videregående opplæring - fag og yrkesopplæring",
        _G.UTDANNING_VGO,
        _K,
        "Videregående opplæring for voksne i yrkesfaglig utdanningsprogram",
    ),
    (
        _C.VGO_STUDIESPESIALISERING,
        "Videregående opplæring - studiespesialisering",
        _G.UTDANNING_VGO,
        _K,
        "Videregående opplæring for voksne i studieforberedende utdanningsprogram",
    ),
    (_C.GRUNNSKOLE, "Grunnskole", _G.ANNET, _K, "Grunnskoleopplæring for voksne"),
    (
        _C.ARBEIDSMARKEDSTILTAK_NAV,
        "Arbeidsmarkedstiltak i regi av NAV",
        _G.ANNET,
        _K,
        "Arbeidsmarkedstiltak i henhold til Forskrift om arbeidsmarkedstiltak (tiltaksforskriften) i "
        "Arbeids- og velferdsetaten, for eksempel tiltakene arbeidstrening, arbeidsmarkedsopplæring, mv.",
    ),
    (
        _C.KVALIFISERENDE_TILTAK,
        "Kvalifiserende tiltak i regi av kommunen eller andre aktører",
        _G.ANNET,
        _K,
        "Deltakere som ved avslutning av program deltar på kvalifiserende tiltak i regi av enten kommunen, "
        "private eller frivillige tilbydere. Dette kan omfatte deltakelse i Kvalifiseringsprogram (KVP), "
        "enkeltstående kurs/tilbud inkludert nettbaserte tilbud mm. Deltakelse på statlige "
        "arbeidsmarkedstiltak i henhold til Forskrift om arbeidsmarkedstiltak (tiltaksforskriften) i "
        "Arbeids- og velferdsetaten dekkes av annen kategori Arbeidsmarkedstiltak i regi av NAV",
    ),
    (
        _C.HJEMMEVAERENDE_BARN_UNDER_1,
        "Hjemmeværende med omsorg for barn under 1 år",
        _G.ANNET,
        _K,
        "Deltager som ikke går til annen aktivitet grunnet omsorg for barn under 1 år",
    ),
    (
        _C.HJEMMEVAERENDE_BARN_OVER_1,
        "Hjemmeværende med omsorg for barn over 1 år",
        _G.ANNET,
        _K,
        "Deltager som ikke går til annen aktivitet grunnet omsorg for barn over 1 år",
    ),
    (
        _C.IKKE_ARBEIDSSOKER,
        "Ikke arbeidssøker",
        _G.ANNET,
        _K,
        "Benyttes når deltaker ikke er registrert som arbeidssøker hos NAV etter avsluttet program. Merk at "
        "det er andre kategorier for hjemmeværende med barn",
    ),
    (
        _C.HELSEMESSIGE_UTFORDRINGER,
        "Helsemessige utfordringer",
        _G.ANNET,
        _K,
        "Deltager som avsluttes grunnet helsemessige årsaker i løpet av programmet, eller deltakere som av "
        "helsemessige årsaker ikke er i aktivitet etter endt program, feks personer som går over på "
        "trygdeytelser",
    ),
    (
        _C.IKKE_LENGER_I_KATEGORI_MISTET_RETT,
        "Ikke lenger i kategori, mistet rett",
        _G.INNGAR_IKKE,
        _K,
        "Oppholdsgrunnlaget til deltaker har endret seg slik at deltaker ikke lenger har rett til introduksjonsprogram",
    ),
    (_C.FLYTTET, "Flyttet", _G.ANNET, _KR, _FLYTTET),
    (_C.UTVANDRET, "Utvandret", _G.INNGAR_IKKE, _KR, _UTVANDRET),
    (_C.DOD, "Død", _G.INNGAR_IKKE, _KR, _DOD),
    (_C.UKJENT, "Ukjent", _G.ANNET, _K, "Kommunen er ikke kjent med deltakers aktivitet"),
    (_C.ANNET, "Annet", _G.ANNET, _K, "Avslutningsårsak som ikke dekkes av de andre avslutningsårsakene"),
    (
        _C.AVSLUTNINGSARSAK_IKKE_REGISTRERT,
        "Avslutningsårsak ikke registrert",
        _G.ANNET,
        _R,
        "Beregnes av regelmotor ved utgått gjennomføringsfrist, dersom kommunen ikke har registrert en "
        "avslutningsårsak (eller vedtak og slutt mål, som er forutsetning for å registrere avslutning)",
    ),
    (
        _C.UTGATT_OPPSTARTSFRIST,
        "Utgått oppstartsfrist",
        _G.INNGAR_IKKE,
        _R,
        "Beregnes av regelmotor dersom kommunen ikke har registrert vedtak om program og slutt mål innen "
        "fristen for oppstart (personen er dermed ikke lenger i kategori)",
    ),
    (
        _C.IKKE_LENGER_I_KATEGORI,
        "Ikke lenger i kategori",
        _G.INNGAR_IKKE,
        _R,
        "Ikke lenger i kategori: ikke et valgalternativ for kommunen, beregnes av regelmotor dersom personen "
        "ikke lenger er i kategori.",
    ),
    (
        _C.PERSON_AVVIST_PROGRAM,
        "Person avvist program",
        _G.INNGAR_IKKE,
        _R,
        "Ikke et valgalternativ for kommunen, beregnes av regelmotor dersom det er registrert at person har "
        "avvist program.",
    ),
    (
        _C.VEDTAK_OM_PERMANENT_STANS,
        "Vedtak om permanent stans",
        _G.ANNET,
        _R,
        "Ikke et valgalternativ for kommunen, beregnes av regelmotor dersom det er registrert vedtak om "
        "permanent stans på personen. Kommunen må i tillegg registrere avslutningsårsak. Når årsaken til "
        "vedtak om permanent stans er registrert vil denne årsaken vises som siste avslutning. Permanent "
        "stans vil settes i kursiv som slettet.",
    ),
)

AVSLUTNINGSARSAKER: dict[Avslutningsarsakkode, Avslutningsarsak] = {
    kode: Avslutningsarsak(
        kode=kode,
        navn=navn,
        gruppe=gruppe,
        kan_settes_av=who,
        # DOMAIN.md §4 rule 3 and the seed's §3 screenshot: only Arbeid asks for hours.
        krever_timer_arbeid_per_uke=kode is _C.ARBEID,
        # Seed §3: only the regelmotor's «Vedtak om permanent stans» has avslutningstype «Stans».
        avslutningstype=Avslutningstype.STANS if kode is _C.VEDTAK_OM_PERMANENT_STANS else Avslutningstype.ORDINAER,
        veiledningstekst=tekst,
    )
    for kode, navn, gruppe, who, tekst in _ROWS
}


def avslutningsarsak(kode: Avslutningsarsakkode | str) -> Avslutningsarsak:
    """The årsak for a code; raises KeyError naming the code when it is unknown."""
    try:
        return AVSLUTNINGSARSAKER[Avslutningsarsakkode(kode)]
    except ValueError:
        raise KeyError(f"ukjent avslutningsårsak: {kode!r}") from None
