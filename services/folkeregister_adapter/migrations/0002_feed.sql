-- Who NIR knows: every fødselsnummer/d-nummer a deltaker has had → the internal deltaker id (from nir.deltaker.v1).
CREATE TABLE personer (
    ident       text PRIMARY KEY,
    deltaker_id uuid NOT NULL
);
CREATE INDEX personer_deltaker ON personer (deltaker_id);

-- What NIR has been told about each deltaker (domain.KjenteFakta): the originals that corrections and
-- annulments reference, and the kommunenummer last seen.
CREATE TABLE deltakere (
    deltaker_id uuid PRIMARY KEY,
    fakta       jsonb NOT NULL,
    endret_at   timestamptz NOT NULL DEFAULT now()
);

-- The durable pointer: the next sekvensnummer to read. Advanced in the same transaction as the outbox rows.
-- gap_*: the feed answered 406 (hendelser deleted after retention) and the adapter stopped there.
CREATE TABLE feedpeker (
    id                  int PRIMARY KEY CHECK (id = 1),
    neste_sekvensnummer bigint NOT NULL CHECK (neste_sekvensnummer >= 1),
    oppdatert_at        timestamptz NOT NULL DEFAULT now(),
    gap_fra             bigint,
    gap_melding         text,
    gap_oppdaget_at     timestamptz
);
INSERT INTO feedpeker (id, neste_sekvensnummer) VALUES (1, 1);

-- Hendelser for NIR's deltakere already handled, by the feed's own identity (dokumentidentifikator).
CREATE TABLE behandlede_hendelser (
    hendelse_id   text PRIMARY KEY,
    sekvensnummer bigint NOT NULL,
    behandlet_at  timestamptz NOT NULL DEFAULT now()
);
