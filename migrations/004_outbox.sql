-- The outbox: every push (late answer, reminder, consultation answer,
-- waitlist offer, closure notice) is a row written in the same transaction
-- as the change that causes it, and sent afterwards by outbox.Worker. A row
-- is never deleted before it is finished, so a crash loses no push; the
-- retry key derived from (facility_id, dedupe_key) makes a resend after a
-- crash a 409 at LINE instead of a second message.
CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id      bigint NOT NULL REFERENCES facilities (id),
    line_user_id     text NOT NULL CHECK (line_user_id <> ''),
    kind             text NOT NULL
                     CHECK (kind IN ('answer', 'reminder', 'consult_answer', 'waitlist_offer', 'closure')),
    -- names what is being sent, e.g. 'reminder/booking/42': the same thing
    -- is enqueued once, however often its cause runs.
    dedupe_key       text NOT NULL CHECK (dedupe_key <> ''),
    -- []line.Message as JSON; json, not jsonb: kept exactly as written.
    messages         json NOT NULL,
    -- not sent before this; '0001-01-01' for "as soon as possible".
    not_before       timestamptz NOT NULL,
    -- not sent at or after this (a reminder after the visit); NULL: never stale.
    expires_at       timestamptz,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    -- attempts LINE answered or failed to answer; a claim counts one.
    attempts         integer NOT NULL DEFAULT 0,
    -- when the row may be claimed: not_before, a retry's time, or the end of
    -- a worker's lease (so a crashed worker's rows come back).
    next_attempt_at  timestamptz NOT NULL,
    -- why it is retried, failed or skipped: a status code or a word, never
    -- LINE's error body.
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (facility_id, dedupe_key)
);

-- Serves the claim: due pending rows in order, so a claim reads what it
-- takes however many rows were sent before.
CREATE INDEX outbox_due ON outbox (facility_id, next_attempt_at, id) WHERE status = 'pending';

-- Serves the prune of finished rows (they hold message text).
CREATE INDEX outbox_finished ON outbox (facility_id, finished_at) WHERE status <> 'pending';
