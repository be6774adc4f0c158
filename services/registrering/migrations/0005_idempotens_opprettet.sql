-- Retention (services/plumbing/retention.py) finds old Idempotency-Key answers through this.
CREATE INDEX idempotens_opprettet ON idempotens (opprettet);
