-- Read models of the rapport service (issue #6). Everything here is derived from the topics and can be
-- rebuilt: services/rapport/rebuild.py truncates these tables and the service consumes from the beginning.

-- Which projection code built the tables, and the generation of the consumer group that fills them.
CREATE TABLE projeksjon (
    id         boolean     PRIMARY KEY DEFAULT true CHECK (id),
    versjon    int         NOT NULL,
    generasjon int         NOT NULL DEFAULT 1,
    endret     timestamptz NOT NULL DEFAULT now()
);

-- Facts per deltaker, from any topic, in any order: a row may exist before its DeltakerRegistrert.
CREATE TABLE deltaker (
    deltaker_id        uuid PRIMARY KEY,
    duf_nummer         text,
    fornavn            text,
    etternavn          text,
    kjonn              text,
    fodselsdato        date,
    lov                text,
    bosettingsdato     date,
    oppfolgingskommune text,
    bydel              text,
    person_tid         timestamptz,            -- recorded_at of the snapshot held (newest wins)
    kategori           text,                   -- NULL: not in a kategori (left it, or not known yet)
    kategori_fra       date,
    kategori_tid       timestamptz,
    siste_kategori     text,                   -- the last kategori the person had (shown after leaving it)
    siste_kategori_fra date,
    sluttmal           text,
    sluttmal_fra       date,
    sluttmal_tid       timestamptz
);

CREATE TABLE vedtak (
    vedtak_id   uuid PRIMARY KEY,
    deltaker_id uuid NOT NULL,
    vedtakstype text,
    resultat    text,
    fra         date,
    til         date,
    tid         timestamptz,                   -- recorded_at of the snapshot held
    slettet     boolean NOT NULL DEFAULT false -- a tombstone: a late VedtakRegistrert must not revive it
);
CREATE INDEX vedtak_deltaker ON vedtak (deltaker_id);

CREATE TABLE fravaer (
    fravaer_id    uuid PRIMARY KEY,
    deltaker_id   uuid NOT NULL,
    fravaerstype  text,
    fra           date,
    til           date,
    slettet       boolean NOT NULL DEFAULT false
);
CREATE INDEX fravaer_deltaker ON fravaer (deltaker_id);

-- Every version of every avslutning: the kommune's (versjon 1..n) and the regelmotor's (versjon 1).
CREATE TABLE avslutning_versjon (
    avslutning_id      uuid        NOT NULL,
    versjon            int         NOT NULL,
    deltaker_id        uuid        NOT NULL,
    kilde              text        NOT NULL CHECK (kilde IN ('kommune', 'regelmotor')),
    avslutningstype    text        NOT NULL,
    arsak              text        NOT NULL,
    avslutningsdato    date        NOT NULL,
    timer_arbeid_per_uke numeric(4, 1),
    registrert_av      text        NOT NULL,
    registrert_dato    timestamptz NOT NULL,
    oppfolgingskommune text        NOT NULL,
    bydel              text,
    PRIMARY KEY (avslutning_id, versjon)
);
CREATE INDEX avslutning_versjon_deltaker ON avslutning_versjon (deltaker_id);

-- Deleted (kommune) or retracted (regelmotor) avslutninger; may arrive before the avslutning itself.
CREATE TABLE avslutning_slettet (
    avslutning_id uuid        PRIMARY KEY,
    deltaker_id   uuid        NOT NULL,
    slettet_av    text        NOT NULL,
    slettet_dato  timestamptz NOT NULL,
    grunn         text
);
CREATE INDEX avslutning_slettet_deltaker ON avslutning_slettet (deltaker_id);

-- The report: one row per person with a current avslutning, denormalised for filtering, paging and CSV.
CREATE TABLE rapport_rad (
    deltaker_id          uuid PRIMARY KEY,
    lov                  text NOT NULL,
    duf_nummer           text NOT NULL,
    fornavn              text NOT NULL,
    etternavn            text NOT NULL,
    -- domain.sorteringsnokkel: byte order (C) = Norwegian alphabetical order; fast to sort, prefix-searchable
    fornavn_sort         text COLLATE "C" NOT NULL,
    etternavn_sort       text COLLATE "C" NOT NULL,
    kjonn                text NOT NULL,
    fodselsdato          date NOT NULL,
    alder                int  NOT NULL,       -- whole years on the avslutningsdato
    kategori             text,
    kategori_navn        text NOT NULL DEFAULT '',
    sluttmal             text,
    sluttmal_navn        text NOT NULL DEFAULT '',
    avslutning_id        uuid NOT NULL,
    avslutningstype      text NOT NULL,
    arsak                text NOT NULL,
    arsak_navn           text NOT NULL,
    gruppe               text NOT NULL,
    avslutningsdato      date NOT NULL,
    avslutningsaar       int  NOT NULL,
    kilde                text NOT NULL,
    registrert_av        text NOT NULL,
    registrert_dato      timestamptz NOT NULL,
    oppfolgingskommune   text NOT NULL,
    kommune_navn         text NOT NULL,
    bydel                text,
    bydel_navn           text,
    oppfolgingsfylke     text NOT NULL,
    fylke_navn           text NOT NULL,
    frist_gjennomforing  date
);
CREATE INDEX rapport_rad_kommune ON rapport_rad (lov, oppfolgingskommune, etternavn_sort, fornavn_sort, deltaker_id);
CREATE INDEX rapport_rad_navn ON rapport_rad (lov, etternavn_sort, fornavn_sort, deltaker_id);
CREATE INDEX rapport_rad_fornavn ON rapport_rad (lov, fornavn_sort, etternavn_sort, deltaker_id);
CREATE INDEX rapport_rad_kommune_dato ON rapport_rad (lov, oppfolgingskommune, avslutningsdato);
CREATE INDEX rapport_rad_dato ON rapport_rad (lov, avslutningsdato);
CREATE INDEX rapport_rad_duf ON rapport_rad (duf_nummer);
CREATE INDEX rapport_rad_statistikk ON rapport_rad (avslutningsaar, oppfolgingsfylke, oppfolgingskommune);
