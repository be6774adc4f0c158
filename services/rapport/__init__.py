"""Read models: the avslutning report, CSV, avslutningshistorikk and måloppnåelse."""
