"""The rule engine: computed avslutninger from registrering's facts, the Folkeregister and the passage of time."""
