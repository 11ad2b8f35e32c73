package quota_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"mamasroom/line"
	"mamasroom/linesim"
	"mamasroom/logcheck"
	"mamasroom/metrics"
	"mamasroom/quota"
)

const (
	simToken = "quota-test-token"
	mother   = "U0123456789abcdef0123456789abcdef"
)

type env struct {
	sim     *linesim.Sim
	client  *line.Client
	watcher *quota.Watcher
	reg     *metrics.Registry
	log     *bytes.Buffer
	pushes  int
}

func setup(t *testing.T) *env {
	t.Helper()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	sim, err := linesim.New(linesim.Config{ChannelSecret: "quota-test-secret", AccessToken: simToken, WebhookURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	if _, err := sim.SendFollow(context.Background(), mother); err != nil {
		t.Fatal(err)
	}
	e := &env{sim: sim, client: line.NewClient(simToken, api.URL, &http.Client{Timeout: 5 * time.Second}, nil),
		reg: metrics.NewRegistry(), log: &bytes.Buffer{}}
	e.watcher, err = quota.New(quota.Config{LINE: e.client, Log: slog.New(slog.NewJSONHandler(logcheck.Writer(e.log), nil)), Metrics: e.reg})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// push sends n pushes, each its own message.
func (e *env) push(t *testing.T, n int) {
	t.Helper()
	for range n {
		e.pushes++
		key := fmt.Sprintf("123e4567-e89b-42d3-a456-%012d", e.pushes)
		if err := e.client.Push(context.Background(), mother, key, []line.Message{{Text: "お知らせ"}}); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) check(t *testing.T) quota.State {
	t.Helper()
	if err := e.watcher.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e.watcher.State()
}

func (e *env) metrics(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	if _, err := e.reg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func (e *env) wantMetrics(t *testing.T, lines ...string) {
	t.Helper()
	got := e.metrics(t)
	for _, l := range lines {
		if !strings.Contains(got, l+"\n") {
			t.Errorf("metrics lack %q:\n%s", l, got)
		}
	}
}

func TestWatcherGaugesWarningAndRemindersOnly(t *testing.T) {
	e := setup(t)
	e.wantMetrics(t, "mamasroom_line_quota_total NaN", "mamasroom_line_quota_used NaN")

	if s := e.check(t); !s.Known || s.Limited || s.Spent() || s.Nearly() {
		t.Fatalf("no target limit: %+v", s)
	}
	e.wantMetrics(t, "mamasroom_line_quota_total +Inf", "mamasroom_line_quota_used 0")

	e.sim.SetMonthlyLimit(10)
	e.push(t, 7)
	if s := e.check(t); s.Nearly() || s.Spent() {
		t.Fatalf("7 of 10: %+v", s)
	}
	e.push(t, 1)
	for range 2 {
		if s := e.check(t); !s.Nearly() || s.Spent() || e.watcher.RemindersOnly() {
			t.Fatalf("8 of 10: %+v", s)
		}
	}
	e.wantMetrics(t, "mamasroom_line_quota_total 10", "mamasroom_line_quota_used 8", "mamasroom_line_quota_reminders_only 0")
	if n := strings.Count(e.log.String(), "80% of LINE's monthly messages are used"); n != 1 {
		t.Fatalf("the 80%% warning was logged %d times, want once:\n%s", n, e.log)
	}

	e.push(t, 2)
	if s := e.check(t); !s.Spent() || !e.watcher.RemindersOnly() {
		t.Fatalf("10 of 10: %+v", s)
	}
	e.wantMetrics(t, "mamasroom_line_quota_used 10", "mamasroom_line_quota_reminders_only 1")

	e.sim.SetMonthlyLimit(20)
	if s := e.check(t); s.Spent() || e.watcher.RemindersOnly() {
		t.Fatalf("10 of 20: %+v", s)
	}
	if !strings.Contains(e.log.String(), "has room again") {
		t.Errorf("the end of the shortage was not logged:\n%s", e.log)
	}
	if strings.Contains(e.log.String(), mother) || strings.Contains(e.log.String(), "お知らせ") {
		t.Errorf("the log holds a user ID or a message:\n%s", e.log)
	}
}

// LINE's refusal for the monthly limit counts even when its count lags,
// until a reading begun after it shows room.
func TestWatcherHeedsARefusal(t *testing.T) {
	e := setup(t)
	e.sim.SetMonthlyLimit(10)
	e.check(t)
	e.watcher.Refused()
	if !e.watcher.RemindersOnly() {
		t.Fatal("a refusal did not keep the outbox to reminders")
	}
	if s := e.check(t); s.Spent() {
		t.Fatalf("a reading after the refusal shows room: %+v; want it to decide", s)
	}
}

func TestWatcherKeepsTheLastReadingWhenLINEFails(t *testing.T) {
	e := setup(t)
	e.sim.SetMonthlyLimit(10)
	e.push(t, 9)
	e.check(t)
	e.sim.FailNext("/v2/bot/message/quota", http.StatusInternalServerError, 1)
	if err := e.watcher.Check(context.Background()); err == nil {
		t.Fatal("a failed reading was not reported")
	}
	if s := e.watcher.State(); s.Used != 9 || s.Total != 10 {
		t.Fatalf("after a failed reading: %+v; want the last one", s)
	}
}
