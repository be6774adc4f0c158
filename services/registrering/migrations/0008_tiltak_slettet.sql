-- A tiltak registered by mistake can be deleted (DELETE …/tiltak/{id}, TiltakSlettet): kept, marked, as vedtak and
-- fravær are, so the history and a late retry see it.
ALTER TABLE tiltak ADD COLUMN slettet boolean NOT NULL DEFAULT false;
