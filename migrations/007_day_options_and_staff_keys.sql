-- A day's option capacities, and the foreign keys from consultations to the
-- staff accounts that 005 could not have, as 006 came after it.

-- Staff's capacity of one option on one day; no row keeps the facility's
-- facility_options.daily_capacity. A row hangs off the day's row, which
-- booking locks (postgres/bookings.go): whoever changes a row here holds
-- that lock first, so a booking reads the figure that stands while it books.
CREATE TABLE facility_day_options (
    facility_id  bigint NOT NULL,
    day          date NOT NULL,
    option       text NOT NULL,
    capacity     integer NOT NULL CHECK (capacity >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (facility_id, day, option),
    FOREIGN KEY (facility_id, day) REFERENCES facility_days (facility_id, day) ON DELETE CASCADE,
    FOREIGN KEY (facility_id, option) REFERENCES facility_options (facility_id, option) ON DELETE CASCADE
);

-- Serves the cascade when the facility drops an option.
CREATE INDEX facility_day_options_by_option ON facility_day_options (facility_id, option);

ALTER TABLE staff_audit DROP CONSTRAINT staff_audit_action_check;
ALTER TABLE staff_audit ADD CONSTRAINT staff_audit_action_check
    CHECK (action IN ('account_created', 'login', 'login_failed', 'login_refused',
                      'logout', 'answer', 'close_day', 'open_day', 'day_capacity',
                      'day_option_capacity', 'settings'));

-- A claim is a midwife saying "I am on it": when her account goes, the
-- question goes back to the queue rather than waiting on nobody. A claim
-- left by an id with no account (none can exist: claims come from the
-- console, which came with 006) is released the same way.
UPDATE questions SET claimed_by = NULL, claimed_at = NULL
WHERE claimed_by IS NOT NULL
  AND claimed_by NOT IN (SELECT id FROM staff_accounts);
ALTER TABLE questions
    ADD CONSTRAINT questions_claimed_by_fkey
    FOREIGN KEY (claimed_by) REFERENCES staff_accounts (id) ON DELETE SET NULL;
CREATE INDEX questions_by_claimer ON questions (claimed_by) WHERE claimed_by IS NOT NULL;

-- An answer is what the clinic told a mother about her or her baby's
-- health, and who told her is part of it: an account that answered cannot
-- be deleted (RESTRICT), as one in the audit log cannot either
-- (staff_audit.account_id); access ends with a new password instead. SET
-- NULL would keep the words and lose their author. Answers come from the
-- console only, so every staff_id already names an account.
ALTER TABLE answers
    ADD CONSTRAINT answers_staff_id_fkey
    FOREIGN KEY (staff_id) REFERENCES staff_accounts (id) ON DELETE RESTRICT;
CREATE INDEX answers_by_staff ON answers (staff_id);
