-- Issue #16 §3: the identities (DUF-nummer, names, fødselsdato) come on their own topic
-- (nir.deltaker-identitet.v1), in any order with the person's other facts (nir.deltaker.v2): each snapshot
-- keeps its own newest-wins time.
ALTER TABLE deltaker ADD COLUMN identitet_tid timestamptz;  -- recorded_at of the identity snapshot held
