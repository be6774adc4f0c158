-- The Arbeidsflate's worklist (lager/fristliste.ikke_registrert): the regelmotor's «Avslutningsårsak ikke
-- registrert» per kommune (and nationally), in date order. Partial: a small share of the report.
CREATE INDEX rapport_rad_ikke_registrert ON rapport_rad (oppfolgingskommune, avslutningsdato)
    WHERE kilde = 'regelmotor' AND arsak = 'AVSLUTNINGSARSAK_IKKE_REGISTRERT';
CREATE INDEX rapport_rad_ikke_registrert_nasjonal ON rapport_rad (avslutningsdato)
    WHERE kilde = 'regelmotor' AND arsak = 'AVSLUTNINGSARSAK_IKKE_REGISTRERT';
