-- Exactly once, for her: what a crash, a lost answer from LINE or a lost
-- session must not make the bot say or do twice.

-- When the event's answer was last sent with its reply token, written
-- before the request goes to LINE. A reply token can be used once, so a
-- retry may reply again with it (LINE refuses a spent token); but once a
-- reply may have reached LINE, a refused token is taken as delivered and
-- the answer is never pushed as well. NULL: no reply may have reached LINE
-- (none was tried, or LINE refused or never got every one tried).
ALTER TABLE webhook_events ADD COLUMN reply_attempted_at timestamptz;

-- The confirm step that made a booking: the key its 「はい」 button carries.
-- A confirm that comes again (a retry after a crash, a second tap, her
-- session lost in Redis after the commit) finds its booking by this key,
-- and she is told of it instead of getting a second booking or a stale
-- button. NULL for bookings made another way (the waitlist, the console).
ALTER TABLE bookings ADD COLUMN confirm_key text;
CREATE UNIQUE INDEX bookings_confirm_key ON bookings (facility_id, confirm_key) WHERE confirm_key IS NOT NULL;
