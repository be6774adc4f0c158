-- registrering's write model (issue #3). Every avslutning keeps every version; deletes are versions too.

CREATE TABLE deltaker (
    deltaker_id        uuid        PRIMARY KEY,
    duf_nummer         text        NOT NULL UNIQUE,
    fodselsnummer      text        UNIQUE,
    fornavn            text        NOT NULL,
    etternavn          text        NOT NULL,
    kjonn              text        NOT NULL,
    fodselsdato        date        NOT NULL,
    lov                text        NOT NULL,
    bosettingsdato     date        NOT NULL,
    oppfolgingskommune text        NOT NULL,
    bydel              text,
    kategori           text,
    kategori_fra       date,
    kategori_til       date,
    registrert_av      text        NOT NULL,
    registrert_dato    timestamptz NOT NULL,
    oppdatert_dato     timestamptz NOT NULL
);
CREATE INDEX deltaker_oppfolgingskommune ON deltaker (oppfolgingskommune);

-- All vedtak types (deltakelse, forlengelse, permisjon, midlertidig/permanent stans, avslag).
CREATE TABLE vedtak (
    vedtak_id       uuid        PRIMARY KEY,
    deltaker_id     uuid        NOT NULL REFERENCES deltaker,
    vedtakstype     text        NOT NULL,
    resultat        text        NOT NULL,
    vedtaksdato     date        NOT NULL,
    fra             date        NOT NULL,
    til             date,
    gjeldende       boolean     NOT NULL DEFAULT true,
    slettet         boolean     NOT NULL DEFAULT false,
    registrert_av   text        NOT NULL,
    registrert_dato timestamptz NOT NULL,
    CHECK (til IS NULL OR til >= fra)
);
CREATE INDEX vedtak_deltaker ON vedtak (deltaker_id);

-- Sluttmål: the newest registration is the one in force.
CREATE TABLE sluttmal (
    id              bigserial   PRIMARY KEY,
    deltaker_id     uuid        NOT NULL REFERENCES deltaker,
    sluttmal        text        NOT NULL,
    fastsatt_dato   date        NOT NULL,
    registrert_av   text        NOT NULL,
    registrert_dato timestamptz NOT NULL
);
CREATE INDEX sluttmal_deltaker ON sluttmal (deltaker_id, id);

CREATE TABLE tiltak (
    tiltak_id       uuid         PRIMARY KEY,
    deltaker_id     uuid         NOT NULL REFERENCES deltaker,
    tiltakskode     text         NOT NULL,
    fra             date         NOT NULL,
    til             date,
    timer_per_uke   numeric(4,1) NOT NULL CHECK (timer_per_uke > 0),
    gjeldende       boolean      NOT NULL DEFAULT true,
    registrert_av   text         NOT NULL,
    registrert_dato timestamptz  NOT NULL,
    CHECK (til IS NULL OR til >= fra)
);
CREATE INDEX tiltak_deltaker ON tiltak (deltaker_id);

CREATE TABLE fravaer (
    fravaer_id      uuid        PRIMARY KEY,
    deltaker_id     uuid        NOT NULL REFERENCES deltaker,
    fravaerstype    text        NOT NULL,
    fra             date        NOT NULL,
    til             date,
    slettet         boolean     NOT NULL DEFAULT false,
    registrert_av   text        NOT NULL,
    registrert_dato timestamptz NOT NULL,
    CHECK (til IS NULL OR til >= fra)
);
CREATE INDEX fravaer_deltaker ON fravaer (deltaker_id);

CREATE TABLE avvisning (
    id              bigserial   PRIMARY KEY,
    deltaker_id     uuid        NOT NULL REFERENCES deltaker,
    avvist_dato     date        NOT NULL,
    registrert_av   text        NOT NULL,
    registrert_dato timestamptz NOT NULL
);
CREATE INDEX avvisning_deltaker ON avvisning (deltaker_id);

-- An avslutning, the kommune's or the regelmotor's (consumed from nir.beregnet-avslutning.v1).
CREATE TABLE avslutning (
    avslutning_id uuid PRIMARY KEY,
    deltaker_id   uuid NOT NULL REFERENCES deltaker,
    kilde         text NOT NULL CHECK (kilde IN ('kommune', 'regelmotor'))
);
CREATE INDEX avslutning_deltaker ON avslutning (deltaker_id);

-- Every version; a delete (or the regelmotor's retraction) is a version with slettet = true.
CREATE TABLE avslutningsversjon (
    avslutning_id        uuid         NOT NULL REFERENCES avslutning,
    versjon              int          NOT NULL CHECK (versjon >= 1),
    avslutningstype      text         NOT NULL,
    arsak                text         NOT NULL,
    avslutningsdato      date         NOT NULL,
    timer_arbeid_per_uke numeric(4,1),
    registrert_av        text         NOT NULL,
    registrert_dato      timestamptz  NOT NULL,
    oppfolgingskommune   text         NOT NULL,
    bydel                text,
    slettet              boolean      NOT NULL DEFAULT false,
    PRIMARY KEY (avslutning_id, versjon)
);
