-- Fair use and privacy: a limit on the bookings one mother holds ahead, and
-- how long what a mother told us is kept.

ALTER TABLE facilities
    -- How many upcoming (not yet started) bookings one mother may hold at
    -- once, on top of the ward's max_visits_per_mother; 0 means no limit.
    -- Without it one LINE account held 13 future days, and four accounts
    -- could take every place of the booking window.
    ADD COLUMN upcoming_per_mother integer NOT NULL DEFAULT 2
        CHECK (upcoming_per_mother BETWEEN 0 AND 30),
    -- How long after she blocks the account (unfollow) her data is kept
    -- before it is erased; she may come back within it and find her
    -- bookings as they were.
    ADD COLUMN unfollowed_retention_days integer NOT NULL DEFAULT 30
        CHECK (unfollowed_retention_days BETWEEN 1 AND 365),
    -- How long a question and its answer are kept after the later of its
    -- last change and her last visit: a year covers the visits of one
    -- baby's first months and a follow-up, and no longer.
    ADD COLUMN question_retention_days integer NOT NULL DEFAULT 365
        CHECK (question_retention_days BETWEEN 30 AND 3650);

-- When she blocked the account; NULL while she follows it. The retention
-- runner erases her once this is older than unfollowed_retention_days.
ALTER TABLE mothers ADD COLUMN unfollowed_at timestamptz;
UPDATE mothers SET unfollowed_at = updated_at WHERE NOT following;
CREATE INDEX mothers_unfollowed ON mothers (facility_id, unfollowed_at) WHERE unfollowed_at IS NOT NULL;

-- Visits of mothers whose data was erased: the ward counts uses per day,
-- so a visit that took place stays counted here without anyone's identity
-- when her bookings go (postgres/erasure.go). A day's visits are the active
-- bookings of that day plus this row.
CREATE TABLE anonymous_visits (
    facility_id  bigint NOT NULL REFERENCES facilities (id),
    day          date NOT NULL,
    visits       integer NOT NULL CHECK (visits > 0),
    PRIMARY KEY (facility_id, day)
);

-- The retention of questions reads them by their last change.
CREATE INDEX questions_by_last_change
    ON questions (facility_id, (coalesce(answered_at, last_part_at)));
