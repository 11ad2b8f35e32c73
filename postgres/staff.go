package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/outbox"
	"mamasroom/staff"
)

// StaffStore is the Postgres staff.Store: accounts, sessions, the audit
// log and the console's changes to the facility. A closure notice is
// enqueued on the facility's outbox in the transaction that closes the day.
type StaffStore struct {
	pool   *pgxpool.Pool
	store  *Store
	outbox *Outbox
}

var _ staff.Store = (*StaffStore)(nil)

func NewStaffStore(pool *pgxpool.Pool, out *Outbox) *StaffStore {
	return &StaffStore{pool: pool, store: NewStore(pool), outbox: out}
}

func (s *StaffStore) CreateAccount(ctx context.Context, facilityID int64, login, passwordHash string, at time.Time) (*staff.Account, error) {
	a := &staff.Account{FacilityID: facilityID, Login: login, PasswordHash: passwordHash}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO staff_accounts (facility_id, login, password_hash, created_at)
			VALUES ($1, $2, $3, $4)
			RETURNING id`, facilityID, login, passwordHash, at).Scan(&a.ID)
		if _, ok := constraintViolated(err, codeUniqueViolation); ok {
			return staff.ErrLoginTaken
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, facilityID, a.ID, staff.ActionAccountCreated, "", at)
	})
	if err != nil {
		return nil, fmt.Errorf("create staff account: %w", err)
	}
	return a, nil
}

// ResetPassword replaces an account's password hash and ends its sessions
// and any lock.
func (s *StaffStore) ResetPassword(ctx context.Context, facilityID int64, login, passwordHash string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `
			UPDATE staff_accounts SET password_hash = $3, failed_logins = 0, locked_until = NULL
			WHERE facility_id = $1 AND login = $2
			RETURNING id`, facilityID, login, passwordHash).Scan(&id)
		if err != nil {
			return notFound(err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM staff_sessions WHERE account_id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	return nil
}

// BeginLogin locks the account's row, so attempts made at the same moment
// are counted one after another and each sees the wait the last one set.
func (s *StaffStore) BeginLogin(ctx context.Context, facilityID int64, login string, at time.Time) (staff.LoginAttempt, error) {
	var attempt staff.LoginAttempt
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			a           staff.Account
			failed      int
			lockedUntil *time.Time
		)
		err := tx.QueryRow(ctx, `
			SELECT id, facility_id, login, password_hash, failed_logins, locked_until
			FROM staff_accounts
			WHERE facility_id = $1 AND login = $2
			FOR UPDATE`, facilityID, login).
			Scan(&a.ID, &a.FacilityID, &a.Login, &a.PasswordHash, &failed, &lockedUntil)
		if err != nil {
			return notFound(err)
		}
		attempt.Account = &a
		if lockedUntil != nil && lockedUntil.After(at) {
			attempt.LockedUntil = *lockedUntil
			return nil
		}
		failed++
		_, err = tx.Exec(ctx, `
			UPDATE staff_accounts SET failed_logins = $2, locked_until = $3 WHERE id = $1`,
			a.ID, failed, at.Add(staff.LoginDelay(failed)))
		return err
	})
	if err != nil {
		return staff.LoginAttempt{}, fmt.Errorf("begin login: %w", err)
	}
	return attempt, nil
}

func (s *StaffStore) LoginSucceeded(ctx context.Context, accountID int64, tokenHash []byte, csrfToken string, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var facilityID int64
		err := tx.QueryRow(ctx, `
			UPDATE staff_accounts SET failed_logins = 0, locked_until = NULL
			WHERE id = $1
			RETURNING facility_id`, accountID).Scan(&facilityID)
		if err != nil {
			return notFound(err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO staff_sessions (token_hash, account_id, csrf_token, created_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $4)`, tokenHash, accountID, csrfToken, at); err != nil {
			return err
		}
		// Sessions that ran out long ago go with each login, so the table
		// stays as small as the staff.
		if _, err := tx.Exec(ctx, `
			DELETE FROM staff_sessions WHERE account_id = $1 AND last_seen_at < $2`,
			accountID, at.Add(-30*24*time.Hour)); err != nil {
			return err
		}
		return audit(ctx, tx, facilityID, accountID, staff.ActionLogin, "", at)
	})
	if err != nil {
		return fmt.Errorf("start session of account %d: %w", accountID, err)
	}
	return nil
}

// lastSeenGrain: a session's last use is written at most this often, so
// reading pages does not write a row each time.
const lastSeenGrain = time.Minute

func (s *StaffStore) SessionByToken(ctx context.Context, facilityID int64, tokenHash []byte, at, idleSince, startedSince time.Time) (*staff.Session, error) {
	var sess staff.Session
	err := s.pool.QueryRow(ctx, `
		SELECT a.id, a.login, ss.csrf_token, ss.created_at, ss.last_seen_at
		FROM staff_sessions ss
		JOIN staff_accounts a ON a.id = ss.account_id
		WHERE ss.token_hash = $1 AND a.facility_id = $2
		  AND ss.last_seen_at > $3 AND ss.created_at > $4`,
		tokenHash, facilityID, idleSince, startedSince).
		Scan(&sess.AccountID, &sess.Login, &sess.CSRFToken, &sess.CreatedAt, &sess.LastSeenAt)
	if err != nil {
		return nil, fmt.Errorf("find session: %w", notFound(err))
	}
	if at.Sub(sess.LastSeenAt) >= lastSeenGrain {
		if _, err := s.pool.Exec(ctx, `
			UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2`,
			tokenHash, at); err != nil {
			return nil, fmt.Errorf("mark session used: %w", err)
		}
		sess.LastSeenAt = at
	}
	return &sess, nil
}

func (s *StaffStore) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

func (s *StaffStore) Logins(ctx context.Context, facilityID int64) (map[int64]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, login FROM staff_accounts WHERE facility_id = $1`, facilityID)
	if err != nil {
		return nil, fmt.Errorf("list staff logins: %w", err)
	}
	logins := make(map[int64]string)
	var (
		id    int64
		login string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &login}, func() error {
		logins[id] = login
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list staff logins: %w", err)
	}
	return logins, nil
}

func (s *StaffStore) Audit(ctx context.Context, facilityID, accountID int64, action staff.Action, target string, at time.Time) error {
	if err := audit(ctx, s.pool, facilityID, accountID, action, target, at); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func audit(ctx context.Context, db DBTX, facilityID, accountID int64, action staff.Action, target string, at time.Time) error {
	var account *int64
	if accountID != 0 {
		account = &accountID
	}
	_, err := db.Exec(ctx, `
		INSERT INTO staff_audit (facility_id, account_id, action, target, at)
		VALUES ($1, $2, $3, $4, $5)`, facilityID, account, string(action), target, at)
	return err
}

func (s *StaffStore) AuditLog(ctx context.Context, facilityID int64, before int64, limit int) ([]staff.AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT au.id, au.at, coalesce(au.account_id, 0), coalesce(a.login, ''), au.action, au.target
		FROM staff_audit au
		LEFT JOIN staff_accounts a ON a.id = au.account_id
		WHERE au.facility_id = $1 AND ($2 = 0 OR au.id < $2)
		ORDER BY au.id DESC
		LIMIT $3`, facilityID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (staff.AuditEntry, error) {
		var e staff.AuditEntry
		err := row.Scan(&e.ID, &e.At, &e.AccountID, &e.Login, &e.Action, &e.Target)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return entries, nil
}

func (s *StaffStore) DayCounts(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayCount, error) {
	return s.store.DayCounts(ctx, facilityID, from, to)
}

func (s *StaffStore) DayOverrides(ctx context.Context, facilityID int64, from, to booking.Date) (map[booking.Date]booking.DayOverride, error) {
	return s.store.DayOverrides(ctx, facilityID, from, to)
}

const visitColumns = `b.id, b.facility_id, b.mother_id, b.number, b.day, b.options, b.status, b.created_at, b.cancelled_at,
	m.line_user_id, m.baby_birthday`

func scanVisit(row pgx.Row) (staff.Visit, error) {
	var (
		v        staff.Visit
		day      pgtype.Date
		options  []string
		birthday pgtype.Date
	)
	err := row.Scan(&v.ID, &v.FacilityID, &v.MotherID, &v.Number, &day, &options, &v.Status, &v.CreatedAt, &v.CancelledAt,
		&v.LineUserID, &birthday)
	if err != nil {
		return v, err
	}
	v.Day = dateOf(day)
	for _, o := range options {
		v.Options = append(v.Options, booking.Option(o))
	}
	v.BabyBirthday = datePtrOf(birthday)
	return v, nil
}

// Visits reads the bookings_active_by_day index.
func (s *StaffStore) Visits(ctx context.Context, facilityID int64, from, to booking.Date) ([]staff.Visit, error) {
	return visits(ctx, s.pool, facilityID, from, to)
}

func visits(ctx context.Context, db DBTX, facilityID int64, from, to booking.Date) ([]staff.Visit, error) {
	const q = `
		SELECT ` + visitColumns + `
		FROM bookings b
		JOIN mothers m ON m.facility_id = b.facility_id AND m.id = b.mother_id
		WHERE b.facility_id = $1 AND b.day BETWEEN $2 AND $3 AND b.status = 'active'
		ORDER BY b.day, b.created_at, b.id`
	rows, err := db.Query(ctx, q, facilityID, pgDate(from), pgDate(to))
	if err != nil {
		return nil, fmt.Errorf("list visits %v to %v: %w", from, to, err)
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (staff.Visit, error) { return scanVisit(row) })
	if err != nil {
		return nil, fmt.Errorf("list visits %v to %v: %w", from, to, err)
	}
	return vs, nil
}

// lockDay takes the day's row lock, as booking does (postgres/bookings.go),
// so no booking of the day commits between reading its visits and closing
// it: every mother booked when the day closes is told.
func lockDay(ctx context.Context, tx pgx.Tx, facilityID int64, day booking.Date) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO facility_days (facility_id, day) VALUES ($1, $2)
		ON CONFLICT (facility_id, day) DO UPDATE SET updated_at = facility_days.updated_at`,
		facilityID, pgDate(day))
	if _, ok := constraintViolated(err, codeForeignKeyViolation); ok {
		return booking.ErrNotFound
	}
	return err
}

func (s *StaffStore) CloseDay(ctx context.Context, facilityID, accountID int64, day booking.Date, reason string, at time.Time,
	notice func(context.Context, staff.Visit) (outbox.Push, error)) ([]staff.Visit, error) {
	if !day.Valid() {
		return nil, fmt.Errorf("close %v: %w", day, booking.ErrInvalidDate)
	}
	var told []staff.Visit
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		told = nil
		if err := lockDay(ctx, tx, facilityID, day); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE facility_days SET closed = true, closed_reason = $3, updated_at = $4
			WHERE facility_id = $1 AND day = $2`, facilityID, pgDate(day), reason, at); err != nil {
			return err
		}
		vs, err := visits(ctx, tx, facilityID, day, day)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if _, err := tx.Exec(ctx, `
				UPDATE bookings SET status = 'cancelled', cancelled_at = $2 WHERE id = $1`, v.ID, at); err != nil {
				return err
			}
			p, err := notice(ctx, v)
			if err != nil {
				return err
			}
			if _, err := s.outbox.Enqueue(ctx, tx, p); err != nil {
				return err
			}
		}
		told = vs
		return audit(ctx, tx, facilityID, accountID, staff.ActionCloseDay, day.String(), at)
	})
	if err != nil {
		return nil, fmt.Errorf("close %v: %w", day, err)
	}
	return told, nil
}

func (s *StaffStore) OpenDay(ctx context.Context, facilityID, accountID int64, day booking.Date, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockDay(ctx, tx, facilityID, day); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE facility_days SET closed = false, closed_reason = '', updated_at = $3
			WHERE facility_id = $1 AND day = $2`, facilityID, pgDate(day), at); err != nil {
			return err
		}
		return audit(ctx, tx, facilityID, accountID, staff.ActionOpenDay, day.String(), at)
	})
	if err != nil {
		return fmt.Errorf("open %v: %w", day, err)
	}
	return nil
}

func (s *StaffStore) SetDayCapacity(ctx context.Context, facilityID, accountID int64, day booking.Date, capacity *int, at time.Time) error {
	if capacity != nil && *capacity < 0 {
		return fmt.Errorf("set capacity of %v: negative", day)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockDay(ctx, tx, facilityID, day); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE facility_days SET capacity = $3, updated_at = $4
			WHERE facility_id = $1 AND day = $2`, facilityID, pgDate(day), capacity, at); err != nil {
			return err
		}
		return audit(ctx, tx, facilityID, accountID, staff.ActionDayCapacity, day.String(), at)
	})
	if err != nil {
		return fmt.Errorf("set capacity of %v: %w", day, err)
	}
	return nil
}

func (s *StaffStore) SaveSettings(ctx context.Context, facilityID, accountID int64, set staff.Settings, changed []string, at time.Time) error {
	cancelAt := pgtype.Time{Microseconds: int64(set.CancelHour*60+set.CancelMinute) * int64(time.Minute/time.Microsecond), Valid: true}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE facilities
			SET daily_capacity = $2, cancel_days_before = $3, cancel_at = $4, max_visits_per_mother = $5,
			    upcoming_per_mother = $6, unfollowed_retention_days = $7, question_retention_days = $8
			WHERE id = $1`,
			facilityID, set.DailyCapacity, set.CancelDaysBefore, cancelAt, set.MaxVisitsPerMother, set.MaxUpcomingPerMother,
			set.UnfollowedRetentionDays, set.QuestionRetentionDays)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return booking.ErrNotFound
		}
		for option, capacity := range set.OptionCapacities {
			tag, err := tx.Exec(ctx, `
				UPDATE facility_options SET daily_capacity = $3
				WHERE facility_id = $1 AND option = $2`, facilityID, string(option), capacity)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("option %q: %w", option, booking.ErrNotFound)
			}
		}
		return audit(ctx, tx, facilityID, accountID, staff.ActionSettings, strings.Join(changed, ","), at)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		err = booking.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("save settings of facility %d: %w", facilityID, err)
	}
	return nil
}
