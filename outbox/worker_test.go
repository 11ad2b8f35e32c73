package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/line"
	"mamasroom/linesim"
	"mamasroom/logcheck"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

type env struct {
	pool     *pgxpool.Pool
	out      *postgres.Outbox
	facility int64
	sim      *linesim.Sim
	api      string // the sim's base URL
	user     string
}

func setup(t *testing.T) *env {
	t.Helper()
	pool := pgtest.Pool(t)
	f, err := postgres.NewStore(pool).FacilityBySlug(context.Background(), "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{pool: pool, out: postgres.NewOutbox(pool, f.ID), facility: f.ID, user: userID(0)}
	e.sim, e.api = newSim(t, []string{e.user}, nil)
	return e
}

// fast is a worker configuration that retries at once.
func (e *env) fast() outbox.Config {
	return outbox.Config{
		Store:        e.out,
		Pusher:       newPusher(e.api),
		Log:          slog.New(slog.NewTextHandler(logcheck.Writer(io.Discard), nil)),
		Lease:        5 * time.Second,
		PushTimeout:  2 * time.Second,
		PollInterval: 20 * time.Millisecond,
		Backoff:      func(int) time.Duration { return 10 * time.Millisecond },
	}
}

// run starts a worker until the test ends.
func (e *env) run(t *testing.T, cfg outbox.Config) *outbox.Worker {
	t.Helper()
	w, err := outbox.NewWorker(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	})
	return w
}

func (e *env) enqueue(t *testing.T, p outbox.Push) {
	t.Helper()
	if ok, err := e.out.Enqueue(context.Background(), e.pool, p); err != nil || !ok {
		t.Fatalf("enqueue: %v, %v", ok, err)
	}
}

// finished waits until the push is no longer pending and returns it.
func (e *env) finished(t *testing.T, key string) outbox.Push {
	t.Helper()
	var p outbox.Push
	waitFor(t, slowMachine, "push "+key+" to finish", func() bool {
		var err error
		p, err = e.out.Find(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		return p.Status != outbox.StatusPending
	})
	return p
}

func (e *env) push(key, text string) outbox.Push {
	return outbox.Push{
		LineUserID: e.user,
		Kind:       outbox.KindConsultAnswer,
		DedupeKey:  key,
		Messages:   []line.Message{{Text: text}},
	}
}

func TestWorkerSendsAPushOnceUnderItsRetryKey(t *testing.T) {
	e := setup(t)
	e.run(t, e.fast())
	e.enqueue(t, e.push("consult_answer/1", "お返事です"))

	got := e.finished(t, "consult_answer/1")
	if got.Status != outbox.StatusSent || got.Attempts != 1 {
		t.Fatalf("push %s after %d attempts; want sent after 1", got.Status, got.Attempts)
	}
	sent := e.sim.Sent(e.user)
	if len(sent) != 1 || sent[0].Kind != "push" || sent[0].RetryKey != got.RetryKey() {
		t.Fatalf("sim saw %+v; want one push with retry key %s", sent, got.RetryKey())
	}
	if texts := e.sim.Texts(e.user); len(texts) != 1 || texts[0] != "お返事です" {
		t.Fatalf("texts %q", texts)
	}
	if r := e.sim.Rejected(); len(r) != 0 {
		t.Fatalf("the sim refused requests: %+v", r)
	}
}

// A worker died after LINE accepted the push and before it was recorded:
// the next push under the same key is answered 409, and that is sent.
func TestWorkerCountsAConflictAsSent(t *testing.T) {
	e := setup(t)
	p := e.push("consult_answer/1", "お返事です")
	p.FacilityID = e.facility
	if err := newPusher(e.api).Push(context.Background(), e.user, p.RetryKey(), p.Messages); err != nil {
		t.Fatal(err)
	}
	e.enqueue(t, p)
	e.run(t, e.fast())

	if got := e.finished(t, p.DedupeKey); got.Status != outbox.StatusSent {
		t.Fatalf("status %s, want sent", got.Status)
	}
	if sent := e.sim.Sent(e.user); len(sent) != 1 {
		t.Fatalf("delivered %d times, want once", len(sent))
	}
}

// LINE answering 500 (or 503) and then 200: sent once, each 5xx counted.
func TestWorkerRetriesWhatLINECouldNotTake(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			e := setup(t)
			e.sim.FailNext(pushPath, status, 2)
			e.run(t, e.fast())
			e.enqueue(t, e.push("k", "お返事です"))

			got := e.finished(t, "k")
			if got.Status != outbox.StatusSent || got.Attempts != 3 {
				t.Fatalf("%s after %d attempts (%s); want sent after 3", got.Status, got.Attempts, got.LastError)
			}
			if sent := e.sim.Sent(e.user); len(sent) != 1 {
				t.Fatalf("delivered %d times, want once", len(sent))
			}
		})
	}
}

// A push that LINE did not answer in time is pushed again under its key.
// The sim may still have accepted the first one late (the request reached
// it), and then the second is a 409: either way she gets it once.
func TestWorkerRetriesATimeout(t *testing.T) {
	e := setup(t)
	e.sim.Delay(pushPath, 500*time.Millisecond)
	cfg := e.fast()
	cfg.PushTimeout = 100 * time.Millisecond
	e.run(t, cfg)
	e.enqueue(t, e.push("k", "お返事です"))

	waitFor(t, slowMachine, "a push that timed out", func() bool {
		p, err := e.out.Find(context.Background(), "k")
		return err == nil && p.LastError == "no answer"
	})
	e.sim.Delay(pushPath, 0)
	if got := e.finished(t, "k"); got.Status != outbox.StatusSent || got.Attempts < 2 {
		t.Fatalf("%s after %d attempts; want sent after at least 2", got.Status, got.Attempts)
	}
	if sent := e.sim.Sent(e.user); len(sent) != 1 {
		t.Fatalf("delivered %d times, want once", len(sent))
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	e := setup(t)
	e.sim.FailNext(pushPath, http.StatusInternalServerError, 100)
	cfg := e.fast()
	cfg.MaxAttempts = 3
	e.run(t, cfg)
	e.enqueue(t, e.push("k", "お返事です"))

	got := e.finished(t, "k")
	if got.Status != outbox.StatusFailed || got.Attempts != 3 || got.LastError != "gave up after 3 attempts: status 500" {
		t.Fatalf("%s after %d attempts (%q); want failed after 3", got.Status, got.Attempts, got.LastError)
	}
}

func TestWorkerFailsWhatLINERefuses(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			e := setup(t)
			e.sim.FailNext(pushPath, status, 1)
			e.run(t, e.fast())
			e.enqueue(t, e.push("k", "お返事です"))

			got := e.finished(t, "k")
			if want := fmt.Sprintf("status %d", status); got.Status != outbox.StatusFailed || got.Attempts != 1 || got.LastError != want {
				t.Fatalf("%s after %d attempts (%q); want failed after 1 (%q)", got.Status, got.Attempts, got.LastError, want)
			}
			if sent := e.sim.Sent(e.user); len(sent) != 0 {
				t.Fatalf("delivered %d times, want never", len(sent))
			}
		})
	}
}

// A 401 is our token, not the push: the row waits, and the refusals do not
// count against it.
func TestWorkerWaitsOutARefusedToken(t *testing.T) {
	e := setup(t)
	e.sim.FailNext(pushPath, http.StatusUnauthorized, 3)
	e.run(t, e.fast())
	e.enqueue(t, e.push("k", "お返事です"))

	got := e.finished(t, "k")
	if got.Status != outbox.StatusSent || got.Attempts != 1 {
		t.Fatalf("%s after %d counted attempts; want sent, the 401s not counted", got.Status, got.Attempts)
	}
}

func TestWorkerSkipsWhatShouldNotBeSent(t *testing.T) {
	e := setup(t)
	blocked := userID(1)
	if _, err := e.pool.Exec(context.Background(),
		`INSERT INTO mothers (facility_id, line_user_id, following) VALUES ($1, $2, false)`, e.facility, blocked); err != nil {
		t.Fatal(err)
	}
	toBlocked := e.push("to-blocked", "お返事です")
	toBlocked.LineUserID = blocked
	stale := e.push("stale", "明日はご来所の日です")
	stale.Kind = outbox.KindReminder
	stale.Expires = time.Now().Add(-time.Hour)
	e.enqueue(t, toBlocked)
	e.enqueue(t, stale)
	e.run(t, e.fast())

	for key, reason := range map[string]string{"to-blocked": "unfollowed", "stale": "expired"} {
		if got := e.finished(t, key); got.Status != outbox.StatusSkipped || got.LastError != reason {
			t.Errorf("%s: %s (%q); want skipped (%q)", key, got.Status, got.LastError, reason)
		}
	}
	if n := len(e.sim.Sent(e.user)) + len(e.sim.Sent(blocked)); n != 0 {
		t.Fatalf("%d pushes went out, want none", n)
	}
}

func TestWorkerWakesOnNotify(t *testing.T) {
	e := setup(t)
	cfg := e.fast()
	cfg.PollInterval = time.Hour // only Notify can wake it in time
	w := e.run(t, cfg)
	e.enqueue(t, e.push("k", "お返事です"))
	w.Notify()
	if got := e.finished(t, "k"); got.Status != outbox.StatusSent {
		t.Fatalf("status %s, want sent", got.Status)
	}
}

func TestNewWorkerRefusesALeaseShorterThanAPush(t *testing.T) {
	e := setup(t)
	cfg := e.fast()
	cfg.Lease = cfg.PushTimeout
	if _, err := outbox.NewWorker(cfg); err == nil {
		t.Fatal("a lease no longer than the push timeout was accepted")
	}
	if _, err := outbox.NewWorker(outbox.Config{Store: e.out}); err == nil {
		t.Fatal("a worker without a Pusher was accepted")
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRetryKeyIsAStableUUIDPerFacilityAndKey(t *testing.T) {
	k := outbox.RetryKey(1, "reminder/booking/42")
	if !uuidV4.MatchString(k) {
		t.Fatalf("%q is not a version 4 UUID", k)
	}
	if again := outbox.RetryKey(1, "reminder/booking/42"); again != k {
		t.Fatalf("key changed: %s then %s", k, again)
	}
	for _, other := range []string{outbox.RetryKey(2, "reminder/booking/42"), outbox.RetryKey(1, "reminder/booking/43")} {
		if other == k {
			t.Fatalf("two pushes share the key %s", k)
		}
	}
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	for n, want := range map[int][2]time.Duration{
		1:  {time.Second, 2 * time.Second},
		3:  {4 * time.Second, 8 * time.Second},
		20: {5 * time.Minute, 10 * time.Minute},
	} {
		for range 50 {
			if d := outbox.Backoff(n); d < want[0] || d > want[1] {
				t.Fatalf("Backoff(%d) = %s, want within %s..%s", n, d, want[0], want[1])
			}
		}
	}
}

func TestHTTPStatusFindsTheStatusInTheChain(t *testing.T) {
	err := fmt.Errorf("push reminder: %w", &statusError{http.StatusForbidden})
	if got := outbox.HTTPStatus(err); got != http.StatusForbidden {
		t.Fatalf("HTTPStatus = %d, want 403", got)
	}
	if got := outbox.HTTPStatus(errors.New("connection refused")); got != 0 {
		t.Fatalf("HTTPStatus of a transport error = %d, want 0", got)
	}
}
