-- Per-deltaker state: the facts seen and the computed avslutninger published (services/regelmotor/domain),
-- as jsonb, with the frister as columns so the daily sweep finds expired ones through an index.
CREATE TABLE deltaker_tilstand (
    deltaker_id         uuid        PRIMARY KEY,
    tilstand            jsonb       NOT NULL,
    gjennomforingsfrist date,
    oppstartsfrist      date,
    -- the next day on which time alone can change this deltaker's outcome; NULL when none
    neste_tidsfrist     date,
    oppdatert_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deltaker_tilstand_neste_tidsfrist ON deltaker_tilstand (neste_tidsfrist)
    WHERE neste_tidsfrist IS NOT NULL;

-- The clock: the latest day consumed (the rules' «idag») and the latest day this clock published.
CREATE TABLE klokke (
    id             smallint PRIMARY KEY CHECK (id = 1),
    idag           date,
    sist_publisert date
);
INSERT INTO klokke (id) VALUES (1);
