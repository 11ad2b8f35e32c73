-- One row per queue with unfinished events: a user's one-to-one chat, or ''
-- for the events outside one (groups, rooms), which are never answered and
-- simply go one after another. The claim takes due heads with SKIP LOCKED
-- and then each head's oldest unfinished event by index, so a claim costs
-- what it takes, however long the backlog. The row is kept in the same
-- transaction as the events it stands for (Add, Done, GiveUp, RetryAt).
CREATE TABLE inbox_heads (
    facility_id      bigint NOT NULL REFERENCES facilities (id),
    line_user_id     text NOT NULL,
    -- when the queue's oldest unfinished event may be taken: when it
    -- arrived, when its retry is due, or when its worker's lease runs out.
    next_attempt_at  timestamptz NOT NULL,
    PRIMARY KEY (facility_id, line_user_id)
);

CREATE INDEX inbox_heads_due ON inbox_heads (facility_id, next_attempt_at);

INSERT INTO inbox_heads (facility_id, line_user_id, next_attempt_at)
SELECT facility_id, line_user_id, min(next_attempt_at)
FROM webhook_events
WHERE processed_at IS NULL
GROUP BY facility_id, line_user_id;

-- Serves the prune, which deletes finished events oldest first in batches.
CREATE INDEX webhook_events_finished
    ON webhook_events (facility_id, processed_at) WHERE processed_at IS NOT NULL;

-- Deleting a mother's data, and the foreign key to mothers when she is
-- deleted, look her bookings up by these two columns.
CREATE INDEX bookings_by_mother ON bookings (facility_id, mother_id);
