-- The schema holds the write model's invariants itself (issue #11), whatever the code above it does:
--   * one kommune avslutning in force per deltaker (DOMAIN.md §4 rules 5–6);
--   * an avslutning's versions form one line: each new version follows the newest, and nothing follows a
--     version marked slettet (a delete is final; a retraction too);
--   * hours of work per week within DOMAIN.md §4 rule 3; a first version is never a delete.
-- The avslutning row keeps its current state (newest version, slettet), set by a trigger in the same
-- statement as each new version, so every writer (the API, the consumer, an operator's SQL) keeps it alike.

ALTER TABLE avslutning
    ADD COLUMN siste_versjon int     NOT NULL DEFAULT 0,
    ADD COLUMN slettet       boolean NOT NULL DEFAULT false;

UPDATE avslutning a SET siste_versjon = s.versjon, slettet = s.slettet
  FROM (SELECT DISTINCT ON (avslutning_id) avslutning_id, versjon, slettet
          FROM avslutningsversjon ORDER BY avslutning_id, versjon DESC) s
 WHERE s.avslutning_id = a.avslutning_id;

-- A database that already holds a deltaker with two (the bug of issue #11) is not repaired here: which one
-- is wrong is the kommune's call, and a delete must be published. The migration stops and says so; the
-- README («Én gjeldende kommuneavslutning») says how to resolve it.
DO $$
DECLARE
    antall int;
BEGIN
    SELECT count(*) INTO antall FROM (
        SELECT deltaker_id FROM avslutning WHERE kilde = 'kommune' AND NOT slettet
         GROUP BY deltaker_id HAVING count(*) > 1) d;
    IF antall > 0 THEN
        RAISE EXCEPTION '% deltaker(e) har mer enn én gjeldende kommuneavslutning', antall
            USING HINT = 'Slett de overtallige gjennom API-et (se services/registrering/README.md, '
                         '«Én gjeldende kommuneavslutning») og start tjenesten igjen.';
    END IF;
END $$;

CREATE UNIQUE INDEX avslutning_en_gjeldende_kommuneavslutning ON avslutning (deltaker_id)
    WHERE kilde = 'kommune' AND NOT slettet;

CREATE FUNCTION avslutningsversjon_etter_siste() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Takes the avslutning's row lock: a concurrent writer of the same version waits here, then finds it
    -- no longer the newest.
    UPDATE avslutning SET siste_versjon = NEW.versjon, slettet = NEW.slettet
     WHERE avslutning_id = NEW.avslutning_id AND siste_versjon = NEW.versjon - 1 AND NOT slettet;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'en ny avslutningsversjon må følge den siste, og ingen kan følge en slettet'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'avslutningsversjon_etter_siste',
                  TABLE = 'avslutningsversjon';
    END IF;
    RETURN NULL;
END $$;

-- AFTER: it sees the avslutning row that the same statement inserts with version 1 (lager.py).
CREATE TRIGGER avslutningsversjon_etter_siste AFTER INSERT ON avslutningsversjon
    FOR EACH ROW EXECUTE FUNCTION avslutningsversjon_etter_siste();

ALTER TABLE avslutningsversjon
    ADD CONSTRAINT avslutningsversjon_timer CHECK (timer_arbeid_per_uke > 0 AND timer_arbeid_per_uke <= 168),
    ADD CONSTRAINT avslutningsversjon_forste_er_ikke_sletting CHECK (versjon > 1 OR NOT slettet);
