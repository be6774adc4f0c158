COMMENT ON SCHEMA rapport IS 'Read models: the avslutning report, CSV, avslutningshistorikk and måloppnåelse. Owned by the rapport service; no other service reads it.';
