package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/privacy"
)

// Erasure is the Postgres privacy.Store: it deletes a mother and
// everything that names her in one transaction.
//
// Lock order: her mother row first (book() takes the day's row and then
// hers, and erasing takes no day's row, so the two cannot wait on each
// other in a circle), then her waitlist entries, bookings and pushes, and
// last her inbox head, then her events, as Claim and Done take them.
type Erasure struct {
	pool *pgxpool.Pool
}

var _ privacy.Store = (*Erasure)(nil)

func NewErasure(pool *pgxpool.Pool) *Erasure { return &Erasure{pool: pool} }

func (e *Erasure) Erase(ctx context.Context, facilityID int64, lineUserID, eventID string, at time.Time) (privacy.Erased, error) {
	var erased privacy.Erased
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		var err error
		erased, err = erase(ctx, tx, facilityID, lineUserID, eventID, at, nil)
		return err
	})
	if err != nil {
		return privacy.Erased{}, fmt.Errorf("erase a mother's data: %w", err)
	}
	return erased, nil
}

func (e *Erasure) EraseUnfollowed(ctx context.Context, facilityID int64, lineUserID string, before, at time.Time) (bool, error) {
	ok := false
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		erased, err := erase(ctx, tx, facilityID, lineUserID, "", at, &before)
		ok = erased.Found
		return err
	})
	if err != nil {
		return false, fmt.Errorf("erase an unfollowed mother's data: %w", err)
	}
	return ok, nil
}

// erase deletes what names the LINE user. With unfollowedBefore, she is
// erased only if, under her row's lock, she still has not followed since
// before that time; otherwise nothing changes and Found is false.
func erase(ctx context.Context, tx pgx.Tx, facilityID int64, lineUserID, eventID string, at time.Time, unfollowedBefore *time.Time) (privacy.Erased, error) {
	var (
		erased   privacy.Erased
		motherID int64
	)
	err := tx.QueryRow(ctx, `
		SELECT id FROM mothers
		WHERE facility_id = $1 AND line_user_id = $2
		  AND ($3::timestamptz IS NULL OR (NOT following AND unfollowed_at < $3))
		FOR UPDATE`, facilityID, lineUserID, unfollowedBefore).Scan(&motherID)
	switch {
	case errors.Is(err, pgx.ErrNoRows) && unfollowedBefore != nil:
		return erased, nil
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return erased, fmt.Errorf("lock her row: %w", err)
	default:
		erased.Found = true
		if err := eraseMother(ctx, tx, facilityID, motherID, at, &erased); err != nil {
			return erased, err
		}
	}
	if _, err := tx.Exec(ctx, `
		DELETE FROM outbox WHERE facility_id = $1 AND line_user_id = $2`, facilityID, lineUserID); err != nil {
		return erased, fmt.Errorf("delete her pushes: %w", err)
	}
	if err := eraseEvents(ctx, tx, facilityID, lineUserID, eventID, at); err != nil {
		return erased, err
	}
	return erased, nil
}

// eraseMother deletes her row and what hangs off it. A visit that has
// begun (its day's 10:00 is past) is counted on in anonymous_visits; a
// booking of a later day goes, and its place with it: the waitlist's
// runner offers it, as it offers a cancelled one.
func eraseMother(ctx context.Context, tx pgx.Tx, facilityID, motherID int64, at time.Time, erased *privacy.Erased) error {
	if _, err := tx.Exec(ctx, `
		DELETE FROM waitlist_entries WHERE facility_id = $1 AND mother_id = $2`, facilityID, motherID); err != nil {
		return fmt.Errorf("delete her waits: %w", err)
	}
	// Today's visit counts as made once its check-in time has come.
	firstNotBegun := booking.DateOf(at)
	if !at.Before(booking.Checkin(firstNotBegun)) {
		firstNotBegun = firstNotBegun.AddDays(1)
	}
	err := tx.QueryRow(ctx, `
		WITH visits AS (
			SELECT day, count(*)::integer AS n FROM bookings
			WHERE facility_id = $1 AND mother_id = $2 AND status = 'active' AND day < $3
			GROUP BY day
		), kept AS (
			INSERT INTO anonymous_visits AS v (facility_id, day, visits)
			SELECT $1, day, n FROM visits
			ON CONFLICT (facility_id, day) DO UPDATE SET visits = v.visits + excluded.visits
		)
		SELECT coalesce(sum(n), 0)::integer FROM visits`, facilityID, motherID, pgDate(firstNotBegun)).Scan(&erased.KeptVisits)
	if err != nil {
		return fmt.Errorf("count her visits without her: %w", err)
	}
	// Her pushes about a booking go with it (outbox.booking_id cascades).
	err = tx.QueryRow(ctx, `
		WITH gone AS (
			DELETE FROM bookings WHERE facility_id = $1 AND mother_id = $2
			RETURNING status, day
		)
		SELECT count(*) FILTER (WHERE status = 'active' AND day >= $3)::integer FROM gone`,
		facilityID, motherID, pgDate(firstNotBegun)).Scan(&erased.FreedBookings)
	if err != nil {
		return fmt.Errorf("delete her bookings: %w", err)
	}
	// Her questions, their parts and answers go with her row (ON DELETE
	// CASCADE, migration 005).
	if _, err := tx.Exec(ctx, `DELETE FROM mothers WHERE id = $1`, motherID); err != nil {
		return fmt.Errorf("delete her row: %w", err)
	}
	return nil
}

// eraseEvents deletes her stored webhook events: every finished one, and
// the one being handled (eventID), whose Done then finds nothing. Events
// she sent after it are still to be answered and stay; her queue's head
// is settled as Done settles it.
func eraseEvents(ctx context.Context, tx pgx.Tx, facilityID int64, lineUserID, eventID string, at time.Time) error {
	var locked bool
	err := tx.QueryRow(ctx, `
		SELECT true FROM inbox_heads
		WHERE facility_id = $1 AND line_user_id = $2
		FOR UPDATE`, facilityID, lineUserID).Scan(&locked)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("lock her inbox queue: %w", err)
	}
	if _, err := tx.Exec(ctx, `
		DELETE FROM webhook_events
		WHERE facility_id = $1 AND line_user_id = $2 AND (processed_at IS NOT NULL OR event_id = $3)`,
		facilityID, lineUserID, eventID); err != nil {
		return fmt.Errorf("delete her events: %w", err)
	}
	if !locked {
		return nil
	}
	if _, err := tx.Exec(ctx, afterFinishQuery, facilityID, lineUserID, at, eventID); err != nil {
		return fmt.Errorf("settle her inbox queue: %w", err)
	}
	return nil
}

func (e *Erasure) UnfollowedBefore(ctx context.Context, facilityID int64, before time.Time, limit int) ([]string, error) {
	rows, err := e.pool.Query(ctx, `
		SELECT line_user_id FROM mothers
		WHERE facility_id = $1 AND unfollowed_at < $2 AND NOT following
		ORDER BY unfollowed_at
		LIMIT $3`, facilityID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("find mothers unfollowed before %s: %w", before.Format(time.RFC3339), err)
	}
	users, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find mothers unfollowed before %s: %w", before.Format(time.RFC3339), err)
	}
	return users, nil
}

// EraseQuestions keeps a question while she visits: its last change, or a
// visit of hers on or after the cutoff's day (one booked ahead included),
// keeps it.
func (e *Erasure) EraseQuestions(ctx context.Context, facilityID int64, before time.Time) (int64, error) {
	tag, err := e.pool.Exec(ctx, `
		DELETE FROM questions q
		WHERE q.facility_id = $1 AND coalesce(q.answered_at, q.last_part_at) < $2
		  AND NOT EXISTS (
			SELECT 1 FROM bookings b
			WHERE b.facility_id = q.facility_id AND b.mother_id = q.mother_id
			  AND b.status = 'active' AND b.day >= $3)`,
		facilityID, before, pgDate(booking.DateOf(before)))
	if err != nil {
		return 0, fmt.Errorf("erase questions older than %s: %w", before.Format(time.RFC3339), err)
	}
	return tag.RowsAffected(), nil
}
