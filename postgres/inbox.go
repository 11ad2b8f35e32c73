package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/inbox"
)

// Inbox is the durable queue of webhook events: stored before LINE gets its
// 200, processed afterwards, one user's events strictly in arrival order.
type Inbox struct {
	pool       *pgxpool.Pool
	facilityID int64
	// analyzedAt is when a backlog last made the inbox refresh the
	// planner's statistics (unix nanoseconds); see refreshStatistics.
	analyzedAt atomic.Int64
}

// Inbox is the inbox.Store the program runs on.
var _ inbox.Store = (*Inbox)(nil)

func NewInbox(pool *pgxpool.Pool, facilityID int64) *Inbox {
	return &Inbox{pool: pool, facilityID: facilityID}
}

// How the inbox keeps order cheaply: every queue with unfinished events (a
// user, or '' for events outside a one-to-one chat) has one row in
// inbox_heads saying when its oldest unfinished event may next be taken.
// Claim locks due heads with SKIP LOCKED, pushes each one's time to the end
// of the lease, and takes that queue's oldest event by index: a claim reads
// what it takes, not the backlog. Done, GiveUp, RetryAt and Postpone lock
// the head before they touch the event, as Claim does, so the two never
// wait on each other in opposite orders.

// addQuery stores a delivery in one statement, however many events it
// holds: the events, then a head for each queue that got a new one. A head
// is upserted with DO UPDATE rather than DO NOTHING: that locks an existing
// head until commit, so a Done that is deciding whether her queue is empty
// waits for these events and then sees them. Data-modifying CTEs all run
// to completion, whether the final SELECT reads them or not.
const addQuery = `
	WITH new AS (
		INSERT INTO webhook_events (facility_id, event_id, line_user_id, payload, occurred_at, received_at, next_attempt_at)
		SELECT $1, e.event_id, e.line_user_id, e.payload::json, e.occurred_at, e.received_at, e.received_at
		FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
			WITH ORDINALITY AS e (event_id, line_user_id, payload, occurred_at, received_at, n)
		ORDER BY e.n
		ON CONFLICT (facility_id, event_id) DO NOTHING
		RETURNING line_user_id, received_at
	), heads AS (
		INSERT INTO inbox_heads AS h (facility_id, line_user_id, next_attempt_at)
		SELECT $1, line_user_id, min(received_at) FROM new
		GROUP BY line_user_id
		ORDER BY line_user_id
		ON CONFLICT (facility_id, line_user_id)
		DO UPDATE SET next_attempt_at = h.next_attempt_at
	)
	SELECT count(*) FROM new`

// lockUsersQuery takes the users' locks in the order given.
const lockUsersQuery = `SELECT pg_advisory_xact_lock(hashtextextended(u, $2)) FROM unnest($1::text[]) AS u`

// Add stores events, dropping any already stored (LINE redelivers), and
// reports how many were new. All or none are stored. An event whose data
// Postgres refuses (a NUL, broken UTF-8) fails the whole call with an error
// wrapping inbox.ErrUnstorable, so the caller can store the others.
//
// One statement for the whole delivery, not one per event: 1,000 events
// are stored in a few milliseconds (BenchmarkWebhook1000Events).
func (in *Inbox) Add(ctx context.Context, events []inbox.Event) (added int, err error) {
	if len(events) == 0 {
		return 0, nil
	}
	// Two deliveries for one user store one after the other (the lock lasts
	// until commit), so the one stored first is visible first and no worker
	// sees her later event while an earlier one is still being written.
	var users []string
	ids := make([]string, len(events))
	userOf := make([]string, len(events))
	payloads := make([]string, len(events))
	occurred := make([]time.Time, len(events))
	received := make([]time.Time, len(events))
	for i, e := range events {
		if e.LineUserID != "" {
			users = append(users, e.LineUserID)
		}
		ids[i], userOf[i], payloads[i] = e.EventID, e.LineUserID, string(e.Payload)
		occurred[i], received[i] = e.OccurredAt, e.ReceivedAt
	}
	slices.Sort(users) // one order for all, so two deliveries cannot deadlock
	users = slices.Compact(users)
	err = pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		if len(users) > 0 {
			batch.Queue(lockUsersQuery, users, in.facilityID)
		}
		batch.Queue(addQuery, in.facilityID, ids, userOf, payloads, occurred, received).
			QueryRow(func(row pgx.Row) error { return row.Scan(&added) })
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		added = 0
		if dataRefused(err) {
			return 0, fmt.Errorf("store webhook events: %w: %w", inbox.ErrUnstorable, err)
		}
		return 0, fmt.Errorf("store webhook events: %w", err)
	}
	return added, nil
}

// dataRefused tells an error of the data (SQLSTATE class 22, data
// exception, or 54, a limit such as a JSON nested too deep) from every
// other: an outage, a timeout or a conflict says nothing against the data.
func dataRefused(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	return strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "54")
}

const claimQuery = `
	WITH due AS (
		SELECT line_user_id
		FROM inbox_heads
		WHERE facility_id = $1 AND next_attempt_at <= $2
		ORDER BY next_attempt_at
		LIMIT $4
		FOR UPDATE SKIP LOCKED
	), leased AS (
		-- = ANY of an array, not a join: a join is planned as a hash of
		-- every head, which costs what is waiting, not what is taken.
		UPDATE inbox_heads h
		SET next_attempt_at = $3
		WHERE h.facility_id = $1 AND h.line_user_id = ANY (ARRAY(SELECT line_user_id FROM due))
		RETURNING h.line_user_id
	), oldest AS (
		SELECT l.line_user_id, o.event_id
		FROM leased l
		LEFT JOIN LATERAL (
			SELECT e.event_id
			FROM webhook_events e
			WHERE e.facility_id = $1 AND e.line_user_id = l.line_user_id AND e.processed_at IS NULL
			ORDER BY e.occurred_at, e.seq
			LIMIT 1
		) o ON true
	), taken AS (
		-- processed_at is checked again here: an event finished after this
		-- statement's snapshot is not taken a second time.
		-- Her user id too, so the unfinished-events index is entered at her
		-- events even while the statistics lag a sudden backlog.
		UPDATE webhook_events w
		SET attempts = w.attempts + 1, next_attempt_at = $3
		WHERE w.facility_id = $1
		  AND w.line_user_id = ANY (ARRAY(SELECT line_user_id FROM oldest WHERE event_id IS NOT NULL))
		  AND w.event_id = ANY (ARRAY(SELECT event_id FROM oldest WHERE event_id IS NOT NULL))
		  AND w.processed_at IS NULL
		RETURNING w.event_id, w.line_user_id, w.payload::text AS payload, w.occurred_at, w.received_at, w.attempts
	)
	SELECT o.line_user_id, t.event_id, t.payload, t.occurred_at, t.received_at, t.attempts
	FROM oldest o
	LEFT JOIN taken t ON t.event_id = o.event_id`

// Claim takes up to limit events that are due, each the earliest unfinished
// event of its user (by LINE's timestamp, then arrival), and leases them
// until now+lease. A user's next event is not offered while an earlier one
// is unfinished, so order per user holds across workers and processes; an
// expired lease makes an event due again (a crashed worker's event is
// retried, never lost).
func (in *Inbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]inbox.Pending, error) {
	rows, err := in.pool.Query(ctx, claimQuery, in.facilityID, now, now.Add(lease), limit)
	if err != nil {
		return nil, fmt.Errorf("claim webhook events: %w", err)
	}
	var (
		events []inbox.Pending
		empty  []string
	)
	for rows.Next() {
		// Every column of the event is NULL for a head whose event was
		// finished while this claim ran (see settleHead below).
		var (
			user                   string
			eventID, payload       *string
			occurredAt, receivedAt *time.Time
			attempts               *int
		)
		if err := rows.Scan(&user, &eventID, &payload, &occurredAt, &receivedAt, &attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim webhook events: %w", err)
		}
		if eventID == nil {
			empty = append(empty, user)
			continue
		}
		events = append(events, inbox.Pending{Attempts: *attempts, Event: inbox.Event{
			EventID: *eventID, LineUserID: user, Payload: []byte(*payload),
			OccurredAt: *occurredAt, ReceivedAt: *receivedAt,
		}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim webhook events: %w", err)
	}
	// A head whose event was finished while this claim ran: look again
	// with a fresh view, under the head's lock.
	for _, user := range empty {
		if err := in.settleHead(ctx, user, now); err != nil {
			return events, err
		}
	}
	if len(events) == limit {
		in.refreshStatistics(ctx, now)
	}
	slices.SortFunc(events, func(a, b inbox.Pending) int {
		if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
			return c
		}
		return strings.Compare(a.EventID, b.EventID)
	})
	return events, nil
}

// analyzeEvery spaces out the statistics refreshes of a backlog.
const analyzeEvery = time.Minute

// refreshStatistics runs ANALYZE on the inbox's tables when a claim finds
// a backlog, at most once a minute. A backlog grows faster than autovacuum
// notices (an outage, a busy evening), and with statistics that still say
// "a few rows" the planner reads every waiting event to find one: measured
// with 10,000 waiting, 300 events/s before and 3,000 after. ANALYZE samples
// a bounded number of rows, so it costs milliseconds at any size. A failure
// only means the old statistics stay.
func (in *Inbox) refreshStatistics(ctx context.Context, now time.Time) {
	last := in.analyzedAt.Load()
	if now.UnixNano()-last < int64(analyzeEvery) || !in.analyzedAt.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	_, _ = in.pool.Exec(ctx, `ANALYZE webhook_events, inbox_heads`)
}

// settleHead makes a queue's head right after its event was finished:
// gone when the queue is empty, due at the given time when it is not.
func (in *Inbox) settleHead(ctx context.Context, user string, at time.Time) error {
	err := pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		var locked bool
		err := tx.QueryRow(ctx, `
			SELECT true FROM inbox_heads
			WHERE facility_id = $1 AND line_user_id = $2
			FOR UPDATE`, in.facilityID, user).Scan(&locked)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, afterFinishQuery, in.facilityID, user, at, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("settle inbox head: %w", err)
	}
	return nil
}

// afterFinishQuery runs under the head's lock, after the event ($4) is
// finished in the same transaction. It is its own statement, so its
// snapshot is taken after the lock: events that an Add committed while we
// waited for the lock are seen, and a queue with events is never dropped.
const afterFinishQuery = `
	WITH more AS (
		SELECT EXISTS (
			SELECT 1 FROM webhook_events
			WHERE facility_id = $1 AND line_user_id = $2 AND processed_at IS NULL AND event_id <> $4
		) AS remaining
	), dropped AS (
		DELETE FROM inbox_heads
		WHERE facility_id = $1 AND line_user_id = $2 AND NOT (SELECT remaining FROM more)
	)
	UPDATE inbox_heads SET next_attempt_at = $3
	WHERE facility_id = $1 AND line_user_id = $2 AND (SELECT remaining FROM more)`

// onEvent runs change on an unfinished event while holding its queue's
// head lock. It does nothing when the event is finished or unknown.
func (in *Inbox) onEvent(ctx context.Context, eventID string, change func(tx pgx.Tx, user string) error) error {
	return pgx.BeginFunc(ctx, in.pool, func(tx pgx.Tx) error {
		// The event is found by its primary key alone. A condition on
		// processed_at here would let the planner pick the partial index
		// of unfinished events instead, and while the table's statistics
		// lag a sudden backlog it does, reading every waiting event for
		// each one it finishes (measured: 300 events/s instead of 3,000).
		var (
			user       string
			unfinished bool
		)
		err := tx.QueryRow(ctx, `
			SELECT line_user_id, processed_at IS NULL
			FROM webhook_events
			WHERE facility_id = $1 AND event_id = $2`, in.facilityID, eventID).Scan(&user, &unfinished)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !unfinished) {
			return nil
		}
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			SELECT true FROM inbox_heads
			WHERE facility_id = $1 AND line_user_id = $2
			FOR UPDATE`, in.facilityID, user).Scan(&unfinished)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // finished meanwhile, and her queue is empty
		}
		if err != nil {
			return err
		}
		return change(tx, user)
	})
}

// finish marks an event processed and lets her next event go.
func (in *Inbox) finish(ctx context.Context, eventID string, at time.Time, gaveUp bool) error {
	return in.onEvent(ctx, eventID, func(tx pgx.Tx, user string) error {
		tag, err := tx.Exec(ctx, `
			UPDATE webhook_events SET processed_at = $3, gave_up = $4
			WHERE facility_id = $1 AND line_user_id = $5 AND event_id = $2 AND processed_at IS NULL`,
			in.facilityID, eventID, at, gaveUp, user)
		if err != nil || tag.RowsAffected() == 0 {
			return err // finished meanwhile by a worker whose lease ran out
		}
		_, err = tx.Exec(ctx, afterFinishQuery, in.facilityID, user, at, eventID)
		return err
	})
}

// Done marks an event processed.
func (in *Inbox) Done(ctx context.Context, eventID string, at time.Time) error {
	if err := in.finish(ctx, eventID, at, false); err != nil {
		return fmt.Errorf("mark webhook event done: %w", err)
	}
	return nil
}

// GiveUp ends an event that failed every attempt. It stays in the table,
// marked, for the operator; the user's later events can go on.
func (in *Inbox) GiveUp(ctx context.Context, eventID string, at time.Time) error {
	if err := in.finish(ctx, eventID, at, true); err != nil {
		return fmt.Errorf("give up webhook event: %w", err)
	}
	return nil
}

// reschedule makes an event due again at the given time; uncount takes
// back the attempt that its claim counted.
func (in *Inbox) reschedule(ctx context.Context, eventID string, at time.Time, uncount bool) error {
	return in.onEvent(ctx, eventID, func(tx pgx.Tx, user string) error {
		_, err := tx.Exec(ctx, `
			WITH ev AS (
				UPDATE webhook_events
				SET next_attempt_at = $3, attempts = CASE WHEN $5 THEN greatest(attempts - 1, 0) ELSE attempts END
				WHERE facility_id = $1 AND line_user_id = $4 AND event_id = $2 AND processed_at IS NULL
			)
			UPDATE inbox_heads SET next_attempt_at = $3
			WHERE facility_id = $1 AND line_user_id = $4`,
			in.facilityID, eventID, at, user, uncount)
		return err
	})
}

// RetryAt puts an event back to be tried again at the given time. The
// attempt it just had counts.
func (in *Inbox) RetryAt(ctx context.Context, eventID string, at time.Time) error {
	if err := in.reschedule(ctx, eventID, at, false); err != nil {
		return fmt.Errorf("reschedule webhook event: %w", err)
	}
	return nil
}

// Postpone puts an event back to be tried again at the given time without
// counting the attempt it just had: it failed through no fault of its own
// (LINE, Postgres or Redis was out), so it must not move nearer to being
// given up.
func (in *Inbox) Postpone(ctx context.Context, eventID string, at time.Time) error {
	if err := in.reschedule(ctx, eventID, at, true); err != nil {
		return fmt.Errorf("postpone webhook event: %w", err)
	}
	return nil
}

// pruneBatch bounds one prune statement, so it holds its locks briefly
// and never builds one huge transaction.
const pruneBatch = 1000

const pruneQuery = `
	DELETE FROM webhook_events
	WHERE facility_id = $1 AND event_id IN (
		SELECT event_id FROM webhook_events
		WHERE facility_id = $1 AND processed_at IS NOT NULL AND processed_at < $2
		ORDER BY processed_at -- oldest first, by index: a batch reads a batch
		LIMIT $3)`

// Prune deletes events finished before the given time, a batch at a time.
// Events hold what a mother wrote, so they are kept only as long as they
// help diagnose a fault.
func (in *Inbox) Prune(ctx context.Context, finishedBefore time.Time) (int64, error) {
	var total int64
	for {
		tag, err := in.pool.Exec(ctx, pruneQuery, in.facilityID, finishedBefore, pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune webhook events: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < pruneBatch {
			return total, nil
		}
	}
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

// Ping checks that the database answers, to tell a fault of one event from
// an outage of the database.
func (in *Inbox) Ping(ctx context.Context) error {
	return in.pool.Ping(ctx)
}
