package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"mamasroom/clock"
	"mamasroom/line"
	"mamasroom/linesim"
	"mamasroom/logcheck"
	"mamasroom/outbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
	"mamasroom/redistest"
)

// clockStart is where the program's clock starts in these tests: a
// Wednesday morning in Tokyo.
const clockStart = "2026-11-25T09:00:00+09:00"

// waitFor bounds every wait for the running program.
const waitFor = 20 * time.Second

// syncBuffer is an io.Writer the program writes to while the test reads.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving is the real program running `serve` against a private Postgres
// and Redis and the LINE simulator.
type serving struct {
	base    string // http://host:port
	metrics string // http://host:port/metrics, on METRICS_ADDR
	dbURL   string // the program's database
	sim     *linesim.Sim
	client  *http.Client
	stdout  *syncBuffer
	stderr  *syncBuffer
	cancel  context.CancelFunc
	done    chan error // run's result
	stopped sync.Once
	result  error
}

var servingLine = regexp.MustCompile(`serving on (http://\S+)\n`)

// metricsLine says where METRICS_ADDR serves; it comes before servingLine.
var metricsLine = regexp.MustCompile(`metrics on (http://\S+/metrics)\n`)

// startServe runs `mamasroom serve` on port 0 with a fresh empty database
// (serve migrates it), a fresh Redis database and a LINE simulator, and
// waits until it says where it listens. overrides are pairs of variable and
// value that replace the defaults.
func startServe(t *testing.T, overrides ...string) *serving {
	t.Helper()
	clk := clock.StartingAt(mustParseTime(t, clockStart))
	sim, err := linesim.New(linesim.Config{
		ChannelSecret: testChannelSecret,
		AccessToken:   testAccessToken,
		Now:           clk.Now, // LINE's timestamps agree with the program's clock
	})
	if err != nil {
		t.Fatal(err)
	}
	line := httptest.NewServer(sim.Handler())
	t.Cleanup(line.Close)

	e := env{
		"LINE_CHANNEL_SECRET":       testChannelSecret,
		"LINE_CHANNEL_ACCESS_TOKEN": testAccessToken,
		"LINE_API_BASE_URL":         line.URL,
		"DATABASE_URL":              pgtest.EmptyURL(t),
		"REDIS_URL":                 redistest.URL(t),
		"HTTP_ADDR":                 "127.0.0.1:0",
		"METRICS_ADDR":              "127.0.0.1:0",
		"MAMASROOM_CLOCK":           clockStart,
	}.with(overrides...)

	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{
		dbURL:  e["DATABASE_URL"],
		sim:    sim,
		client: &http.Client{Timeout: 10 * time.Second},
		stdout: newSyncBuffer(),
		stderr: newSyncBuffer(),
		cancel: cancel,
		done:   make(chan error, 1),
	}
	go func() {
		s.done <- run(ctx, []string{"serve"}, e.getenv, strings.NewReader(""), s.stdout, s.stderr)
	}()
	// Registered last, so it runs first: the program stops before its
	// database, Redis and LINE go away.
	t.Cleanup(func() {
		if err := s.stop(waitFor); err != nil {
			t.Errorf("serve: %v", err)
		}
		logcheck.Check(s.stderr.String())
		if t.Failed() {
			t.Logf("serve's stdout:\n%s\nserve's stderr:\n%s", s.stdout, s.stderr)
		}
	})

	s.base = s.awaitServing(t)
	if m := metricsLine.FindStringSubmatch(s.stdout.String()); m != nil {
		s.metrics = m[1]
	}
	sim.SetWebhookURL(s.base + "/webhook")
	return s
}

// awaitServing reads stdout until the program says where it listens.
func (s *serving) awaitServing(t *testing.T) string {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		s.stdout.mu.Lock()
		m := servingLine.FindStringSubmatch(s.stdout.buf.String())
		changed := s.stdout.changed
		s.stdout.mu.Unlock()
		if m != nil {
			return m[1]
		}
		select {
		case <-changed:
		case err := <-s.done:
			s.done <- err // for stop
			t.Fatalf("serve ended before serving: %v\nstderr:\n%s", err, s.stderr)
		case <-deadline:
			t.Fatalf("serve did not say where it listens within %v\nstdout:\n%s\nstderr:\n%s", waitFor, s.stdout, s.stderr)
		}
	}
}

// stop cancels the program's context and returns run's result, or an error
// when it does not return within limit.
func (s *serving) stop(limit time.Duration) error {
	s.stopped.Do(func() {
		s.cancel()
		select {
		case s.result = <-s.done:
		case <-time.After(limit):
			s.result = fmt.Errorf("run did not return within %v of cancelling its context", limit)
		}
	})
	return s.result
}

// get fetches path and returns the status and body.
func (s *serving) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

func (s *serving) mustGet(t *testing.T, path string, wantStatus int) string {
	t.Helper()
	status, body := s.get(t, path)
	if status != wantStatus {
		t.Errorf("GET %s = %d, want %d\n%s", path, status, wantStatus, body)
	}
	return body
}

// mustGetMetrics fetches the metrics from METRICS_ADDR.
func (s *serving) mustGetMetrics(t *testing.T) string {
	t.Helper()
	if s.metrics == "" {
		t.Fatalf("serve did not say where its metrics are:\n%s", s.stdout)
	}
	resp, err := s.client.Get(s.metrics)
	if err != nil {
		t.Fatalf("GET %s: %v", s.metrics, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", s.metrics, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want 200\n%s", s.metrics, resp.StatusCode, body)
	}
	return string(body)
}

// postWebhook posts a raw body as LINE would, with the given signature
// ("" for none), and returns the status.
func (s *serving) postWebhook(t *testing.T, body []byte, signature string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	resp, err := s.sim.SendRaw(ctx, body, signature)
	if err != nil {
		t.Fatalf("post webhook: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// waitSent waits until userID has been sent n messages in all, and returns
// the texts of the nth.
func (s *serving) waitSent(t *testing.T, userID string, n int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	sent, err := s.sim.WaitSent(ctx, userID, n)
	if err != nil {
		t.Fatalf("waiting for answer %d to %s: %v", n, userID, err)
	}
	// Her answers are read as the chat page shows them: text and flex bubbles alike.
	var texts []string
	for _, m := range sent[n-1].Messages {
		texts = append(texts, linesim.ChatItemOf(m).Text)
	}
	return strings.Join(texts, "\n")
}

// sign computes x-line-signature for body as LINE does.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func mustParseTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

var userSeq struct {
	sync.Mutex
	n int
}

// newUserID returns a LINE user ID no other test uses.
func newUserID() string {
	userSeq.Lock()
	defer userSeq.Unlock()
	userSeq.n++
	return fmt.Sprintf("U%032x", 0xca11ab1e0000+userSeq.n)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, waitFor)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServe runs the whole program once; its subtests are steps of one
// scenario, in order (the metrics step counts the webhooks sent before it).
func TestServe(t *testing.T) {
	t.Parallel()
	s := startServe(t)
	ctx := context.Background()

	t.Run("health", func(t *testing.T) {
		if body := s.mustGet(t, "/healthz", http.StatusOK); body == "" {
			t.Error("/healthz answered with an empty body")
		}
		s.mustGet(t, "/readyz", http.StatusOK)
	})

	t.Run("webhook refuses what LINE did not sign", func(t *testing.T) {
		body := []byte(`{"destination":"U0123456789abcdef0123456789abcdef","events":[]}`)
		if got := s.postWebhook(t, body, ""); got != http.StatusUnauthorized {
			t.Errorf("no signature: status %d, want 401", got)
		}
		if got := s.postWebhook(t, body, "bm90IGEgc2lnbmF0dXJl"); got != http.StatusUnauthorized {
			t.Errorf("bad signature: status %d, want 401", got)
		}
		if got := s.postWebhook(t, body, sign("another channel's secret", body)); got != http.StatusUnauthorized {
			t.Errorf("signature with another secret: status %d, want 401", got)
		}
		// The same body signed right is LINE's "verify" call.
		if got := s.postWebhook(t, body, sign(testChannelSecret, body)); got != http.StatusOK {
			t.Errorf("signed empty webhook: status %d, want 200", got)
		}
	})

	t.Run("webhook refuses a body over 1 MiB", func(t *testing.T) {
		prefix := `{"destination":"U0123456789abcdef0123456789abcdef","events":[],"padding":"`
		body := []byte(prefix + strings.Repeat("x", 1<<20-len(prefix)) + `"}`)
		if len(body) <= 1<<20 {
			t.Fatalf("test body is %d bytes, not over 1 MiB", len(body))
		}
		if got := s.postWebhook(t, body, sign(testChannelSecret, body)); got != http.StatusRequestEntityTooLarge {
			t.Errorf("signed %d-byte body: status %d, want 413", len(body), got)
		}
	})

	t.Run("follow gets the greeting and 予約する an answer", func(t *testing.T) {
		mother := newUserID()
		d, err := s.sim.SendFollow(ctx, mother)
		if err != nil {
			t.Fatalf("follow: %v", err)
		}
		if d.StatusCode != http.StatusOK {
			t.Fatalf("follow: status %d, want 200", d.StatusCode)
		}
		if greeting := s.waitSent(t, mother, 1); !strings.Contains(greeting, "ママズルーム") {
			t.Errorf("greeting does not name ママズルーム:\n%s", greeting)
		}

		if _, err := s.sim.SendText(ctx, mother, "予約する"); err != nil {
			t.Fatalf("send 予約する: %v", err)
		}
		if answer := s.waitSent(t, mother, 2); !strings.Contains(answer, "世田谷区") {
			t.Errorf("予約する was not answered with the booking flow's first question:\n%s", answer)
		}
	})

	t.Run("a redelivered event is answered once", func(t *testing.T) {
		mother := newUserID()
		d, err := s.sim.SendText(ctx, mother, "予約する")
		if err != nil {
			t.Fatalf("send 予約する: %v", err)
		}
		s.waitSent(t, mother, 1)
		again, err := s.sim.Redeliver(ctx, d)
		if err != nil {
			t.Fatalf("redeliver: %v", err)
		}
		if again.StatusCode != http.StatusOK {
			t.Fatalf("redelivery: status %d, want 200", again.StatusCode)
		}
		// Her events are handled in order, so once this later one is
		// answered, an answer to the redelivery would already be there.
		if _, err := s.sim.SendText(ctx, mother, "アクセス・持ち物"); err != nil {
			t.Fatalf("send アクセス・持ち物: %v", err)
		}
		if answer := s.waitSent(t, mother, 2); !strings.Contains(answer, "下馬3-10-7") {
			t.Errorf("second answer is not the answer to アクセス・持ち物:\n%s", answer)
		}
		if n := len(s.sim.Sent(mother)); n != 2 {
			t.Errorf("%d answers for two distinct events and one redelivery, want 2: %q", n, s.sim.Texts(mother))
		}
	})

	t.Run("a push in the outbox is sent", func(t *testing.T) {
		mother := newUserID()
		if _, err := s.sim.SendFollow(ctx, mother); err != nil {
			t.Fatalf("follow: %v", err)
		}
		s.waitSent(t, mother, 1) // the greeting
		pool, err := pgxpool.New(ctx, s.dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		var facilityID int64
		if err := pool.QueryRow(ctx, `SELECT id FROM facilities WHERE slug = $1`, facilitySlug).Scan(&facilityID); err != nil {
			t.Fatal(err)
		}
		// Enqueued from outside, as another process would: the worker finds
		// it by polling.
		if _, err := postgres.NewOutbox(pool, facilityID).Enqueue(ctx, pool, outbox.Push{
			LineUserID: mother,
			Kind:       outbox.KindClosure,
			DedupeKey:  "closure/test/" + mother,
			Messages:   []line.Message{{Text: "臨時休業のお知らせ"}},
		}); err != nil {
			t.Fatalf("enqueue: %v", err)
		}
		if got := s.waitSent(t, mother, 2); got != "臨時休業のお知らせ" {
			t.Errorf("pushed %q, want the enqueued text", got)
		}
	})

	t.Run("rich menu is set up", func(t *testing.T) {
		eventually(t, "the rich menu set as default", func() bool {
			return len(s.sim.RichMenus()) == 1 && s.sim.DefaultRichMenuID() != ""
		})
	})

	t.Run("metrics", func(t *testing.T) {
		body := s.mustGetMetrics(t)
		for _, want := range []string{
			"# TYPE mamasroom_webhook_requests_total counter",
			`mamasroom_webhook_requests_total{status="Unauthorized"} 3`,
			`mamasroom_webhook_requests_total{status="Request Entity Too Large"} 1`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %q:\n%s", want, body)
			}
		}
	})

	t.Run("LINE's quota is read at start", func(t *testing.T) {
		// The sim sets no target limit, and counts the pushes made so far.
		eventually(t, "the quota gauges", func() bool {
			body := s.mustGetMetrics(t)
			return strings.Contains(body, "\nmamasroom_line_quota_total +Inf\n") &&
				strings.Contains(body, "\nmamasroom_line_quota_reminders_only 0\n") &&
				!strings.Contains(body, "mamasroom_line_quota_used NaN")
		})
	})

	if r := s.sim.Rejected(); len(r) > 0 {
		t.Errorf("LINE refused requests the program sent: %+v", r)
	}

	if err := s.stop(5 * time.Second); err != nil {
		t.Errorf("after cancel: %v", err)
	}
	if n := strings.Count(s.stdout.String(), "serving on "); n != 1 {
		t.Errorf("stdout says %q %d times, want once:\n%s", "serving on", n, s.stdout)
	}
	assertNoSecrets(t, s.stdout.String(), s.stderr.String())
}

// TestServeWithoutRedis: serve starts with Redis down, stays alive, and
// reports itself not ready.
func TestServeWithoutRedis(t *testing.T) {
	t.Parallel()
	s := startServe(t, "REDIS_URL", "redis://"+closedAddr(t)+"/0")

	s.mustGet(t, "/healthz", http.StatusOK)
	body := s.mustGet(t, "/readyz", http.StatusServiceUnavailable)
	for _, internal := range []string{"refused", "dial", "redis"} {
		if strings.Contains(strings.ToLower(body), internal) {
			t.Errorf("/readyz shows the client internal error text %q:\n%s", internal, body)
		}
	}
	s.mustGet(t, "/healthz", http.StatusOK)

	if err := s.stop(5 * time.Second); err != nil {
		t.Errorf("after cancel: %v", err)
	}
	assertNoSecrets(t, s.stdout.String(), s.stderr.String())
}

// closedAddr returns a local address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
