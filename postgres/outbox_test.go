package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/line"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

type outboxEnv struct {
	pool     *pgxpool.Pool
	out      *postgres.Outbox
	facility int64
}

func outboxAt(t *testing.T) outboxEnv {
	t.Helper()
	pool := pgtest.Pool(t)
	f, err := postgres.NewStore(pool).FacilityBySlug(context.Background(), "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	return outboxEnv{pool: pool, out: postgres.NewOutbox(pool, f.ID), facility: f.ID}
}

func testPush(key string) outbox.Push {
	return outbox.Push{
		LineUserID: "U" + strings.Repeat("a", 32),
		Kind:       outbox.KindReminder,
		DedupeKey:  key,
		Messages:   []line.Message{{Text: "明日はご来所の日です " + key}},
	}
}

func (e outboxEnv) enqueue(t *testing.T, ps ...outbox.Push) {
	t.Helper()
	for _, p := range ps {
		if ok, err := e.out.Enqueue(context.Background(), e.pool, p); err != nil || !ok {
			t.Fatalf("enqueue %s: enqueued %v, %v", p.DedupeKey, ok, err)
		}
	}
}

func (e outboxEnv) find(t *testing.T, key string) outbox.Push {
	t.Helper()
	p, err := e.out.Find(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func keysOf(cs []outbox.Claimed) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.DedupeKey)
	}
	return out
}

func TestOutboxEnqueueIsIdempotent(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	first := testPush("reminder/booking/1")
	e.enqueue(t, first)

	again := first
	again.Messages = []line.Message{{Text: "別の文"}}
	ok, err := e.out.Enqueue(ctx, e.pool, again)
	if err != nil || ok {
		t.Fatalf("second enqueue: enqueued %v, %v; want false, nil", ok, err)
	}
	got := e.find(t, first.DedupeKey)
	if got.Messages[0].Text != first.Messages[0].Text || got.Status != outbox.StatusPending || got.FacilityID != e.facility {
		t.Fatalf("after a repeat: %+v; want the first push, pending, in facility %d", got, e.facility)
	}
}

func TestOutboxEnqueueJoinsTheCallersTransaction(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	boom := errors.New("the change failed")
	err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
		if _, err := e.out.Enqueue(ctx, tx, testPush("closure/2026-12-03")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if _, err := e.out.Find(ctx, "closure/2026-12-03"); !errors.Is(err, outbox.ErrNotFound) {
		t.Fatalf("push of a rolled-back change: %v; want ErrNotFound", err)
	}
}

func TestOutboxEnqueueRefusesWhatCannotBeSent(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	six := testPush("six")
	for range 5 {
		six.Messages = append(six.Messages, line.Message{Text: "x"})
	}
	otherFacility := testPush("other")
	otherFacility.FacilityID = e.facility + 1
	stale := testPush("stale")
	stale.NotBefore = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	stale.Expires = stale.NotBefore.Add(-time.Hour)
	for name, p := range map[string]outbox.Push{
		"no user":        func() outbox.Push { p := testPush("u"); p.LineUserID = ""; return p }(),
		"unknown kind":   func() outbox.Push { p := testPush("k"); p.Kind = "newsletter"; return p }(),
		"no key":         testPush(""),
		"no messages":    func() outbox.Push { p := testPush("m"); p.Messages = nil; return p }(),
		"six messages":   six,
		"empty text":     func() outbox.Push { p := testPush("t"); p.Messages[0].Text = ""; return p }(),
		"other facility": otherFacility,
		"expires first":  stale,
	} {
		if _, err := e.out.Enqueue(ctx, e.pool, p); !errors.Is(err, outbox.ErrInvalid) {
			t.Errorf("%s: %v; want ErrInvalid", name, err)
		}
	}
}

func TestOutboxRoundTripsWhatWasEnqueued(t *testing.T) {
	e := outboxAt(t)
	p := testPush("consult_answer/question/7")
	p.Kind = outbox.KindConsultAnswer
	p.Messages = []line.Message{{
		Text:    "助産師からのお返事です",
		Buttons: []line.Button{{Kind: line.ButtonMessage, Label: "はい", Text: "はい"}},
		Calls:   []line.Call{{Label: "#8000", Number: "#8000"}},
	}, {Text: "二通目"}}
	p.NotBefore = time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	p.Expires = time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	e.enqueue(t, p)

	got := e.find(t, p.DedupeKey)
	want, _ := json.Marshal(p.Messages)
	have, _ := json.Marshal(got.Messages)
	if string(want) != string(have) || got.Kind != p.Kind || got.LineUserID != p.LineUserID ||
		!got.NotBefore.Equal(p.NotBefore) || !got.Expires.Equal(p.Expires) {
		t.Fatalf("read back %+v\nwant %+v", got, p)
	}
	e.enqueue(t, testPush("asap"))
	if got := e.find(t, "asap"); !got.NotBefore.IsZero() || !got.Expires.IsZero() {
		t.Fatalf("an immediate push read back with NotBefore %v, Expires %v; want both zero", got.NotBefore, got.Expires)
	}
}

func TestOutboxClaimTakesDuePushesAndLeasesThem(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	later := testPush("later")
	later.NotBefore = now.Add(time.Hour)
	e.enqueue(t, testPush("a"), testPush("b"), later)

	first, err := e.out.Claim(ctx, now, time.Minute, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(first); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("claimed %v, want [a b] (later is not due)", got)
	}
	if first[0].Attempts != 1 || first[0].Unfollowed {
		t.Fatalf("claimed %+v; want attempt 1 of a following mother", first[0])
	}
	if more, _ := e.out.Claim(ctx, now.Add(59*time.Second), time.Minute, 10, false); len(more) != 0 {
		t.Fatalf("claimed %v again while leased", keysOf(more))
	}
	// The worker holding them died: when the lease ends they come back.
	back, err := e.out.Claim(ctx, now.Add(time.Minute), time.Minute, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(back); !slices.Equal(got, []string{"a", "b"}) || back[0].Attempts != 2 {
		t.Fatalf("after the lease: claimed %v (attempt %d), want [a b] at attempt 2", got, back[0].Attempts)
	}
	if err := e.out.MarkSent(ctx, back[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := e.out.MarkFailed(ctx, back[1].ID, now, "status 400"); err != nil {
		t.Fatal(err)
	}
	final, err := e.out.Claim(ctx, now.Add(2*time.Hour), time.Minute, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := keysOf(final); !slices.Equal(got, []string{"later"}) {
		t.Fatalf("two hours on: claimed %v, want [later]: finished pushes are never claimed", got)
	}
	if a, b := e.find(t, "a"), e.find(t, "b"); a.Status != outbox.StatusSent || b.Status != outbox.StatusFailed || b.LastError != "status 400" {
		t.Fatalf("a %s, b %s %q; want sent, failed \"status 400\"", a.Status, b.Status, b.LastError)
	}
}

func TestOutboxFinishedStaysFinished(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	e.enqueue(t, testPush("a"))
	c, err := e.out.Claim(ctx, now, time.Minute, 1, false)
	if err != nil || len(c) != 1 {
		t.Fatal(len(c), err)
	}
	if err := e.out.MarkSent(ctx, c[0].ID, now); err != nil {
		t.Fatal(err)
	}
	// A worker whose lease ran out learns late that its push failed.
	if err := e.out.MarkFailed(ctx, c[0].ID, now, "status 500"); err != nil {
		t.Fatal(err)
	}
	if err := e.out.RetryAt(ctx, c[0].ID, c[0].Attempts, now, "status 500"); err != nil {
		t.Fatal(err)
	}
	if got := e.find(t, "a"); got.Status != outbox.StatusSent {
		t.Fatalf("status %s after late news; want sent", got.Status)
	}
}

func TestOutboxRetryAtBelongsToTheClaim(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	e.enqueue(t, testPush("a"))
	stale, _ := e.out.Claim(ctx, now, time.Minute, 1, false)
	fresh, _ := e.out.Claim(ctx, now.Add(time.Minute), time.Minute, 1, false)
	if len(stale) != 1 || len(fresh) != 1 {
		t.Fatalf("claims %d, %d; want 1, 1", len(stale), len(fresh))
	}
	// The first worker's answer comes after its lease: it must not cut the
	// second worker's lease short.
	if err := e.out.RetryAt(ctx, stale[0].ID, stale[0].Attempts, now.Add(time.Minute), "status 503"); err != nil {
		t.Fatal(err)
	}
	if more, _ := e.out.Claim(ctx, now.Add(90*time.Second), time.Minute, 1, false); len(more) != 0 {
		t.Fatal("a stale RetryAt released a row another worker holds")
	}
	if err := e.out.RetryAt(ctx, fresh[0].ID, fresh[0].Attempts, now.Add(100*time.Second), "status 503"); err != nil {
		t.Fatal(err)
	}
	again, _ := e.out.Claim(ctx, now.Add(100*time.Second), time.Minute, 1, false)
	if len(again) != 1 || again[0].Attempts != 3 || again[0].LastError != "status 503" {
		t.Fatalf("after the holder's RetryAt: %+v; want the row at attempt 3", again)
	}
}

func TestOutboxPostponeGivesTheAttemptBack(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	e.enqueue(t, testPush("a"))
	c, _ := e.out.Claim(ctx, now, time.Minute, 1, false)
	if err := e.out.Postpone(ctx, c[0].ID, c[0].Attempts, now.Add(time.Second), "status 401"); err != nil {
		t.Fatal(err)
	}
	again, _ := e.out.Claim(ctx, now.Add(time.Second), time.Minute, 1, false)
	if len(again) != 1 || again[0].Attempts != 1 {
		t.Fatalf("after a postponement: %+v; want the row at attempt 1 again", again)
	}
}

func TestOutboxClaimTellsOfUnfollowedMothers(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	blocked := "U" + strings.Repeat("b", 32)
	if _, err := e.pool.Exec(ctx, `INSERT INTO mothers (facility_id, line_user_id, following) VALUES ($1, $2, false)`,
		e.facility, blocked); err != nil {
		t.Fatal(err)
	}
	toBlocked := testPush("to-blocked")
	toBlocked.LineUserID = blocked
	e.enqueue(t, testPush("to-unknown"), toBlocked)
	c, err := e.out.Claim(ctx, time.Now(), time.Minute, 10, false)
	if err != nil || len(c) != 2 {
		t.Fatal(len(c), err)
	}
	for _, p := range c {
		if want := p.DedupeKey == "to-blocked"; p.Unfollowed != want {
			t.Errorf("%s: Unfollowed %v, want %v", p.DedupeKey, p.Unfollowed, want)
		}
	}
}

// Many workers claiming at once each get different rows, and together all.
func TestOutboxConcurrentClaimsNeverOverlap(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	const n = 300
	batch := &pgx.Batch{}
	for i := range n {
		p := testPush(fmt.Sprintf("k%03d", i))
		msgs, _ := json.Marshal(p.Messages)
		batch.Queue(`INSERT INTO outbox (facility_id, line_user_id, kind, dedupe_key, messages, not_before, next_attempt_at)
			VALUES ($1, $2, 'reminder', $3, $4, '-infinity', '-infinity')`, e.facility, p.LineUserID, p.DedupeKey, string(msgs))
	}
	if err := e.pool.SendBatch(ctx, batch).Close(); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for {
				c, err := e.out.Claim(ctx, time.Now(), time.Hour, 7, false)
				if err != nil {
					t.Error(err)
					return
				}
				if len(c) == 0 {
					return
				}
				mu.Lock()
				for _, p := range c {
					seen[p.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct rows, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Fatalf("row %d claimed %d times", id, k)
		}
	}
}

// The claim reads the due index, not the table: thousands of sent rows do
// not make it slower.
func TestOutboxClaimUsesTheDueIndex(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	if _, err := e.pool.Exec(ctx, `
		INSERT INTO outbox (facility_id, line_user_id, kind, dedupe_key, messages, not_before, next_attempt_at, status, finished_at)
		SELECT $1, 'U' || md5(i::text), 'reminder', 'sent/' || i, '[{"text":"x"}]', now(), now(), 'sent', now()
		FROM generate_series(1, 20000) AS i`, e.facility); err != nil {
		t.Fatal(err)
	}
	e.enqueue(t, testPush("due"))
	if _, err := e.pool.Exec(ctx, `ANALYZE outbox`); err != nil {
		t.Fatal(err)
	}
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `
		EXPLAIN SELECT id FROM outbox
		WHERE facility_id = $1 AND priority = 0 AND status = 'pending' AND next_attempt_at <= now()
		ORDER BY next_attempt_at, id LIMIT 10 FOR UPDATE SKIP LOCKED`, e.facility)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	plan := strings.Join(lines, "\n")
	if !strings.Contains(plan, "outbox_due") || strings.Contains(plan, "Seq Scan") {
		t.Fatalf("the claim does not read outbox_due:\n%s", plan)
	}
}

func TestOutboxPruneDeletesOnlyFinishedPushes(t *testing.T) {
	ctx := context.Background()
	e := outboxAt(t)
	now := time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)
	e.enqueue(t, testPush("sent"), testPush("pending"))
	c, _ := e.out.Claim(ctx, now, time.Minute, 1, false)
	if err := e.out.MarkSent(ctx, c[0].ID, now); err != nil {
		t.Fatal(err)
	}
	n, err := e.out.Prune(ctx, now.Add(time.Second))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	if pending, err := e.out.Pending(ctx); err != nil || pending != 1 {
		t.Fatalf("pending %d, %v; want 1", pending, err)
	}
}
