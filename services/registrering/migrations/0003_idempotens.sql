-- Idempotency-Key (issue #3 «Idempotent writes»): the first answer to a key, per user, stored in the same
-- transaction as the write it answers; a retry gets that answer and writes nothing.
CREATE TABLE idempotens (
    brukerident text        NOT NULL,
    nokkel      text        NOT NULL,
    foresporsel text        NOT NULL,  -- sha256 of method, path and body: the same key with another request is refused
    status      int,
    svar        jsonb,
    opprettet   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brukerident, nokkel)
);
