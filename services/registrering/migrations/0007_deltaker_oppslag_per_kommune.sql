-- No timing oracle (issue #14 §4): a kommune's lookup of a DUF-nummer or fødselsnummer (registration's duplicate
-- check, /sok, /identitet) goes by (oppfolgingskommune, number), so another kommune's row with that number is
-- never read — the same work whether or not someone else follows the person up. IMDi's national lookup keeps
-- the indexes of 0006.
CREATE INDEX deltaker_kommune_duf ON deltaker (oppfolgingskommune, duf_nummer);
CREATE INDEX deltaker_kommune_fnr ON deltaker (oppfolgingskommune, fodselsnummer) WHERE fodselsnummer IS NOT NULL;
