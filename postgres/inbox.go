package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Inbox is the durable queue of webhook events: stored before LINE gets its
// 200, processed afterwards, one user's events strictly in arrival order.
type Inbox struct {
	pool       *pgxpool.Pool
	facilityID int64
}

func NewInbox(pool *pgxpool.Pool, facilityID int64) *Inbox {
	return &Inbox{pool: pool, facilityID: facilityID}
}

// InboxEvent is one webhook event as LINE sent it.
type InboxEvent struct {
	EventID    string
	LineUserID string
	Payload    []byte    // the event's JSON as received
	OccurredAt time.Time // LINE's timestamp of the event
	ReceivedAt time.Time
}

// PendingEvent is an event claimed for processing.
type PendingEvent struct {
	InboxEvent
	Attempts int // including this one
}

// Add stores events, dropping any already stored (LINE redelivers), and
// reports how many were new. All or none are stored.
func (in *Inbox) Add(ctx context.Context, events []InboxEvent) (added int, err error) {
	if len(events) == 0 {
		return 0, nil
	}
	// Two deliveries for one user store one after the other (the lock lasts
	// until commit), so the one stored first is visible first and no worker
	// sees her later event while an earlier one is still being written.
	var users []string
	for _, e := range events {
		if e.LineUserID != "" && !slices.Contains(users, e.LineUserID) {
			users = append(users, e.LineUserID)
		}
	}
	slices.Sort(users) // one order for all, so two deliveries cannot deadlock
	batch := &pgx.Batch{}
	for _, u := range users {
		batch.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1, $2))`, u, in.facilityID)
	}
	for _, e := range events {
		batch.Queue(`
			INSERT INTO webhook_events (facility_id, event_id, line_user_id, payload, occurred_at, received_at, next_attempt_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)
			ON CONFLICT (facility_id, event_id) DO NOTHING`,
			in.facilityID, e.EventID, e.LineUserID, string(e.Payload), e.OccurredAt, e.ReceivedAt)
	}
	err = pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		results := tx.SendBatch(ctx, batch)
		defer results.Close()
		for range users {
			if _, err := results.Exec(); err != nil {
				return err
			}
		}
		for range events {
			tag, err := results.Exec()
			if err != nil {
				return err
			}
			added += int(tag.RowsAffected())
		}
		return results.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("store webhook events: %w", err)
	}
	return added, nil
}

// Claim takes up to limit events that are due, each the earliest unfinished
// event of its user (by LINE's timestamp, then arrival), and leases them until now+lease. A user's next event is
// not offered while an earlier one is unfinished, so order per user holds
// across workers and processes; an expired lease makes an event due again
// (a crashed worker's event is retried, never lost).
func (in *Inbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]PendingEvent, error) {
	rows, err := in.pool.Query(ctx, `
		WITH due AS (
			SELECT e.event_id
			FROM webhook_events e
			WHERE e.facility_id = $1
			  AND e.processed_at IS NULL
			  AND e.next_attempt_at <= $2
			  AND NOT EXISTS (
			      SELECT 1 FROM webhook_events earlier
			      WHERE earlier.facility_id = e.facility_id
			        AND earlier.line_user_id = e.line_user_id
			        AND earlier.processed_at IS NULL
			        AND (earlier.occurred_at, earlier.seq) < (e.occurred_at, e.seq))
			ORDER BY e.occurred_at, e.seq
			LIMIT $4
			FOR UPDATE SKIP LOCKED
		)
		UPDATE webhook_events w
		SET attempts = w.attempts + 1, next_attempt_at = $3
		FROM due
		WHERE w.facility_id = $1 AND w.event_id = due.event_id
		RETURNING w.event_id, w.line_user_id, w.payload::text, w.occurred_at, w.received_at, w.attempts`,
		in.facilityID, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim webhook events: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (PendingEvent, error) {
		var e PendingEvent
		var payload string
		err := row.Scan(&e.EventID, &e.LineUserID, &payload, &e.OccurredAt, &e.ReceivedAt, &e.Attempts)
		e.Payload = []byte(payload)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook events: %w", err)
	}
	return events, nil
}

// Done marks an event processed.
func (in *Inbox) Done(ctx context.Context, eventID string, at time.Time) error {
	_, err := in.pool.Exec(ctx, `
		UPDATE webhook_events SET processed_at = $3
		WHERE facility_id = $1 AND event_id = $2`, in.facilityID, eventID, at)
	if err != nil {
		return fmt.Errorf("mark webhook event done: %w", err)
	}
	return nil
}

// GiveUp ends an event that failed every attempt. It stays in the table,
// marked, for the operator; the user's later events can go on.
func (in *Inbox) GiveUp(ctx context.Context, eventID string, at time.Time) error {
	_, err := in.pool.Exec(ctx, `
		UPDATE webhook_events SET processed_at = $3, gave_up = true
		WHERE facility_id = $1 AND event_id = $2`, in.facilityID, eventID, at)
	if err != nil {
		return fmt.Errorf("give up webhook event: %w", err)
	}
	return nil
}

// RetryAt puts an event back to be tried again at the given time.
func (in *Inbox) RetryAt(ctx context.Context, eventID string, at time.Time) error {
	_, err := in.pool.Exec(ctx, `
		UPDATE webhook_events SET next_attempt_at = $3
		WHERE facility_id = $1 AND event_id = $2 AND processed_at IS NULL`, in.facilityID, eventID, at)
	if err != nil {
		return fmt.Errorf("reschedule webhook event: %w", err)
	}
	return nil
}

// Prune deletes events finished before the given time. Events hold what a
// mother wrote, so they are kept only as long as they help diagnose a fault.
func (in *Inbox) Prune(ctx context.Context, finishedBefore time.Time) (int64, error) {
	tag, err := in.pool.Exec(ctx, `
		DELETE FROM webhook_events
		WHERE facility_id = $1 AND processed_at IS NOT NULL AND processed_at < $2`,
		in.facilityID, finishedBefore)
	if err != nil {
		return 0, fmt.Errorf("prune webhook events: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Pending counts unfinished events, for the metrics page.
func (in *Inbox) Pending(ctx context.Context) (int, error) {
	var n int
	err := in.pool.QueryRow(ctx, `
		SELECT count(*) FROM webhook_events WHERE facility_id = $1 AND processed_at IS NULL`,
		in.facilityID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending webhook events: %w", err)
	}
	return n, nil
}
