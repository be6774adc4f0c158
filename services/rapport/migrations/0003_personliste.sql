-- NIR's personlister (personliste.py): a kommune's persons by name, a page at a time.
CREATE INDEX deltaker_kommune_navn ON deltaker (oppfolgingskommune, etternavn, fornavn, deltaker_id);
