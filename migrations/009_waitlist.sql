-- The waitlist (キャンセル待ち): mothers waiting for a full day, in the order
-- they joined, and the offer of a freed place to the first of them.

-- How long a mother has to answer an offer, counted outside the quiet hours
-- (21:00-8:00); a facility setting.
ALTER TABLE facilities
    ADD COLUMN waitlist_offer_minutes integer NOT NULL DEFAULT 120
        CHECK (waitlist_offer_minutes BETWEEN 10 AND 1440);

-- One row is one mother waiting for one day; its id is also the id of the
-- offer made to her (named in the offer's buttons). A row is never deleted:
-- it ends in a final status, so an old offer's button is answered truly.
-- Making an offer takes the day's row lock in facility_days first, as
-- booking does (postgres/bookings.go), then the entry's.
CREATE TABLE waitlist_entries (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id       bigint NOT NULL REFERENCES facilities (id),
    mother_id         bigint NOT NULL,
    day               date NOT NULL,
    status            text NOT NULL DEFAULT 'waiting'
                      CHECK (status IN ('waiting', 'offered', 'booked', 'declined', 'expired', 'left', 'dropped')),
    created_at        timestamptz NOT NULL,
    offered_at        timestamptz,
    offer_expires_at  timestamptz,
    booking_id        bigint REFERENCES bookings (id),
    finished_at       timestamptz,
    FOREIGN KEY (facility_id, mother_id) REFERENCES mothers (facility_id, id),
    CHECK (status <> 'offered' OR (offered_at IS NOT NULL AND offer_expires_at IS NOT NULL)),
    CHECK (status <> 'booked' OR booking_id IS NOT NULL)
);

-- One live wait per mother and day; it also serves her own list.
CREATE UNIQUE INDEX waitlist_one_live_per_mother_day
    ON waitlist_entries (facility_id, mother_id, day) WHERE status IN ('waiting', 'offered');

-- A day's queue, in the order mothers joined.
CREATE INDEX waitlist_queue
    ON waitlist_entries (facility_id, day, id) WHERE status IN ('waiting', 'offered');

-- The runner's look for offers whose time is up.
CREATE INDEX waitlist_open_offers
    ON waitlist_entries (facility_id, offer_expires_at) WHERE status = 'offered';
