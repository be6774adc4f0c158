-- Issue #13: kategori and lov are computed by NIR from the opphold facts IMDi reports (from UDI through its
-- bosetting), never typed in by the kommune. The facts are about the person, so they are kept per DUF-nummer
-- (UDI's identifier) and apply to every deltaker row with it (one per place of follow-up, 0006), including
-- one a kommune registers after IMDi reported. `tillatelser` is IMDi's full list (a snapshot: each report
-- replaces the one before): [{"oppholdsgrunnlag": ..., "innvilget": "YYYY-MM-DD", "opphort": ... | null}].
CREATE TABLE opphold (
    duf_nummer      text        PRIMARY KEY,
    ankomstdato     date,
    tillatelser     jsonb       NOT NULL,
    registrert_av   text        NOT NULL,
    oppdatert_dato  timestamptz NOT NULL
);

-- The kommune's registration of the person's utdanningsbakgrunn (seed 2021 note), the one in force; its history
-- is the UtdanningsbakgrunnRegistrert events.
ALTER TABLE deltaker ADD COLUMN utdanningsbakgrunn text;
