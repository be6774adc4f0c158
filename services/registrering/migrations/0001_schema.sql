COMMENT ON SCHEMA registrering IS 'The API kommune fagsystem integrations call: deltakere, vedtak, sluttmål, avslutninger. Owned by the registrering service; no other service reads it.';
