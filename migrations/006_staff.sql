-- The staff console: accounts, their sessions and the audit log.

CREATE TABLE staff_accounts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id    bigint NOT NULL REFERENCES facilities (id),
    -- as typed at the login form; lower case, checked by staff.ValidLogin too.
    login          text NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._-]{1,31}$'),
    -- bcrypt, with its cost inside the hash.
    password_hash  text NOT NULL,
    -- attempts since the last successful login, counted before the password
    -- is checked; drives the slowdown and the lock (staff.LoginDelay).
    failed_logins  integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    -- no attempt is checked before this; NULL: any time.
    locked_until   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (facility_id, login)
);

CREATE TABLE staff_sessions (
    -- SHA-256 of the cookie's token: a copy of this table opens no session.
    token_hash    bytea PRIMARY KEY,
    account_id    bigint NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
    -- the form token every POST of this session must carry.
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);

CREATE INDEX staff_sessions_by_account ON staff_sessions (account_id);
-- Serves the prune of sessions that have run out.
CREATE INDEX staff_sessions_last_seen ON staff_sessions (last_seen_at);

-- Who did what, and when. target names what was acted on by a number or a
-- date only, never words a mother or a midwife wrote.
CREATE TABLE staff_audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facility_id bigint NOT NULL REFERENCES facilities (id),
    -- NULL for a failed login with an unknown name: the typed name is not
    -- kept, as people type passwords into it.
    account_id  bigint REFERENCES staff_accounts (id),
    action      text NOT NULL CHECK (action IN ('account_created', 'login', 'login_failed', 'login_refused',
                                               'logout', 'answer', 'close_day', 'open_day', 'day_capacity',
                                               'settings')),
    target      text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);

CREATE INDEX staff_audit_recent ON staff_audit (facility_id, id DESC);
