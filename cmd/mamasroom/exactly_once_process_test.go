package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/booking"
	"mamasroom/clock"
	"mamasroom/linesim"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/redistest"
)

const (
	// loadMothers talk to the bot at once, each sending loadScript without
	// waiting for the answers, as LINE delivers a quick thumb's messages.
	loadMothers = 40
	// loadCapacity is the places of loadDay: fewer than the mothers who
	// try to book it.
	loadCapacity = 10
	// serveWorkers is how many events one serve handles at once (bot's
	// default): how many replies LINE holds when a serve is stuck.
	serveWorkers = 8
	replyPath    = "/v2/bot/message/reply"
)

// loadDay is the Friday every mother tries to book.
var loadDay = booking.D(2026, 11, 27)

// loadStep is one thing a mother does; settled says its answer is the same
// for every mother (compared with a first mother's), and not only counted.
type loadStep struct {
	text    string // "" for a follow
	settled bool
}

// loadScript: greeting, info, eligibility (typed), a booking of loadDay
// that only some get, then quit and info again. Neighbouring answers
// differ, so an answer twice or out of order shows.
var loadScript = []loadStep{
	{"", true},
	{"アクセス・持ち物", true},
	{"ご利用条件", true},
	{"はい", true},
	{"2026-10-15", true},
	{"予約する", false},
	{"11/27", false},
	{"はい", false},
	{"やめる", true},
	{"アクセス・持ち物", true},
}

// serve SIGKILLed under load (40 mothers, LINE holding the replies of its
// every worker, so it dies with replies delivered and unrecorded) and
// started again: every message is answered exactly once, in order, and no
// more bookings are made than places.
func TestServeKilledUnderLoadAnswersEachMessageOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	l := setupLoad(t)
	a := l.startServe(t, "serve A")
	l.front.use(a.base)
	reference := l.reference(t)

	// The first mothers' first answers go through; then LINE holds every
	// reply, carried out, until each of A's workers waits on one.
	l.sim.Hold(replyPath, loadMothers)
	senders := l.sendAll(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := l.sim.WaitHeld(ctx, replyPath, serveWorkers); err != nil {
		t.Fatal(err)
	}
	l.front.use() // deliveries wait for the next serve
	if err := a.proc.kill(); err != nil {
		t.Fatal(err)
	}
	l.sim.Release(replyPath) // too late for A, which never hears of them
	b := l.startServe(t, "serve B")
	l.front.use(b.base)

	senders.Wait()
	l.assertEachAnsweredOnce(t, reference)
	if err := b.proc.terminate(waitFor); err != nil {
		t.Errorf("serve B: %v; want a clean exit on SIGTERM", err)
	}
}

// Two serve processes behind one address, each webhook delivery going to
// the next (round robin), share Postgres and Redis: her messages are
// answered in order and each once, and the day's places are never
// exceeded, though her messages are handled by both.
func TestTwoServesBehindOneAddressKeepOrderAndOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts processes")
	}
	l := setupLoad(t)
	a := l.startServe(t, "serve A")
	b := l.startServe(t, "serve B")
	l.front.use(a.base)
	reference := l.reference(t)
	l.front.use(a.base, b.base)

	l.sendAll(t).Wait()
	l.assertEachAnsweredOnce(t, reference)
	if ha, hb := l.front.counts(a.base), l.front.counts(b.base); ha < loadMothers || hb < loadMothers {
		t.Errorf("deliveries: %d to A, %d to B; want both to share them", ha, hb)
	}
	for _, s := range []*loadServe{a, b} {
		// Nothing is out, so nothing may pause or fail.
		for _, line := range strings.Split(s.proc.stderr.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("%s logged an error: %s", s.proc.name, line)
			}
		}
		if err := s.proc.terminate(waitFor); err != nil {
			t.Errorf("%s: %v; want a clean exit on SIGTERM", s.proc.name, err)
		}
	}
}

// load is one database, Redis and LINE for the serve processes of a test,
// and the one webhook address LINE delivers to.
type load struct {
	dbURL, redisURL, lineAPI string
	pool                     *pgxpool.Pool
	sim                      *linesim.Sim
	clock                    clock.Clock // LINE's, which each serve starts from
	front                    *front
	facility                 *booking.Facility

	mu     sync.Mutex
	sentAt map[string][]time.Time // per mother: when each delivery was accepted
}

func setupLoad(t *testing.T) *load {
	t.Helper()
	ctx := context.Background()
	l := &load{dbURL: pgtest.URL(t), redisURL: redistest.URL(t), front: newFront(), sentAt: map[string][]time.Time{}}
	pool, err := pgxpool.New(ctx, l.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	l.pool = pool
	l.clock = clock.StartingAt(mustParseTime(t, clockStart))
	frontSrv := httptest.NewServer(l.front)
	t.Cleanup(frontSrv.Close)
	t.Cleanup(l.front.close) // before the server waits for its requests
	l.sim, err = linesim.New(linesim.Config{ChannelSecret: testChannelSecret, AccessToken: testAccessToken,
		WebhookURL: frontSrv.URL + "/webhook", Now: l.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(l.sim.Handler())
	t.Cleanup(api.Close)
	t.Cleanup(func() { l.sim.Release(replyPath) })
	l.lineAPI = api.URL

	store := postgres.NewStore(pool)
	if l.facility, err = store.FacilityBySlug(ctx, facilitySlug); err != nil {
		t.Fatal(err)
	}
	capacity := loadCapacity + 1 // and one for the first mother
	if err := store.SetDayOverride(ctx, l.facility.ID, booking.DayOverride{Day: loadDay, Capacity: &capacity}); err != nil {
		t.Fatal(err)
	}
	return l
}

// loadServe is a serve process and where it listens.
type loadServe struct {
	proc *program
	base string
}

// startServe starts serve on l's stores, its clock where LINE's is now
// (a restarted serve goes on from there), and waits until it listens.
func (l *load) startServe(t *testing.T, name string) *loadServe {
	t.Helper()
	env := []string{
		asProgramEnv + "=1",
		"PATH=" + os.Getenv("PATH"),
		"DATABASE_URL=" + l.dbURL,
		"REDIS_URL=" + l.redisURL,
		"LINE_CHANNEL_SECRET=" + testChannelSecret,
		"LINE_CHANNEL_ACCESS_TOKEN=" + testAccessToken,
		"LINE_API_BASE_URL=" + l.lineAPI,
		"HTTP_ADDR=127.0.0.1:0",
		"MAMASROOM_CLOCK=" + l.clock.Now().Format(time.RFC3339Nano),
	}
	p := startProgram(t, name, env, "serve")
	var base string
	eventually(t, name+" to listen", func() bool {
		if m := servingLine.FindStringSubmatch(p.stdout.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	})
	return &loadServe{proc: p, base: base}
}

// mother is the LINE user id of the i-th mother of the load.
func loadMother(i int) string { return fmt.Sprintf("U%032x", 0x10ad0000+i) }

// reference runs one mother through the script alone, answer by answer,
// and returns her answers: what every mother must get where settled.
func (l *load) reference(t *testing.T) []string {
	t.Helper()
	u := loadMother(loadMothers)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for i, step := range loadScript {
		l.send(t, u, step)
		if _, err := l.sim.WaitSent(ctx, u, i+1); err != nil {
			t.Fatal(err)
		}
	}
	answers := l.answers(u)
	if !strings.Contains(answers[7], "ご予約を承りました") {
		t.Fatalf("the first mother's booking answered %q, want her booking made; her answers:\n%s", answers[7], strings.Join(answers, "\n---\n"))
	}
	return answers
}

// sendAll has every mother send the script, each without waiting for her
// answers, all at once.
func (l *load) sendAll(t *testing.T) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range loadMothers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, step := range loadScript {
				l.send(t, loadMother(i), step)
			}
		}()
	}
	return &wg
}

// send delivers one step of a mother's, again and again until the bot
// takes it, as LINE redelivers a webhook that failed (its serve died).
func (l *load) send(t *testing.T, u string, step loadStep) {
	ctx := context.Background()
	var (
		d   *linesim.Delivery
		err error
	)
	if step.text == "" {
		d, err = l.sim.SendFollow(ctx, u)
	} else {
		d, err = l.sim.SendText(ctx, u, step.text)
	}
	for tries := 0; err != nil; tries++ {
		if d == nil || tries == 20 {
			t.Errorf("deliver to the bot: %v", err)
			return
		}
		d, err = l.sim.Redeliver(ctx, d)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sentAt[u] = append(l.sentAt[u], l.clock.Now())
}

// answers are the messages of each answer LINE delivered to u, in order,
// as JSON (texts, buttons and their data, flex bubbles).
func (l *load) answers(u string) []string {
	var out []string
	for _, s := range l.sim.Sent(u) {
		raw, err := json.Marshal(s.Messages)
		if err != nil {
			raw = []byte(err.Error())
		}
		out = append(out, string(raw))
	}
	return out
}

// assertEachAnsweredOnce waits until nothing is left to do (every event
// finished, every push sent), then counts: each mother got one answer per
// message, in order (the settled ones as the first mother's), at most one
// booking, told by its number; the day holds no more than its places.
func (l *load) assertEachAnsweredOnce(t *testing.T, reference []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitFor)
	defer cancel()
	for i := range loadMothers {
		if _, err := l.sim.WaitSent(ctx, loadMother(i), len(loadScript)); err != nil {
			t.Error(err)
		}
	}
	for {
		var unfinished, pending int
		if err := l.pool.QueryRow(ctx, `
			SELECT (SELECT count(*) FROM webhook_events WHERE processed_at IS NULL),
			       (SELECT count(*) FROM outbox WHERE status = 'pending')`).Scan(&unfinished, &pending); err != nil {
			t.Fatal(err)
		}
		if unfinished == 0 && pending == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d events unfinished, %d pushes pending", unfinished, pending)
		case <-time.After(20 * time.Millisecond):
		}
	}

	var events, answered, twice, missing, mothersTwice, mothersMissing, pushes int
	var worst time.Duration
	slow := 0 // answers later than 5 s
	for i := range loadMothers {
		u := loadMother(i)
		got, sent := l.answers(u), l.sim.Sent(u)
		l.mu.Lock()
		sentAt := l.sentAt[u]
		l.mu.Unlock()
		events += len(loadScript)
		answered += min(len(got), len(loadScript))
		if n := len(got) - len(loadScript); n > 0 {
			twice += n
			mothersTwice++
			t.Errorf("mother %d got %d answers to %d messages:\n%s", i, len(got), len(loadScript), strings.Join(got, "\n---\n"))
			continue
		} else if n < 0 {
			missing -= n
			mothersMissing++
			t.Errorf("mother %d got %d answers to %d messages", i, len(got), len(loadScript))
			continue
		}
		for j, step := range loadScript {
			if step.settled && got[j] != reference[j] {
				t.Errorf("mother %d, answer %d is %q, want %q (out of order, or another's)", i, j, got[j], reference[j])
			}
			if j < len(sentAt) {
				delay := sent[j].At.Sub(sentAt[j])
				worst = max(worst, delay)
				if delay > 5*time.Second {
					slow++
				}
			}
			if sent[j].Kind == "push" {
				pushes++
			}
		}
	}
	var onDay, mothersTwiceBooked int
	if err := l.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM bookings WHERE day = $1::date AND status = 'active'),
		       (SELECT count(*) FROM (SELECT mother_id FROM bookings WHERE status = 'active'
		                              GROUP BY mother_id HAVING count(*) > 1) x)`,
		loadDay.String()).Scan(&onDay, &mothersTwiceBooked); err != nil {
		t.Fatal(err)
	}
	if onDay != loadCapacity+1 || mothersTwiceBooked != 0 {
		t.Errorf("%d bookings on %v (places %d), %d mothers booked twice; want it full, nobody twice", onDay, loadDay, loadCapacity+1, mothersTwiceBooked)
	}
	rows, err := l.pool.Query(ctx, `
		SELECT m.line_user_id, b.number FROM bookings b JOIN mothers m ON m.id = b.mother_id
		WHERE b.status = 'active'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u, number string
		if err := rows.Scan(&u, &number); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(l.answers(u), "\n"), number) {
			t.Errorf("mother %s was never told her booking number", u)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, r := range l.sim.Rejected() {
		t.Errorf("LINE refused: %+v", r)
	}
	t.Logf("%d mothers, %d events sent, %d answered (%d by push), %d answered twice (%d mothers), %d unanswered (%d mothers), worst delay %v (%d answers later than 5 s); %d bookings for %d places",
		loadMothers, events, answered, pushes, twice, mothersTwice, missing, mothersMissing, worst.Round(time.Millisecond), slow, onDay-1, loadCapacity)
}

// front is the webhook's one address in front of the serve processes: it
// forwards each delivery to the next serve in use, round robin, and keeps
// a delivery waiting while none is.
type front struct {
	mu        sync.Mutex
	backends  []string
	next      int
	changed   chan struct{} // closed and replaced when backends change
	closed    bool
	delivered map[string]int
	client    *http.Client
}

func newFront() *front {
	return &front{changed: make(chan struct{}), delivered: map[string]int{}, client: &http.Client{Timeout: 30 * time.Second}}
}

// use sets the serves deliveries go to; none holds them.
func (f *front) use(bases ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backends = bases
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *front) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.changed)
	}
}

func (f *front) counts(base string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delivered[base]
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var base string
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			http.Error(w, "closed", http.StatusServiceUnavailable)
			return
		}
		if len(f.backends) > 0 {
			base = f.backends[f.next%len(f.backends)]
			f.next++
			f.mu.Unlock()
			break
		}
		changed := f.changed
		f.mu.Unlock()
		<-changed
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, base+r.URL.Path, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := f.client.Do(req)
	if err != nil {
		http.Error(w, "serve is gone", http.StatusBadGateway) // LINE redelivers
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		f.mu.Lock()
		f.delivered[base]++
		f.mu.Unlock()
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
