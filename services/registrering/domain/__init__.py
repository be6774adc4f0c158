"""registrering's pure domain: the programme's facts (modell) and the registration rules (regler)."""
