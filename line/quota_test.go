package line_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"mamasroom/line"
	"mamasroom/linesim"
)

const (
	simSecret = "line-test-secret"
	simToken  = "line-test-token"
	mother    = "U0123456789abcdef0123456789abcdef"
)

func newSim(t *testing.T) (*linesim.Sim, *line.Client) {
	t.Helper()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	sim, err := linesim.New(linesim.Config{ChannelSecret: simSecret, AccessToken: simToken, WebhookURL: hook.URL})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	if _, err := sim.SendFollow(context.Background(), mother); err != nil {
		t.Fatal(err)
	}
	return sim, line.NewClient(simToken, api.URL, &http.Client{Timeout: 5 * time.Second}, nil)
}

func TestQuotaAndConsumption(t *testing.T) {
	sim, c := newSim(t)
	ctx := context.Background()
	if q, err := c.Quota(ctx); err != nil || q.Limited {
		t.Fatalf("no target limit: %+v, %v", q, err)
	}
	sim.SetMonthlyLimit(200)
	if err := c.Push(ctx, mother, "123e4567-e89b-42d3-a456-426614174001", []line.Message{{Text: "お知らせ"}}); err != nil {
		t.Fatal(err)
	}
	q, err := c.Quota(ctx)
	if err != nil || q != (line.Quota{Limited: true, Limit: 200}) {
		t.Fatalf("quota %+v, %v; want limited to 200", q, err)
	}
	if used, err := c.QuotaConsumption(ctx); err != nil || used != 1 {
		t.Fatalf("consumption %d, %v; want 1", used, err)
	}
	sim.FailNext("/v2/bot/message/quota/consumption", http.StatusInternalServerError, 1)
	var le *line.Error
	if _, err := c.QuotaConsumption(ctx); !errors.As(err, &le) || le.Status != http.StatusInternalServerError {
		t.Fatalf("a 500: %v", err)
	}
}

// LINE's two 429s are told apart by its body, which is read for that and
// kept nowhere; a Retry-After is kept.
func TestTooManyRequestsTellsTheMonthFromTheRate(t *testing.T) {
	sim, c := newSim(t)
	ctx := context.Background()
	push := func(key string) error {
		return c.Push(ctx, mother, key, []line.Message{{Text: "お知らせ"}})
	}
	sim.SetPushRateLimit(1, time.Hour)
	if err := push("123e4567-e89b-42d3-a456-426614174001"); err != nil {
		t.Fatal(err)
	}
	err := push("123e4567-e89b-42d3-a456-426614174002")
	var le *line.Error
	if !errors.As(err, &le) || le.Status != http.StatusTooManyRequests || le.MonthlyLimitReached() ||
		le.RetryAfter() < 59*time.Minute || le.RetryAfter() > time.Hour {
		t.Fatalf("rate limited: %v; want 429, not monthly, Retry-After about an hour", err)
	}
	if err.Error() != "LINE push: status 429" {
		t.Fatalf("the error says %q; want the status only", err.Error())
	}

	sim.SetPushRateLimit(0, 0)
	sim.SetMonthlyLimit(1)
	err = push("123e4567-e89b-42d3-a456-426614174003")
	if !line.IsMonthlyLimit(err) || !errors.As(err, &le) || le.RetryAfter() != 0 {
		t.Fatalf("monthly limit: %v; want IsMonthlyLimit, no Retry-After", err)
	}
	if err.Error() != "LINE push: status 429" {
		t.Fatalf("the error says %q; want the status only", err.Error())
	}
}
