-- A consumed day tick is not applied at once: it waits in `ventende` until the fact topics are caught up
-- with what was on them when the tick was read (services/regelmotor/innhenting.py), so a tick is never
-- decided ahead of facts published before it. `dogn` is the tick that moved `idag` (the trigger of the
-- sweep's events), `sveipet_til` the latest idag whose deadline sweep has completed (a crash mid-sweep
-- resumes it).
-- The ticks are kept as their JSON text, exactly as the contract parses them.
ALTER TABLE klokke ADD COLUMN ventende text, ADD COLUMN dogn text, ADD COLUMN sveipet_til date;
-- Rows stored before this migration were swept up to their idag by the old tick handling.
UPDATE klokke SET sveipet_til = idag;
