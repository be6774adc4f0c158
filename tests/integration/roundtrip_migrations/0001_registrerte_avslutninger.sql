-- The effect the round-trip test writes: one row per kommune avslutning received.
CREATE TABLE registrerte_avslutninger (
    avslutning_id uuid PRIMARY KEY,
    deltaker_id   uuid NOT NULL,
    arsak         text NOT NULL,
    mottatt       timestamptz NOT NULL DEFAULT now()
);
