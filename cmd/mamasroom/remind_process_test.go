package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/linesim"
	"mamasroom/logcheck"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/redistest"
)

// The test binary is also the program: started with asProgramEnv set, it
// runs main with its arguments instead of the tests, so the tests below
// start real `serve` and `remind` processes, and can SIGKILL one.
const asProgramEnv = "MAMASROOM_TEST_AS_PROGRAM"

func TestMain(m *testing.M) {
	if os.Getenv(asProgramEnv) != "" {
		main() // exits
	}
	// serve's log in these tests is checked for personal data and
	// secrets (serve_test.go hands it to logcheck).
	os.Exit(logcheck.Main(m))
}

const (
	// processMothers is how many mothers book the day the reminders are for.
	processMothers = 200
	// processNoon is just after REMINDER_AT, the day before processDay:
	// serve's scheduler finds the day's reminders due at its start.
	processNoon = "2026-11-25T12:00:05+09:00"
	// workerSlots is the outbox worker's default concurrency: how many
	// pushes one process has in flight.
	workerSlots = 4
)

// processDay is a Thursday, the day after clockStart.
var processDay = booking.D(2026, 11, 26)

// Two serve processes and a `remind -date` started beside them share one
// database and one LINE: each finds the day's reminders due and writes them,
// each process's worker sends them, and every mother gets her reminder
// exactly once.
func TestRemindersOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	p := setupProcesses(t, 0)
	redisURL := redistest.URL(t)
	serveEnv := p.env("MAMASROOM_CLOCK", processNoon, "REDIS_URL", redisURL,
		"LINE_CHANNEL_SECRET", testChannelSecret, "HTTP_ADDR", "127.0.0.1:0")
	a := startProgram(t, "serve A", serveEnv, "serve")
	b := startProgram(t, "serve B", serveEnv, "serve")
	remind := startProgram(t, "remind", p.env("MAMASROOM_CLOCK", processNoon), "remind", "-date", processDay.String())

	if err := remind.wait(waitFor); err != nil {
		t.Fatalf("remind: %v", err)
	}
	if !strings.Contains(remind.stdout.String(), "every reminder of the day is finished") {
		t.Errorf("remind's stdout: %q", remind.stdout)
	}
	for _, s := range []*program{a, b} {
		if !strings.Contains(s.stdout.String(), "serving on ") {
			t.Errorf("%s never said it was serving: %q", s.name, s.stdout)
		}
		if err := s.terminate(waitFor); err != nil {
			t.Errorf("%s: %v; want a clean exit on SIGTERM", s.name, err)
		}
	}

	p.assertEachRemindedOnce(t)
	accepted, conflicts := p.gate.counts()
	t.Logf("pushes accepted %d, answered 409: %d", accepted, conflicts)
}

// A `remind` killed with SIGKILL while LINE holds its pushes, and run
// again: the run again sends the rest, and the pushes the dead process had
// in flight, which LINE accepted after it died, are not delivered twice
// (its rows come back after their lease and LINE answers their resend 409).
func TestRemindKilledMidBatchAndRunAgain(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	p := setupProcesses(t, processMothers/4)
	first := startProgram(t, "remind (killed)", p.env("MAMASROOM_CLOCK", processNoon), "remind", "-date", processDay.String())

	eventually(t, "the first remind's pushes to be held by LINE", func() bool { return p.gate.heldNow() == workerSlots })
	if err := first.kill(); err != nil {
		t.Fatal(err)
	}
	p.gate.open()
	eventually(t, "LINE to answer the dead process's pushes", func() bool { return p.gate.heldNow() == 0 })
	accepted, _ := p.gate.counts()
	if accepted >= processMothers {
		t.Fatalf("%d pushes accepted before the second run: the kill came too late", accepted)
	}

	// Started later by its clock, as it would be after a crash: the rows
	// the dead process claimed are past their lease (2 minutes).
	again := startProgram(t, "remind (again)", p.env("MAMASROOM_CLOCK", "2026-11-25T12:05:00+09:00"), "remind", "-date", processDay.String())
	if err := again.wait(waitFor); err != nil {
		t.Fatalf("remind again: %v", err)
	}
	if !strings.Contains(again.stdout.String(), ": 0 reminder(s) written now") {
		t.Errorf("remind again wrote reminders the first had written: %q", again.stdout)
	}

	p.assertEachRemindedOnce(t)
	accepted, conflicts := p.gate.counts()
	if conflicts < workerSlots {
		t.Errorf("%d resends answered 409, want at least %d (the dead process's pushes in flight)", conflicts, workerSlots)
	}
	t.Logf("pushes accepted %d, answered 409: %d", accepted, conflicts)
}

// processes is one database and one LINE for the processes of a test, with
// processMothers mothers booked on processDay.
type processes struct {
	dbURL   string
	pool    *pgxpool.Pool
	sim     *linesim.Sim
	lineAPI string
	gate    *pushGate
	mothers []string
}

// setupProcesses makes the database, the sim behind a gate that holds
// every push after holdAfter accepted ones (0: never), and the bookings.
func setupProcesses(t *testing.T, holdAfter int) *processes {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	// The sim's webhooks (the mothers' follows) go nowhere: the mothers
	// are made in the database below.
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	sim, err := linesim.New(linesim.Config{ChannelSecret: testChannelSecret, AccessToken: testAccessToken, WebhookURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	gate := &pushGate{next: sim.Handler(), holdAfter: holdAfter, release: make(chan struct{})}
	api := httptest.NewServer(gate)
	// Registered after the programs' cleanups would be too late: the
	// server waits for held requests, so the gate opens first.
	t.Cleanup(api.Close)
	t.Cleanup(gate.open)

	store := postgres.NewStore(pool)
	f, err := store.FacilityBySlug(ctx, facilitySlug)
	if err != nil {
		t.Fatal(err)
	}
	capacity := processMothers
	if err := store.SetDayOverride(ctx, f.ID, booking.DayOverride{Day: processDay, Capacity: &capacity}); err != nil {
		t.Fatal(err)
	}
	p := &processes{dbURL: dbURL, pool: pool, sim: sim, lineAPI: api.URL, gate: gate}
	for i := range processMothers {
		u := fmt.Sprintf("U%032x", 0x7e3100+i)
		if _, err := sim.SendFollow(ctx, u); err != nil {
			t.Fatal(err)
		}
		m, err := store.EnsureMother(ctx, f.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Book(ctx, booking.NewBooking{FacilityID: f.ID, MotherID: m.ID, Day: processDay}); err != nil {
			t.Fatal(err)
		}
		p.mothers = append(p.mothers, u)
	}
	return p
}

// env is the environment of a process on p's database and LINE, with
// pairs of extra variables.
func (p *processes) env(kv ...string) []string {
	e := []string{
		asProgramEnv + "=1",
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + p.dbURL,
		"LINE_CHANNEL_ACCESS_TOKEN=" + testAccessToken,
		"LINE_API_BASE_URL=" + p.lineAPI,
	}
	for i := 0; i+1 < len(kv); i += 2 {
		e = append(e, kv[i]+"="+kv[i+1])
	}
	return e
}

// assertEachRemindedOnce checks that LINE accepted exactly one push for
// each mother (a 409 delivers nothing and is not counted), that it is her
// reminder, and that every reminder row is finished as sent.
func (p *processes) assertEachRemindedOnce(t *testing.T) {
	t.Helper()
	for _, u := range p.mothers {
		sent := p.sim.Sent(u)
		if len(sent) != 1 {
			t.Errorf("mother %s was pushed %d times, want once", u, len(sent))
			continue
		}
		if texts := strings.Join(p.sim.Texts(u), "\n"); !strings.Contains(texts, "2026年11月26日") {
			t.Errorf("mother %s was pushed something other than her reminder: %q", u, texts)
		}
	}
	var rows, sent int
	if err := p.pool.QueryRow(context.Background(), `
		SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox WHERE kind = 'reminder'`).Scan(&rows, &sent); err != nil {
		t.Fatal(err)
	}
	if rows != processMothers || sent != processMothers {
		t.Errorf("%d reminder rows, %d of them sent; want %d, all sent", rows, sent, processMothers)
	}
	for _, r := range p.sim.Rejected() {
		if r.Path == "/v2/bot/message/push" {
			t.Errorf("LINE refused a push: %+v", r)
		}
	}
}

// pushGate stands between the processes and the sim: it counts what LINE
// answered the pushes, and after holdAfter accepted pushes it holds every
// push until open, so a test can kill a process with pushes in flight.
type pushGate struct {
	next      http.Handler
	holdAfter int
	release   chan struct{}
	once      sync.Once

	mu        sync.Mutex
	holding   bool
	held      int // pushes waiting at the gate now
	accepted  int
	conflicts int
}

func (g *pushGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v2/bot/message/push" {
		g.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the sender died while sending
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// LINE goes on with a request whose sender has died; so does the sim.
	r = r.WithContext(context.WithoutCancel(r.Context()))

	g.mu.Lock()
	hold := g.holding
	if hold {
		g.held++
	}
	g.mu.Unlock()
	if hold {
		<-g.release
	}
	rec := &codeRecorder{ResponseWriter: w, code: http.StatusOK}
	g.next.ServeHTTP(rec, r)

	g.mu.Lock()
	defer g.mu.Unlock()
	if hold {
		g.held--
	}
	switch rec.code {
	case http.StatusOK:
		g.accepted++
		if g.holdAfter > 0 && g.accepted == g.holdAfter {
			g.holding = true
		}
	case http.StatusConflict:
		g.conflicts++
	}
}

// open lets the held pushes through, and every push after them.
func (g *pushGate) open() {
	g.once.Do(func() {
		g.mu.Lock()
		g.holding = false
		g.holdAfter = 0
		g.mu.Unlock()
		close(g.release)
	})
}

func (g *pushGate) heldNow() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

func (g *pushGate) counts() (accepted, conflicts int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.accepted, g.conflicts
}

type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (c *codeRecorder) WriteHeader(code int) {
	c.code = code
	c.ResponseWriter.WriteHeader(code)
}

// program is the test binary running as the program in a process of its own.
type program struct {
	name   string
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{} // closed when it has exited
	err    error         // its exit, once done
}

// startProgram starts the program with args in env; it is killed at the
// test's end if still running, and its output shown if the test failed.
func startProgram(t *testing.T, name string, env []string, args ...string) *program {
	t.Helper()
	p := &program{name: name, stdout: newSyncBuffer(), stderr: newSyncBuffer(), done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s's stdout:\n%s\n%s's stderr:\n%s", name, p.stdout, name, p.stderr)
		}
		assertNoSecrets(t, p.stdout.String(), p.stderr.String())
	})
	return p
}

// wait waits for the program to exit, and returns its exit.
func (p *program) wait(within time.Duration) error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(within):
		return fmt.Errorf("still running after %v", within)
	}
}

// terminate sends SIGTERM and waits for the program to exit.
func (p *program) terminate(within time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return p.wait(within)
}

// kill sends SIGKILL and waits for the program to die of it.
func (p *program) kill() error {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	if err := p.wait(waitFor); err == nil {
		return fmt.Errorf("%s exited cleanly; want killed", p.name)
	}
	return nil
}
