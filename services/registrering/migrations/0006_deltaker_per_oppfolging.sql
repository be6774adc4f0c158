-- No existence oracle (issue #14 §4): a person is unique within one place of follow-up — the oppfølgingskommune
-- and, in Oslo, the bydel — not nationally. A kommune registering a person another kommune (or another Oslo
-- bydel) follows up gets its own deltaker, and learns nothing of the other; the other's record stays theirs.
-- Within a caller's wider view (an Oslo-wide user over its bydeler) the API refuses a visible duplicate itself,
-- under an advisory lock on the identifiers (lager.laas_identer).
ALTER TABLE deltaker DROP CONSTRAINT deltaker_duf_nummer_key;
ALTER TABLE deltaker DROP CONSTRAINT deltaker_fodselsnummer_key;
CREATE UNIQUE INDEX deltaker_duf_per_oppfolging ON deltaker (oppfolgingskommune, coalesce(bydel, ''), duf_nummer);
CREATE UNIQUE INDEX deltaker_fnr_per_oppfolging ON deltaker (oppfolgingskommune, coalesce(bydel, ''), fodselsnummer)
    WHERE fodselsnummer IS NOT NULL;
CREATE INDEX deltaker_duf_nummer ON deltaker (duf_nummer);
CREATE INDEX deltaker_fodselsnummer ON deltaker (fodselsnummer) WHERE fodselsnummer IS NOT NULL;
