-- The durable inbox: an event is stored here before LINE gets its 200, and
-- workers process it afterwards. The primary key drops redeliveries.
CREATE TABLE webhook_events (
    facility_id      bigint NOT NULL REFERENCES facilities (id),
    event_id         text NOT NULL,
    seq              bigint GENERATED ALWAYS AS IDENTITY,
    -- '' for events outside a one-to-one chat: they are never answered.
    line_user_id     text NOT NULL DEFAULT '',
    -- json, not jsonb: kept as received, and jsonb would refuse a \u0000
    -- in one event and with it the whole delivery.
    payload          json NOT NULL,
    -- when it happened, by LINE's timestamp: a user's events are handled
    -- in this order, whatever order their deliveries arrived in.
    occurred_at      timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    processed_at     timestamptz,
    -- set when every attempt failed: kept for the operator, not retried.
    gave_up          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (facility_id, event_id)
);

-- Serves the claim: the oldest unfinished event of each user.
CREATE INDEX webhook_events_unfinished
    ON webhook_events (facility_id, line_user_id, occurred_at, seq) WHERE processed_at IS NULL;
