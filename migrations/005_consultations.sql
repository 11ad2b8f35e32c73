-- Consultations (「ちょっと聞いてください」): a mother's questions, their parts
-- (texts and photos), and the midwives' answers. A question is health
-- information (APPI 要配慮個人情報): nothing of it is stored before she
-- agrees, and everything of it goes with her row (ON DELETE CASCADE).

-- When she agreed to her health information being kept; separate from
-- consented_at, which covers the birth date of the eligibility check.
ALTER TABLE mothers ADD COLUMN health_consent_at timestamptz;

-- When midwives answer: on the facility's open weekdays, not on holidays or
-- 年末年始, from answer_from to answer_until (Asia/Tokyo).
ALTER TABLE facilities
    ADD COLUMN answer_from  time NOT NULL DEFAULT '09:00',
    ADD COLUMN answer_until time NOT NULL DEFAULT '17:00',
    ADD CONSTRAINT facilities_answer_hours CHECK (answer_from < answer_until);

CREATE TABLE questions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id   bigint NOT NULL,
    mother_id     bigint NOT NULL,
    -- '' when she skipped the choice.
    topic         text NOT NULL DEFAULT ''
                  CHECK (topic IN ('', 'feeding', 'sleep', 'baby_body', 'mother_body', 'other')),
    status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'answered')),
    -- a red flag in any part, or in the parts read together: first in the queue.
    urgent        boolean NOT NULL DEFAULT false,
    -- the red flags' names (consult's sign table), for the console.
    signs         text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL,
    last_part_at  timestamptz NOT NULL,
    submitted_at  timestamptz,
    answered_at   timestamptz,
    -- the staff member answering it; the foreign key to staff comes with
    -- the staff table (006).
    claimed_by    bigint,
    claimed_at    timestamptz,
    -- grows with every change a midwife can see (claim, release, answer).
    version       integer NOT NULL DEFAULT 1,
    FOREIGN KEY (facility_id, mother_id) REFERENCES mothers (facility_id, id) ON DELETE CASCADE,
    CHECK ((status = 'draft') = (submitted_at IS NULL)),
    CHECK ((status = 'answered') = (answered_at IS NOT NULL))
);

-- One draft per mother: her messages go to it until it is sent.
CREATE UNIQUE INDEX questions_one_draft_per_mother ON questions (mother_id) WHERE status = 'draft';
-- The midwives' queue: open questions, urgent first, then oldest.
CREATE INDEX questions_queue ON questions (facility_id, urgent DESC, submitted_at, id) WHERE status = 'open';
-- The pause that sends a draft: drafts by their last part.
CREATE INDEX questions_idle_drafts ON questions (facility_id, last_part_at) WHERE status = 'draft';
-- Her history, and the cascade when she is deleted.
CREATE INDEX questions_by_mother ON questions (facility_id, mother_id, created_at);

CREATE TABLE question_parts (
    question_id      bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    seq              integer NOT NULL CHECK (seq > 0),
    kind             text NOT NULL CHECK (kind IN ('text', 'photo')),
    body             text NOT NULL DEFAULT '',
    -- LINE's message id: a redelivered event adds nothing.
    line_message_id  text NOT NULL,
    photo            bytea,
    photo_type       text NOT NULL DEFAULT '',
    -- the red flags found in this part alone.
    signs            text[] NOT NULL DEFAULT '{}',
    received_at      timestamptz NOT NULL,
    PRIMARY KEY (question_id, seq),
    UNIQUE (question_id, line_message_id),
    CHECK ((kind = 'photo') = (photo IS NOT NULL))
);

CREATE TABLE answers (
    question_id  bigint PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE,
    -- the foreign key to staff comes with the staff table (006).
    staff_id     bigint NOT NULL,
    body         text NOT NULL CHECK (body <> ''),
    answered_at  timestamptz NOT NULL
);
