-- Every row carries facility_id so a second facility needs no rewrite.

CREATE TABLE facilities (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                   text NOT NULL UNIQUE,
    name                   text NOT NULL,
    clinic_name            text NOT NULL,
    address                text NOT NULL,
    phone                  text NOT NULL,
    map_url                text NOT NULL,
    fee_yen                integer NOT NULL CHECK (fee_yen >= 0),
    -- ISO weekday numbers: 1 = Monday ... 7 = Sunday.
    open_weekdays          smallint[] NOT NULL,
    daily_capacity         integer NOT NULL CHECK (daily_capacity >= 0),
    booking_window_months  integer NOT NULL DEFAULT 2 CHECK (booking_window_months > 0),
    cancel_days_before     integer NOT NULL DEFAULT 1 CHECK (cancel_days_before >= 0),
    cancel_at              time NOT NULL DEFAULT '17:00',
    max_visits_per_mother  integer NOT NULL DEFAULT 0 CHECK (max_visits_per_mother >= 0),
    created_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE facility_options (
    facility_id     bigint NOT NULL REFERENCES facilities (id),
    option          text NOT NULL,
    label           text NOT NULL,
    daily_capacity  integer NOT NULL CHECK (daily_capacity >= 0),
    sort_order      integer NOT NULL,
    PRIMARY KEY (facility_id, option)
);

-- One row per day that staff changed or that was ever booked. Booking locks
-- the day's row, so bookings of one day are serialised by Postgres.
CREATE TABLE facility_days (
    facility_id    bigint NOT NULL REFERENCES facilities (id),
    day            date NOT NULL,
    closed         boolean NOT NULL DEFAULT false,
    closed_reason  text NOT NULL DEFAULT '',
    capacity       integer CHECK (capacity >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (facility_id, day)
);

CREATE TABLE mothers (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id      bigint NOT NULL REFERENCES facilities (id),
    line_user_id     text NOT NULL,
    ward_resident    boolean,
    baby_birthday    date,
    consented_at     timestamptz,
    following        boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (facility_id, line_user_id),
    UNIQUE (facility_id, id)
);

CREATE TABLE bookings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id   bigint NOT NULL REFERENCES facilities (id),
    mother_id     bigint NOT NULL,
    number        text NOT NULL,
    day           date NOT NULL,
    options       text[] NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    cancelled_at  timestamptz,
    FOREIGN KEY (facility_id, mother_id) REFERENCES mothers (facility_id, id),
    UNIQUE (facility_id, number)
);

CREATE UNIQUE INDEX bookings_one_active_per_mother_day
    ON bookings (facility_id, mother_id, day) WHERE status = 'active';
CREATE INDEX bookings_active_by_day
    ON bookings (facility_id, day) WHERE status = 'active';

-- ママズルーム, from the seed article (CONTRACT.md). Capacities are a start;
-- staff change a day's capacity in the console.
WITH f AS (
    INSERT INTO facilities (slug, name, clinic_name, address, phone, map_url, fee_yen,
                            open_weekdays, daily_capacity)
    VALUES ('mamasroom', 'ママズルーム', 'いなみ小児科',
            '東京都世田谷区下馬3-10-7(いなみ小児科 隣接建物 2階)', '03-6413-8435',
            'https://www.google.com/maps/search/?api=1&query=%E6%9D%B1%E4%BA%AC%E9%83%BD%E4%B8%96%E7%94%B0%E8%B0%B7%E5%8C%BA%E4%B8%8B%E9%A6%AC3-10-7',
            3000, '{1,2,4,5}', 4)
    RETURNING id
)
INSERT INTO facility_options (facility_id, option, label, daily_capacity, sort_order)
SELECT f.id, o.option, o.label, o.capacity, o.sort_order
FROM f, (VALUES ('pediatrician', '小児科医診察', 4, 1),
                ('waterbed', 'ウォーターベッド', 2, 2),
                ('aroma', 'アロママッサージ', 2, 3)) AS o (option, label, capacity, sort_order);
