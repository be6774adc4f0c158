-- Where each consumer stands on each partition: the highest offset whose effect (or dead letter) committed,
-- written in the same transaction as that effect (services/plumbing/consumer.py). On partition assignment
-- the consumer resumes from here, not from Kafka's committed offset, so a redelivery at an offset already
-- decided is recognised for ever at constant cost, and processed_events only has to remember event ids for
-- the window in which the same event can reappear at a new offset (services/plumbing/retention.py).
CREATE TABLE consumer_position (
    consumer   text        NOT NULL,
    topic      text        NOT NULL,
    partition  int         NOT NULL CHECK (partition >= 0),
    "offset"   bigint      NOT NULL CHECK ("offset" >= -1),  -- -1: claimed, nothing decided yet
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, partition)
);

-- Retention: old rows are found through these.
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;
