package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// What the inbox keeps so that a crash costs little and repeats nothing:
// the lease of an event in hand is renewed while its worker lives (Extend),
// so a dead worker's event comes back within one short lease; and a reply
// is written down before it goes to LINE (BeginReply), so the retry of an
// event knows that LINE may have its answer already.

// Extend renews the lease of an event still in the hands of the worker
// that claimed it: attempt is the Attempts its claim returned, so a worker
// whose lease ran out and whose event another claimed renews nothing. It
// reports whether the lease was renewed.
func (in *Inbox) Extend(ctx context.Context, eventID string, attempt int, until time.Time) (bool, error) {
	// The head alone is locked, as by Claim; the event is only read.
	tag, err := in.pool.Exec(ctx, `
		UPDATE inbox_heads h SET next_attempt_at = $4
		FROM webhook_events e
		WHERE e.facility_id = $1 AND e.event_id = $2 AND e.attempts = $3 AND e.processed_at IS NULL
		  AND h.facility_id = $1 AND h.line_user_id = e.line_user_id`,
		in.facilityID, eventID, attempt, until)
	if err != nil {
		return false, fmt.Errorf("extend the lease of a webhook event: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// BeginReply writes down that the event's answer is about to be sent with
// its reply token, and reports whether an earlier reply to it may have
// reached LINE. Nothing is written for an event the inbox does not hold.
func (in *Inbox) BeginReply(ctx context.Context, eventID string, at time.Time) (earlier bool, err error) {
	err = in.pool.QueryRow(ctx, `
		WITH before AS (
			SELECT reply_attempted_at IS NOT NULL AS attempted
			FROM webhook_events
			WHERE facility_id = $1 AND event_id = $2
			FOR UPDATE
		), marked AS (
			UPDATE webhook_events SET reply_attempted_at = $3
			WHERE facility_id = $1 AND event_id = $2
		)
		SELECT attempted FROM before`, in.facilityID, eventID, at).Scan(&earlier)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write down a reply: %w", err)
	}
	return earlier, nil
}

// ReplyNotSent takes back what BeginReply wrote when LINE refused the reply
// or never got it. earlier is what BeginReply reported: an earlier reply
// that may have reached LINE still may have.
func (in *Inbox) ReplyNotSent(ctx context.Context, eventID string, earlier bool) error {
	if earlier {
		return nil
	}
	_, err := in.pool.Exec(ctx, `
		UPDATE webhook_events SET reply_attempted_at = NULL
		WHERE facility_id = $1 AND event_id = $2`, in.facilityID, eventID)
	if err != nil {
		return fmt.Errorf("take back a reply: %w", err)
	}
	return nil
}
