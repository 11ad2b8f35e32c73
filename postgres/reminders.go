package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/outbox"
	"mamasroom/reminders"
)

// Reminders is the Postgres reminders.Store: it reads bookings and writes
// their reminders into the outbox.
type Reminders struct {
	pool *pgxpool.Pool
	out  *Outbox
}

var _ reminders.Store = (*Reminders)(nil)

func NewReminders(pool *pgxpool.Pool, out *Outbox) *Reminders {
	return &Reminders{pool: pool, out: out}
}

// Unreminded reads bookings_active_by_day for the day and the outbox's
// one_per_booking_and_kind index for each booking, so its cost is the day's
// bookings, not the table's.
func (r *Reminders) Unreminded(ctx context.Context, facilityID int64, day booking.Date, afterID int64, limit int) ([]reminders.Target, error) {
	rows, err := r.pool.Query(ctx, `
		SELECT `+prefixed("b", bookingColumns)+`, m.line_user_id
		FROM bookings b
		JOIN mothers m ON m.facility_id = b.facility_id AND m.id = b.mother_id
		WHERE b.facility_id = $1 AND b.day = $2 AND b.status = 'active' AND b.id > $3
		  AND m.following
		  AND NOT EXISTS (SELECT 1 FROM facility_days d
		                  WHERE d.facility_id = b.facility_id AND d.day = b.day AND d.closed)
		  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_id = b.id AND o.kind = 'reminder')
		ORDER BY b.id
		LIMIT $4`, facilityID, pgDate(day), afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("bookings without a reminder on %s: %w", day, err)
	}
	targets, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (reminders.Target, error) {
		var t reminders.Target
		var lineUser string
		b, err := scanBooking(scanWith{row, &lineUser})
		if err != nil {
			return t, err
		}
		return reminders.Target{Booking: *b, LineUserID: lineUser}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("bookings without a reminder on %s: %w", day, err)
	}
	return targets, nil
}

// Enqueue writes the reminder into the outbox; a booking that has one
// already, or that is no longer active, gets none.
func (r *Reminders) Enqueue(ctx context.Context, p outbox.Push) (bool, error) {
	return r.out.Enqueue(ctx, r.pool, p)
}

// Waiting counts the pending reminders of day's bookings.
func (r *Reminders) Waiting(ctx context.Context, facilityID int64, day booking.Date) (int, error) {
	var n int
	err := r.pool.QueryRow(ctx, `
		SELECT count(*) FROM outbox o JOIN bookings b ON b.id = o.booking_id
		WHERE o.facility_id = $1 AND o.kind = 'reminder' AND o.status = 'pending' AND b.day = $2`,
		facilityID, pgDate(day)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count waiting reminders of %s: %w", day, err)
	}
	return n, nil
}

// scanWith scans a row's leading columns with a Scan of fewer targets, and
// its trailing ones into extra.
type scanWith struct {
	row   pgx.Row
	extra any
}

func (s scanWith) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra)...) }

// prefixed qualifies each of the comma-separated columns with table.
func prefixed(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
