-- When each caseworker last opened the Arbeidsflate, for «Flyttet, utvandret eller død siden forrige besøk»
-- (lager.forrige_besok). `forrige` is the last visit in an earlier session: reloading the page within one session keeps it,
-- so the list does not empty itself while the caseworker works through it.
CREATE TABLE besok (
    brukerident text        PRIMARY KEY,
    sesjon_hash text        NOT NULL,
    sist        timestamptz NOT NULL,
    forrige     timestamptz
);
