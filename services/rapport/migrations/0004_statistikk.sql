-- Statistikk (issue #17): time in programme and forlengelse per report row, and an index the statistics
-- read alone (index-only: every column the query groups or counts is in it). PROJECTION_VERSION 2 fills them.
ALTER TABLE rapport_rad ADD COLUMN programstart date;
ALTER TABLE rapport_rad ADD COLUMN forlenget boolean NOT NULL DEFAULT false;
CREATE INDEX rapport_rad_statistikk_lov ON rapport_rad (lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel)
    INCLUDE (gruppe, arsak, forlenget, programstart, avslutningsdato);
