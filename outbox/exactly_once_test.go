package outbox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/line"
	"mamasroom/logcheck"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

// The test binary is also the worker process of TestExactlyOnceThroughACrash:
// started with these variables set, it runs one outbox worker until SIGTERM
// (or until the test SIGKILLs it) instead of the tests.
const (
	workerEnv     = "OUTBOX_TEST_WORKER" // the worker's name
	databaseEnv   = "OUTBOX_TEST_DATABASE_URL"
	lineAPIEnv    = "OUTBOX_TEST_LINE_API"
	facilityEnv   = "OUTBOX_TEST_FACILITY"
	workerHeader  = "X-Outbox-Test-Worker" // which worker sent a push; the gate removes it
	crashLease    = 2 * time.Second
	crashSlots    = 4 // pushes in flight per worker
	crashRows     = 1000
	crashUsers    = 50
	crashKillFrom = 200 // accepted pushes before the crash
)

func TestMain(m *testing.M) {
	if name := os.Getenv(workerEnv); name != "" {
		os.Exit(runWorkerProcess(name))
	}
	os.Exit(logcheck.Main(m))
}

func runWorkerProcess(name string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("worker", name)
	pool, err := pgxpool.New(ctx, os.Getenv(databaseEnv))
	if err != nil {
		log.Error("open database", "error", err)
		return 1
	}
	defer pool.Close()
	facility, err := strconv.ParseInt(os.Getenv(facilityEnv), 10, 64)
	if err != nil {
		log.Error("facility", "error", err)
		return 1
	}
	pusher := newPusher(os.Getenv(lineAPIEnv))
	pusher.http = &http.Client{Timeout: 10 * time.Second, Transport: namedTransport(name)}
	w, err := outbox.NewWorker(outbox.Config{
		Store:        postgres.NewOutbox(pool, facility),
		Pusher:       pusher,
		Log:          log,
		Concurrency:  crashSlots,
		Lease:        crashLease,
		PushTimeout:  crashLease / 2,
		PollInterval: 50 * time.Millisecond,
		Backoff:      func(int) time.Duration { return 50 * time.Millisecond },
	})
	if err != nil {
		log.Error("make worker", "error", err)
		return 1
	}
	if err := w.Run(ctx); err != nil {
		log.Error("run", "error", err)
		return 1
	}
	return 0
}

// namedTransport marks every request with the worker's name.
type namedTransport string

func (n namedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(workerHeader, string(n))
	return http.DefaultTransport.RoundTrip(r)
}

// Two worker processes share 1,000 pushes. Once 200 are accepted, the gate
// in front of the sim holds every push; when all of worker A's pushes are
// held, A is SIGKILLed, and only then are the held pushes let through: A's
// reach LINE after A died, unrecorded, and its rows wait out their lease.
// Worker B and a restarted worker C then finish. Every row must end sent,
// and LINE must have accepted each row's messages exactly once: a resend
// of A's pushes is answered 409, never delivered again.
func TestExactlyOnceThroughACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f, err := postgres.NewStore(pool).FacilityBySlug(ctx, "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	out := postgres.NewOutbox(pool, f.ID)

	users := make([]string, crashUsers)
	for i := range users {
		users[i] = userID(i)
	}
	g := &gate{closeAfter: crashKillFrom, open: make(chan struct{}), held: map[string]int{}}
	sim, api := newSim(t, users, func(h http.Handler) http.Handler { g.next = h; return g })

	keyOf := func(i int) string { return fmt.Sprintf("closure/test/%04d", i) }
	textOf := func(i int) string { return fmt.Sprintf("臨時休業のお知らせ %04d", i) }
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for i := range crashRows {
			if _, err := out.Enqueue(ctx, tx, outbox.Push{
				LineUserID: users[i%crashUsers],
				Kind:       outbox.KindClosure,
				DedupeKey:  keyOf(i),
				Messages:   []line.Message{{Text: textOf(i)}},
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("worker logs:\n%s", logs.String())
		}
	})
	env := []string{databaseEnv + "=" + dbURL, lineAPIEnv + "=" + api, facilityEnv + "=" + strconv.FormatInt(f.ID, 10)}
	a := startWorker(t, "A", env, logs)
	b := startWorker(t, "B", env, logs)

	waitFor(t, 20*time.Second, "all of A's pushes to be held", func() bool { return g.heldBy("A") >= crashSlots })
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err == nil {
		t.Fatal("worker A exited cleanly; want killed")
	}
	g.Open()
	c := startWorker(t, "C", env, logs)

	waitFor(t, 20*time.Second, "every push to be sent", func() bool {
		n, err := out.Pending(ctx)
		return err == nil && n == 0
	})
	for _, w := range []*exec.Cmd{b, c} {
		if err := w.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := w.Wait(); err != nil {
			t.Errorf("worker stopped with %v; want a clean exit on SIGTERM", err)
		}
	}

	var sent, retried int
	if err := pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE attempts > 1)
		FROM outbox`).Scan(&sent, &retried); err != nil {
		t.Fatal(err)
	}
	if sent != crashRows {
		t.Errorf("%d of %d rows marked sent", sent, crashRows)
	}

	delivered := map[string]int{} // text -> accepted pushes
	keys := map[string]string{}   // text -> retry key
	for _, u := range users {
		for _, s := range sim.Sent(u) {
			for _, text := range sentTexts(s) {
				delivered[text]++
				keys[text] = s.RetryKey
			}
		}
	}
	for i := range crashRows {
		text := textOf(i)
		if n := delivered[text]; n != 1 {
			t.Errorf("row %d delivered %d times, want once", i, n)
		}
		if want := outbox.RetryKey(f.ID, keyOf(i)); keys[text] != want {
			t.Errorf("row %d pushed with retry key %q, want %q", i, keys[text], want)
		}
	}
	if len(delivered) != crashRows {
		t.Errorf("%d distinct texts delivered, want %d", len(delivered), crashRows)
	}
	if r := sim.Rejected(); len(r) != 0 {
		t.Errorf("the sim refused %d requests, first %+v", len(r), r[0])
	}
	accepted, conflicts := g.counts()
	// A's held pushes were accepted after it died; their rows came back
	// after the lease and were pushed again, and LINE said 409.
	if conflicts < crashSlots || retried < crashSlots {
		t.Errorf("%d pushes answered 409 and %d rows tried more than once; want at least %d of each (A's pushes in flight)",
			conflicts, retried, crashSlots)
	}
	t.Logf("accepted %d, answered 409: %d, rows tried more than once: %d", accepted, conflicts, retried)
}

func startWorker(t *testing.T, name string, env []string, logs io.Writer) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), env...), workerEnv+"="+name)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// gate stands between the workers and the sim. After closeAfter accepted
// pushes it holds every push until Open, so the test can kill a worker
// while its pushes are in flight; it counts what LINE answered.
type gate struct {
	next       http.Handler
	closeAfter int
	open       chan struct{}

	mu        sync.Mutex
	shut      bool
	opened    bool
	held      map[string]int // by worker
	accepted  int
	conflicts int
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	worker := r.Header.Get(workerHeader)
	r.Header.Del(workerHeader)
	if r.URL.Path != pushPath {
		g.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the worker died while sending
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// LINE goes on with a request whose sender has died; so does the sim.
	r = r.WithContext(context.WithoutCancel(r.Context()))

	g.mu.Lock()
	if g.shut && !g.opened {
		g.held[worker]++
		g.mu.Unlock()
		<-g.open
	} else {
		g.mu.Unlock()
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	g.next.ServeHTTP(rec, r)
	g.mu.Lock()
	defer g.mu.Unlock()
	switch rec.status {
	case http.StatusOK:
		g.accepted++
		if g.accepted == g.closeAfter {
			g.shut = true
		}
	case http.StatusConflict:
		g.conflicts++
	}
}

func (g *gate) heldBy(worker string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held[worker]
}

// Open lets the held pushes through, and every push after them.
func (g *gate) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.opened = true
	close(g.open)
}

func (g *gate) counts() (accepted, conflicts int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.accepted, g.conflicts
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
