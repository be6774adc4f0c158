"""The API kommune fagsystem integrations call: deltakere, vedtak, sluttmål, avslutninger."""
