COMMENT ON SCHEMA web IS 'The caseworkers'' web application: its sessions only (it owns no domain data). Owned by the web service; no other service reads it.';

-- A browser's session, server-side: the cookie holds a random id, this table what it stands for. Keyed by the
-- id's SHA-256, so a copy of the table (a backup, a read of the database) logs nobody in.
-- Before the login completes a row holds the pending authorization request (state, nonce, PKCE verifier), bound
-- to the browser by the same cookie; at login the row is replaced by one under a new id (no session fixation).
CREATE TABLE sesjon (
    id_hash        text        PRIMARY KEY,
    csrf           text        NOT NULL,
    opprettet      timestamptz NOT NULL DEFAULT now(),
    sist_brukt     timestamptz NOT NULL DEFAULT now(),
    innlogging     jsonb,                 -- pending: state, nonce, code_verifier
    bruker         jsonb,                 -- after login: the ID token's sub, preferred_username, roller, kommune
    access_token   text,
    refresh_token  text,
    id_token       text,                  -- id_token_hint for the provider's end_session_endpoint
    token_utloper  timestamptz
);
CREATE INDEX sesjon_sist_brukt ON sesjon (sist_brukt);
