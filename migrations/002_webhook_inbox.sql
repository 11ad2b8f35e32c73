-- The durable inbox: an event is stored here before LINE gets its 200, and
-- workers process it afterwards. The primary key drops redeliveries.
CREATE TABLE webhook_events (
    facility_id      bigint NOT NULL REFERENCES facilities (id),
    event_id         text NOT NULL,
    seq              bigint GENERATED ALWAYS AS IDENTITY,
    line_user_id     text NOT NULL DEFAULT '',
    payload          jsonb NOT NULL,
    received_at      timestamptz NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    processed_at     timestamptz,
    PRIMARY KEY (facility_id, event_id)
);

CREATE INDEX webhook_events_pending
    ON webhook_events (seq) WHERE processed_at IS NULL;
