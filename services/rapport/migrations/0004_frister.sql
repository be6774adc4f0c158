-- The frister the web application's Arbeidsflate follows (fristliste.py): for a person in programme (no current
-- avslutning) the gjennomføringsfrist, and the oppstartsfrist while vedtak om program or sluttmål is missing.
-- NULL: nothing to follow. Filled by the projection (PROJECTION_VERSION 2 rebuilds the read models once).
ALTER TABLE deltaker ADD COLUMN gjennomforingsfrist date, ADD COLUMN oppstartsfrist date;

-- A kommune's (and an Oslo bydel's: the bydel is filtered within the kommune's range) frister in date order;
-- IMDi's across the country. Partial: most persons have none to follow.
CREATE INDEX deltaker_gjennomforingsfrist ON deltaker (oppfolgingskommune, gjennomforingsfrist)
    WHERE gjennomforingsfrist IS NOT NULL;
CREATE INDEX deltaker_gjennomforingsfrist_nasjonal ON deltaker (gjennomforingsfrist) WHERE gjennomforingsfrist IS NOT NULL;
CREATE INDEX deltaker_oppstartsfrist ON deltaker (oppfolgingskommune, oppstartsfrist) WHERE oppstartsfrist IS NOT NULL;
CREATE INDEX deltaker_oppstartsfrist_nasjonal ON deltaker (oppstartsfrist) WHERE oppstartsfrist IS NOT NULL;

-- The regelmotor's Flyttet/Utvandret/Død (from the Folkeregister) by when they were registered.
CREATE INDEX rapport_rad_folkeregister ON rapport_rad (oppfolgingskommune, registrert_dato)
    WHERE kilde = 'regelmotor' AND arsak IN ('FLYTTET', 'UTVANDRET', 'DOD');
CREATE INDEX rapport_rad_folkeregister_nasjonal ON rapport_rad (registrert_dato)
    WHERE kilde = 'regelmotor' AND arsak IN ('FLYTTET', 'UTVANDRET', 'DOD');
