"""Development and test doubles of the services NIR talks to (not part of any production image)."""
