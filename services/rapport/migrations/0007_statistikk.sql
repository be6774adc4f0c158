-- Statistikk (issue #17): time in programme and forlengelse per report row, and the counts the statistics
-- read, kept by the database itself beside rapport_rad so a page over a million avsluttede reads thousands of
-- rows, not a million. PROJECTION_VERSION 2 fills the new columns (a rebuild; TRUNCATE empties these too).
ALTER TABLE rapport_rad ADD COLUMN programstart date;
ALTER TABLE rapport_rad ADD COLUMN forlenget boolean NOT NULL DEFAULT false;

-- Persons per area, year and måloppnåelsesgruppe, and how many of them had a forlengelse (bydel '' = none).
CREATE TABLE statistikk_gruppe (
    lov text NOT NULL, avslutningsaar int NOT NULL, oppfolgingsfylke text NOT NULL, oppfolgingskommune text NOT NULL,
    bydel text NOT NULL, gruppe text NOT NULL, antall int NOT NULL, forlenget int NOT NULL,
    PRIMARY KEY (lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel, gruppe)
);
-- Persons per fylke, year and avslutningsårsak (the national distribution per code), and per kommune (a
-- kommune's own, for what the national figure tells it about the others).
CREATE TABLE statistikk_arsak (
    lov text NOT NULL, avslutningsaar int NOT NULL, oppfolgingsfylke text NOT NULL, arsak text NOT NULL,
    antall int NOT NULL,
    PRIMARY KEY (lov, avslutningsaar, oppfolgingsfylke, arsak)
);
CREATE TABLE statistikk_arsak_kommune (
    lov text NOT NULL, oppfolgingskommune text NOT NULL, avslutningsaar int NOT NULL, bydel text NOT NULL,
    arsak text NOT NULL, antall int NOT NULL,
    PRIMARY KEY (lov, oppfolgingskommune, avslutningsaar, bydel, arsak)
);
-- Persons per area, year and whole months from programme start to avslutning (a histogram: the quartiles of
-- any level are read from the sum of its areas' histograms).
CREATE TABLE statistikk_tid (
    lov text NOT NULL, avslutningsaar int NOT NULL, oppfolgingsfylke text NOT NULL, oppfolgingskommune text NOT NULL,
    bydel text NOT NULL, maaneder int NOT NULL, antall int NOT NULL,
    PRIMARY KEY (lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel, maaneder)
);

-- Whole months completed: days / (365.25 / 12), rounded down (services/rapport/statistikk.py DAGER_PER_MAANED).
CREATE FUNCTION maaneder_i_program(start date, slutt date) RETURNS int LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN start <= slutt THEN floor((slutt - start) / 30.4375)::int END $$;

-- One statement per batch (the transition tables hold the batch's rows), the counters touched in key order,
-- so two batches running at once wait for each other rather than deadlock.
CREATE FUNCTION statistikk_endring() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kilde text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT *, 1 AS d FROM ny'
        WHEN 'DELETE' THEN 'SELECT *, -1 AS d FROM gammel'
        ELSE 'SELECT *, 1 AS d FROM ny UNION ALL SELECT *, -1 AS d FROM gammel' END;
BEGIN
    EXECUTE format($q$
        INSERT INTO statistikk_gruppe AS s
        SELECT lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, coalesce(bydel, ''), gruppe, sum(d),
               coalesce(sum(d) FILTER (WHERE forlenget), 0)
        FROM (%s) x GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d) <> 0 OR sum(d) FILTER (WHERE forlenget) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel, gruppe)
        DO UPDATE SET antall = s.antall + EXCLUDED.antall, forlenget = s.forlenget + EXCLUDED.forlenget $q$, kilde);
    EXECUTE format($q$
        INSERT INTO statistikk_arsak AS s
        SELECT lov, avslutningsaar, oppfolgingsfylke, arsak, sum(d)
        FROM (%s) x GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (lov, avslutningsaar, oppfolgingsfylke, arsak)
        DO UPDATE SET antall = s.antall + EXCLUDED.antall $q$, kilde);
    EXECUTE format($q$
        INSERT INTO statistikk_arsak_kommune AS s
        SELECT lov, oppfolgingskommune, avslutningsaar, coalesce(bydel, ''), arsak, sum(d)
        FROM (%s) x GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (lov, oppfolgingskommune, avslutningsaar, bydel, arsak)
        DO UPDATE SET antall = s.antall + EXCLUDED.antall $q$, kilde);
    EXECUTE format($q$
        INSERT INTO statistikk_tid AS s
        SELECT lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, coalesce(bydel, ''),
               maaneder_i_program(programstart, avslutningsdato), sum(d)
        FROM (%s) x WHERE maaneder_i_program(programstart, avslutningsdato) IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (lov, avslutningsaar, oppfolgingsfylke, oppfolgingskommune, bydel, maaneder)
        DO UPDATE SET antall = s.antall + EXCLUDED.antall $q$, kilde);
    RETURN NULL;
END $$;

CREATE TRIGGER statistikk_ny AFTER INSERT ON rapport_rad REFERENCING NEW TABLE AS ny
    FOR EACH STATEMENT EXECUTE FUNCTION statistikk_endring();
CREATE TRIGGER statistikk_endret AFTER UPDATE ON rapport_rad REFERENCING OLD TABLE AS gammel NEW TABLE AS ny
    FOR EACH STATEMENT EXECUTE FUNCTION statistikk_endring();
CREATE TRIGGER statistikk_slettet AFTER DELETE ON rapport_rad REFERENCING OLD TABLE AS gammel
    FOR EACH STATEMENT EXECUTE FUNCTION statistikk_endring();
