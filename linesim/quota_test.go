package linesim_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"
)

const (
	key1 = "123e4567-e89b-42d3-a456-426614174001"
	key2 = "123e4567-e89b-42d3-a456-426614174002"
	key3 = "123e4567-e89b-42d3-a456-426614174003"
)

// The quota endpoints answer in the spec's shapes: "value" only when a
// target limit is set, and the month's count of messages sent by push
// (one per recipient, replies and pushes to a blocked user not counted).
func TestQuotaAndConsumption(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, u := range []string{alice, bob} {
		if _, err := e.sim.SendFollow(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if q, err := e.api.GetMessageQuota(); err != nil || q.Type != messaging_api.QuotaType_NONE {
		t.Fatalf("quota with no limit: %+v, %v", q, err)
	}
	if body := e.get(t, "/v2/bot/message/quota"); strings.Contains(body, "value") {
		t.Fatalf("an unlimited quota has a value: %s", body)
	}

	e.sim.SetMonthlyLimit(1000)
	if q, err := e.api.GetMessageQuota(); err != nil || q.Type != messaging_api.QuotaType_LIMITED || q.Value != 1000 {
		t.Fatalf("quota: %+v, %v; want limited 1000", q, err)
	}
	if _, err := push(e, alice, key1, "お知らせ"); err != nil {
		t.Fatal(err)
	}
	if _, err := push(e, alice, key1, "お知らせ"); err == nil {
		t.Fatal("a repeated retry key was not answered 409")
	}
	if _, err := e.reply(e.tokenFrom(t, alice), &messaging_api.TextMessage{Text: "はい"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.SendUnfollow(ctx, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := push(e, bob, "", "お知らせ"); err != nil {
		t.Fatal(err)
	}
	if c, err := e.api.GetMessageQuotaConsumption(); err != nil || c.TotalUsage != 1 {
		t.Fatalf("consumption: %+v, %v; want 1 (the repeat, the reply and the blocked push are free)", c, err)
	}

	// The month is Tokyo's: 15:00 UTC on the last day is the next month.
	e.clock.Advance(time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC).Sub(e.clock.Now()))
	if c, _ := e.api.GetMessageQuotaConsumption(); c.TotalUsage != 0 {
		t.Fatalf("consumption in a new month: %d, want 0", c.TotalUsage)
	}
	e.wantNoRejections(t)
}

func TestMonthlyLimit(t *testing.T) {
	e := setup(t)
	if _, err := e.sim.SendFollow(context.Background(), alice); err != nil {
		t.Fatal(err)
	}
	e.sim.SetMonthlyLimit(1)
	if _, err := push(e, alice, key1, "1通目"); err != nil {
		t.Fatal(err)
	}
	res, err := push(e, alice, key2, "2通目")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(err.Error(), "You have reached your monthly limit.") {
		t.Fatalf("past the limit: %d, %v; want 429 with LINE's message", res.StatusCode, err)
	}
	if res.Header.Get("Retry-After") != "" {
		t.Fatal("the monthly limit sent a Retry-After: waiting seconds does not help")
	}
	// The refused push used neither the quota nor its retry key.
	e.sim.SetMonthlyLimit(2)
	if _, err := push(e, alice, key2, "2通目"); err != nil {
		t.Fatalf("after the limit was raised: %v", err)
	}
	if n, l := len(e.sim.Sent(alice)), e.sim.LimitedRequests(); n != 2 || len(l) != 1 || !l[0].MonthlyLimit {
		t.Fatalf("%d sent, limited %v; want 2 and one monthly limit", n, l)
	}
	e.wantNoRejections(t)
}

func TestPushRateLimit(t *testing.T) {
	e := setup(t)
	if _, err := e.sim.SendFollow(context.Background(), alice); err != nil {
		t.Fatal(err)
	}
	e.sim.SetPushRateLimit(2, 10*time.Second)
	for _, k := range []string{key1, key2} {
		if _, err := push(e, alice, k, "x"); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(2500 * time.Millisecond)
	res, err := push(e, alice, key3, "x")
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(err.Error(), "The API rate limit has been exceeded") {
		t.Fatalf("third push: %d, %v; want 429", res.StatusCode, err)
	}
	if got := res.Header.Get("Retry-After"); got != "8" {
		t.Fatalf("Retry-After %q, want 8 (seconds left in the window, rounded up)", got)
	}
	e.clock.Advance(7500 * time.Millisecond)
	if _, err := push(e, alice, key3, "x"); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	if l := e.sim.LimitedRequests(); len(l) != 1 || l[0].MonthlyLimit || l[0].RetryAfter != 8*time.Second {
		t.Fatalf("limited %v", l)
	}
	e.wantNoRejections(t)
}

// get reads a GET endpoint's raw body with the right token.
func (e *env) get(t *testing.T, path string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, res.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
