package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

// recorder keeps the statements the stores send, to explain them after.
type recorder struct {
	mu    sync.Mutex
	stmts []recorded
}

type recorded struct {
	sql  string
	args []any
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, recorded{data.SQL, data.Args})
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *recorder) take() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stmts
	r.stmts = nil
	return s
}

// TestExplainHotQueries loads 200,000 bookings and 300,000 inbox events
// and prints the plan of every statement of the hot paths, failing on a
// sequential scan of a big table. It takes a while, so it runs only with
// MAMASROOM_EXPLAIN=1:
//
//	MAMASROOM_EXPLAIN=1 scripts/test ./postgres/ -run TestExplainHotQueries -v
func TestExplainHotQueries(t *testing.T) {
	if os.Getenv("MAMASROOM_EXPLAIN") == "" {
		t.Skip("set MAMASROOM_EXPLAIN=1 to load 500,000 rows and print the plans")
	}
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := postgres.NewStore(pool)
	f, err := store.FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	load := []string{
		// 20,000 mothers with 10 bookings each, one a week, some cancelled.
		`INSERT INTO mothers (facility_id, line_user_id) SELECT $1, 'U' || i FROM generate_series(1, 20000) i`,
		`INSERT INTO bookings (facility_id, mother_id, number, day, status)
		 SELECT $1, m.id, lpad((m.id * 10 + k)::text, 8, '0'), current_date - 35 + k * 7,
		        CASE WHEN k % 4 = 0 THEN 'cancelled' ELSE 'active' END
		 FROM mothers m, generate_series(0, 9) k`,
		// 300,000 events: 290,000 handled, 10,000 waiting from 2,000 users.
		`INSERT INTO webhook_events (facility_id, event_id, line_user_id, payload, occurred_at, received_at, next_attempt_at, processed_at)
		 SELECT $1, 'done' || i, 'U' || (i % 20000), '{}', now() - interval '1 day', now() - interval '1 day', now() - interval '1 day',
		        now() - interval '1 day' + i * interval '1 second'
		 FROM generate_series(1, 290000) i`,
		`INSERT INTO webhook_events (facility_id, event_id, line_user_id, payload, occurred_at, received_at, next_attempt_at)
		 SELECT $1, 'open' || i, 'W' || (i % 2000), '{}', now() - interval '1 minute' + i * interval '1 millisecond',
		        now() - interval '1 minute', now() - interval '1 minute'
		 FROM generate_series(1, 10000) i`,
		`INSERT INTO inbox_heads (facility_id, line_user_id, next_attempt_at)
		 SELECT $1, line_user_id, min(next_attempt_at) FROM webhook_events WHERE processed_at IS NULL GROUP BY line_user_id`,
	}
	for _, q := range load {
		if _, err := pool.Exec(ctx, q, f.ID); err != nil {
			t.Fatalf("load: %v", err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var motherID int64
	var number string
	if err := pool.QueryRow(ctx, `SELECT mother_id, number FROM bookings WHERE status = 'active' AND day > current_date ORDER BY id DESC LIMIT 1`).Scan(&motherID, &number); err != nil {
		t.Fatal(err)
	}
	in := postgres.NewInbox(pool, f.ID)
	plain, err := pgxpool.New(ctx, cfg.ConnString())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plain.Close)
	rec.take()

	paths := []struct {
		name string
		run  func() error
	}{
		{"claim", func() error { _, err := in.Claim(ctx, now, time.Minute, 32); return err }},
		{"done", func() error { return in.Done(ctx, "open1", now) }},
		{"retry", func() error { return in.RetryAt(ctx, "open2", now) }},
		{"prune (one batch)", func() error {
			_, err := pool.Exec(ctx, `SELECT 1`) // recorded below instead: a real prune deletes all
			return err
		}},
		{"upcoming bookings", func() error {
			_, err := store.ActiveBookings(ctx, motherID, booking.DateOf(now))
			return err
		}},
		{"cancel by number", func() error { _, err := store.Cancel(ctx, motherID, number, now); return err }},
		{"cancel, already cancelled", func() error {
			if _, err := store.Cancel(ctx, motherID, number, now); !errors.Is(err, booking.ErrAlreadyCanceled) {
				return fmt.Errorf("cancelled twice: %v", err)
			}
			return nil
		}},
	}
	for _, p := range paths {
		if err := p.run(); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		stmts := rec.take()
		switch p.name {
		case "prune (one batch)":
			stmts = []recorded{{`DELETE FROM webhook_events WHERE facility_id = $1 AND event_id IN (
				SELECT event_id FROM webhook_events
				WHERE facility_id = $1 AND processed_at IS NOT NULL AND processed_at < $2 ORDER BY processed_at LIMIT $3)`,
				[]any{f.ID, now, 1000}}}
		}
		for _, s := range stmts {
			explain(t, plain, p.name, s)
		}
	}
	explain(t, plain, "delete a mother's bookings", recorded{
		`DELETE FROM bookings WHERE facility_id = $1 AND mother_id = $2`, []any{f.ID, motherID}})
}

// explain prints the plan of one statement, run and rolled back.
func explain(t *testing.T, pool *pgxpool.Pool, name string, s recorded) {
	t.Helper()
	head := strings.ToUpper(strings.Fields(s.sql)[0])
	if head == "BEGIN" || head == "COMMIT" || head == "ROLLBACK" || strings.HasPrefix(strings.TrimSpace(s.sql), "--") {
		return
	}
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "+s.sql, s.args...)
	if err != nil {
		t.Fatalf("%s: explain %s: %v", name, oneLine(s.sql), err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: explain: %v", name, err)
	}
	plan := strings.Join(lines, "\n")
	t.Logf("== %s\n%s\n%s", name, oneLine(s.sql), plan)
	for _, big := range []string{"bookings", "webhook_events", "inbox_heads"} {
		if strings.Contains(plan, "Seq Scan on "+big) {
			t.Errorf("%s: a sequential scan of %s", name, big)
		}
	}
}

func oneLine(sql string) string {
	s := strings.Join(strings.Fields(sql), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return fmt.Sprint(s)
}
