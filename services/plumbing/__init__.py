"""Plumbing the four services share: database pool and migrations, Kafka wiring, idempotent consumption,
the outbox relay, dead-lettering, health and metrics, logging. No domain rules live here."""
