"""All of rapport's SQL: the projection's writes and its rebuild (projeksjon), the report's reads
(sporringer), the person list (personliste), the Arbeidsflate's frister and Folkeregister lists (fristliste), the
statistics (statistikk)."""
