package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/outbox"
)

// Outbox is the Postgres outbox.Store of one facility: its worker side
// (claim and record) serves that facility's LINE channel. Enqueue takes the
// caller's transaction, so a push is stored exactly when the change that
// causes it commits.
type Outbox struct {
	pool       *pgxpool.Pool
	facilityID int64
}

var _ outbox.Store = (*Outbox)(nil)

func NewOutbox(pool *pgxpool.Pool, facilityID int64) *Outbox {
	return &Outbox{pool: pool, facilityID: facilityID}
}

// Enqueue stores a push on db, normally the transaction of the change that
// causes it (a booking cancelled, an answer written). A push whose dedupe
// key the facility already has is dropped, and the earlier one stands:
// enqueued reports which happened. p.FacilityID may be left zero; any
// other facility than the store's is an error, as this store's worker
// pushes through this facility's channel. Call the worker's Notify after
// the transaction commits.
func (o *Outbox) Enqueue(ctx context.Context, db DBTX, p outbox.Push) (enqueued bool, err error) {
	if p.FacilityID == 0 {
		p.FacilityID = o.facilityID
	}
	if p.FacilityID != o.facilityID {
		return false, fmt.Errorf("enqueue %s push: %w: facility %d in the outbox of facility %d",
			p.Kind, outbox.ErrInvalid, p.FacilityID, o.facilityID)
	}
	if err := p.Validate(); err != nil {
		return false, fmt.Errorf("enqueue %s push: %w", p.Kind, err)
	}
	msgs, err := json.Marshal(p.Messages)
	if err != nil {
		return false, fmt.Errorf("enqueue %s push: encode messages: %w", p.Kind, err)
	}
	var expires *time.Time
	if !p.Expires.IsZero() {
		expires = &p.Expires
	}
	var bookingID *int64
	if p.BookingID != 0 {
		bookingID = &p.BookingID
	}
	// No conflict target: a second push of one booking and kind is dropped
	// as a second push of one dedupe key is.
	tag, err := db.Exec(ctx, `
		INSERT INTO outbox (facility_id, line_user_id, kind, dedupe_key, messages, not_before, expires_at, next_attempt_at, booking_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8)
		ON CONFLICT DO NOTHING`,
		p.FacilityID, p.LineUserID, string(p.Kind), p.DedupeKey, string(msgs), p.NotBefore, expires, bookingID)
	if err != nil {
		return false, fmt.Errorf("enqueue %s push: %w", p.Kind, err)
	}
	return tag.RowsAffected() == 1, nil
}

const outboxColumns = `o.id, o.facility_id, o.line_user_id, o.kind, o.dedupe_key, o.messages::text,
	o.not_before, o.expires_at, o.status, o.attempts, o.last_error, coalesce(o.booking_id, 0)`

// Add enqueues a push on its own, outside any other change: for a push that
// is itself the change, such as an answer that missed its reply token.
func (o *Outbox) Add(ctx context.Context, p outbox.Push) error {
	_, err := o.Enqueue(ctx, o.pool, p)
	return err
}

func scanPush(row pgx.Row, extra ...any) (outbox.Push, error) {
	var (
		p            outbox.Push
		kind, status string
		msgs         string
		notBefore    pgtype.Timestamptz
		expires      *time.Time
	)
	dest := append([]any{&p.ID, &p.FacilityID, &p.LineUserID, &kind, &p.DedupeKey, &msgs,
		&notBefore, &expires, &status, &p.Attempts, &p.LastError, &p.BookingID}, extra...)
	if err := row.Scan(dest...); err != nil {
		return p, err
	}
	p.Kind, p.Status = outbox.Kind(kind), outbox.Status(status)
	if expires != nil {
		p.Expires = *expires
	}
	if err := json.Unmarshal([]byte(msgs), &p.Messages); err != nil {
		return p, fmt.Errorf("decode messages of push %d: %w", p.ID, err)
	}
	// The zero time and -infinity both mean "at once".
	if notBefore.InfinityModifier == pgtype.Finite && notBefore.Time.Year() > 1 {
		p.NotBefore = notBefore.Time
	}
	return p, nil
}

// Claim takes up to limit due pending pushes, reminders first and then
// the rest, each oldest due first; with remindersOnly, reminders alone.
// It counts an attempt on each and leases them until now+lease: until then
// no other claim sees them, and if the worker dies they come back. Rows
// another claim holds are skipped, not waited for. Each priority reads the
// outbox_due index from its start and stops after limit rows, so its cost
// does not grow with the rows already sent.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, remindersOnly bool) ([]outbox.Claimed, error) {
	claimed, err := o.claim(ctx, now, lease, limit, priorityReminder)
	if err != nil || remindersOnly || len(claimed) == limit {
		return claimed, err
	}
	rest, err := o.claim(ctx, now, lease, limit-len(claimed), priorityOther)
	return append(claimed, rest...), err
}

// The outbox's priority column (migration 008).
const (
	priorityReminder = 0
	priorityOther    = 1
)

func (o *Outbox) claim(ctx context.Context, now time.Time, lease time.Duration, limit, priority int) ([]outbox.Claimed, error) {
	rows, err := o.pool.Query(ctx, `
		WITH due AS (
			SELECT id
			FROM outbox
			WHERE facility_id = $1 AND priority = $5 AND status = 'pending' AND next_attempt_at <= $2
			ORDER BY next_attempt_at, id
			LIMIT $4
			FOR UPDATE SKIP LOCKED
		)
		UPDATE outbox o
		SET attempts = o.attempts + 1, next_attempt_at = $3
		FROM due
		WHERE o.id = due.id
		RETURNING `+outboxColumns+`,
			coalesce((SELECT NOT m.following FROM mothers m
			          WHERE m.facility_id = o.facility_id AND m.line_user_id = o.line_user_id), false),
			o.kind = 'reminder' AND o.booking_id IS NOT NULL AND NOT EXISTS (
				SELECT 1 FROM bookings b
				WHERE b.id = o.booking_id AND b.status = 'active' AND NOT EXISTS (
					SELECT 1 FROM facility_days d
					WHERE d.facility_id = b.facility_id AND d.day = b.day AND d.closed))`,
		o.facilityID, now, now.Add(lease), limit, priority)
	if err != nil {
		return nil, fmt.Errorf("claim outbox pushes: %w", err)
	}
	claimed, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (outbox.Claimed, error) {
		var c outbox.Claimed
		p, err := scanPush(row, &c.Unfollowed, &c.Void)
		c.Push = p
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim outbox pushes: %w", err)
	}
	return claimed, nil
}

// MarkSent records that LINE accepted the push. A push already finished
// stays as it is.
func (o *Outbox) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return o.finish(ctx, id, outbox.StatusSent, at, "")
}

// MarkFailed records that the push will not be sent: LINE refused it, or
// it failed too long.
func (o *Outbox) MarkFailed(ctx context.Context, id int64, at time.Time, reason string) error {
	return o.finish(ctx, id, outbox.StatusFailed, at, reason)
}

// MarkSkipped records that the push was not sent because it no longer
// should be (she unfollowed, it expired).
func (o *Outbox) MarkSkipped(ctx context.Context, id int64, at time.Time, reason string) error {
	return o.finish(ctx, id, outbox.StatusSkipped, at, reason)
}

func (o *Outbox) finish(ctx context.Context, id int64, status outbox.Status, at time.Time, reason string) error {
	_, err := o.pool.Exec(ctx, `
		UPDATE outbox SET status = $3, finished_at = $4, last_error = $5
		WHERE facility_id = $1 AND id = $2 AND status = 'pending'`,
		o.facilityID, id, string(status), at, reason)
	if err != nil {
		return fmt.Errorf("mark outbox push %d %s: %w", id, status, err)
	}
	return nil
}

// RetryAt makes a pending push due again at the given time, if it is still
// held by the claim that counted attempt.
func (o *Outbox) RetryAt(ctx context.Context, id int64, attempt int, at time.Time, reason string) error {
	return o.reschedule(ctx, id, attempt, at, reason, 0)
}

// Postpone is RetryAt that also takes back the claim's attempt.
func (o *Outbox) Postpone(ctx context.Context, id int64, attempt int, at time.Time, reason string) error {
	return o.reschedule(ctx, id, attempt, at, reason, 1)
}

func (o *Outbox) reschedule(ctx context.Context, id int64, attempt int, at time.Time, reason string, giveBack int) error {
	_, err := o.pool.Exec(ctx, `
		UPDATE outbox SET next_attempt_at = $4, last_error = $5, attempts = attempts - $6
		WHERE facility_id = $1 AND id = $2 AND status = 'pending' AND attempts = $3`,
		o.facilityID, id, attempt, at, reason, giveBack)
	if err != nil {
		return fmt.Errorf("reschedule outbox push %d: %w", id, err)
	}
	return nil
}

// Find returns the push with the given dedupe key, for tests and the
// operator; outbox.ErrNotFound when there is none.
func (o *Outbox) Find(ctx context.Context, dedupeKey string) (outbox.Push, error) {
	p, err := scanPush(o.pool.QueryRow(ctx, `
		SELECT `+outboxColumns+` FROM outbox o
		WHERE o.facility_id = $1 AND o.dedupe_key = $2`, o.facilityID, dedupeKey))
	if errors.Is(err, pgx.ErrNoRows) {
		err = outbox.ErrNotFound
	}
	if err != nil {
		return outbox.Push{}, fmt.Errorf("find outbox push: %w", err)
	}
	return p, nil
}

// Pending counts pushes not yet finished, for the metrics page.
func (o *Outbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := o.pool.QueryRow(ctx, `
		SELECT count(*) FROM outbox WHERE facility_id = $1 AND status = 'pending'`,
		o.facilityID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending outbox pushes: %w", err)
	}
	return n, nil
}

// Prune deletes pushes finished before the given time. They hold what was
// said to a mother (a consultation answer), so they are kept only as long
// as they help to see what was sent.
func (o *Outbox) Prune(ctx context.Context, finishedBefore time.Time) (int64, error) {
	tag, err := o.pool.Exec(ctx, `
		DELETE FROM outbox
		WHERE facility_id = $1 AND status <> 'pending' AND finished_at < $2`,
		o.facilityID, finishedBefore)
	if err != nil {
		return 0, fmt.Errorf("prune outbox: %w", err)
	}
	return tag.RowsAffected(), nil
}
