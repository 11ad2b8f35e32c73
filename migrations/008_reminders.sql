-- Reminders (the day before a visit) and the push quota.
--
-- A push about a booking names it: a reminder is one row per booking
-- (the unique index below, whatever the dedupe key says), the cancel
-- transaction skips the booking's pending reminder, and the claim sees a
-- booking cancelled or a day closed after its reminder was written. A
-- deleted booking takes its unsent pushes with it.
ALTER TABLE outbox
    ADD COLUMN booking_id bigint REFERENCES bookings (id) ON DELETE CASCADE,
    -- the claim's order: reminders first, so that when LINE's monthly
    -- quota runs short the reminders are what it is spent on, and the
    -- other pushes wait (they are not dropped).
    ADD COLUMN priority smallint NOT NULL
        GENERATED ALWAYS AS (CASE WHEN kind = 'reminder' THEN 0 ELSE 1 END) STORED;

CREATE UNIQUE INDEX outbox_one_per_booking_and_kind
    ON outbox (booking_id, kind) WHERE booking_id IS NOT NULL;

-- The claim reads one priority at a time, each in due order.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (facility_id, priority, next_attempt_at, id) WHERE status = 'pending';
