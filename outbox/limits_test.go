package outbox_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"mamasroom/line"
	"mamasroom/outbox"
	"mamasroom/quota"
)

// lineClient is the program's own Messaging API client on the sim: its
// errors carry LINE's Retry-After and tell the monthly limit apart.
func (e *env) lineClient() *line.Client {
	return line.NewClient(simToken, e.api, &http.Client{Timeout: 10 * time.Second}, nil)
}

// A rate-limit 429 with Retry-After: the row is tried again no sooner, the
// whole worker waits as long (a push enqueued meanwhile waits too), and
// the 429 does not count against the row.
func TestWorkerHonoursRetryAfter(t *testing.T) {
	e := setup(t)
	e.sim.SetPushRateLimit(1, time.Second)
	cfg := e.fast()
	cfg.Pusher = e.lineClient()
	w := e.run(t, cfg)
	e.enqueue(t, e.push("a", "1通目"))
	e.enqueue(t, e.push("b", "2通目"))

	// Once the row is put back, the worker is paused.
	waitFor(t, slowMachine, "a push put back after a 429", func() bool {
		for _, key := range []string{"a", "b"} {
			if p, err := e.out.Find(context.Background(), key); err == nil && p.LastError == "status 429" {
				return true
			}
		}
		return false
	})
	limited := e.sim.LimitedRequests()[0]
	// Room enough now: only the worker's own wait holds the pushes back.
	e.sim.SetPushRateLimit(100, time.Second)
	e.enqueue(t, e.push("c", "3通目"))
	w.Notify()

	for _, key := range []string{"a", "b", "c"} {
		if got := e.finished(t, key); got.Status != outbox.StatusSent || got.Attempts != 1 {
			t.Errorf("%s: %s after %d counted attempts; want sent after 1", key, got.Status, got.Attempts)
		}
	}
	sent := e.sim.Sent(e.user)
	if len(sent) != 3 {
		t.Fatalf("%d pushes delivered, want 3", len(sent))
	}
	for _, s := range sent[1:] {
		if s.At.Before(limited.At.Add(limited.RetryAfter)) {
			t.Errorf("a push went %s after the 429 that asked for %s", s.At.Sub(limited.At), limited.RetryAfter)
		}
	}
	if n := len(e.sim.LimitedRequests()); n != 1 {
		t.Errorf("%d pushes answered 429; the worker should have waited after the first", n)
	}
	if r := e.sim.Rejected(); len(r) != 0 {
		t.Fatalf("the sim refused requests: %+v", r)
	}
}

// The month's messages run out: the other pushes wait (never dropped, no
// attempt counted), only reminders are tried, and when the limit is raised
// by one message the reminder takes it; raised again, the rest go.
func TestWorkerKeepsRemindersFirstWhenTheMonthIsSpent(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	client := e.lineClient()
	// Read often: a refusal that crossed a reading showing room stands
	// until the next reading.
	watcher, err := quota.New(quota.Config{LINE: client, Log: e.fast().Log, Interval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	watchCtx, stopWatching := context.WithCancel(ctx)
	watched := make(chan error, 1)
	go func() { watched <- watcher.Run(watchCtx) }()
	t.Cleanup(func() {
		stopWatching()
		if err := <-watched; err != nil {
			t.Errorf("watcher: %v", err)
		}
	})
	cfg := e.fast()
	cfg.Pusher = client
	cfg.RemindersOnly = watcher.RemindersOnly
	cfg.QuotaSpent = watcher.Refused
	cfg.QuotaPause = 20 * time.Millisecond
	w := e.run(t, cfg)

	e.sim.SetMonthlyLimit(1)
	e.enqueue(t, e.push("answer/1", "お返事です"))
	if got := e.finished(t, "answer/1"); got.Status != outbox.StatusSent {
		t.Fatalf("the first push: %s", got.Status)
	}
	offer := e.push("waitlist_offer/1", "空きが出ました")
	offer.Kind = outbox.KindWaitlistOffer
	reminder := e.push("reminder/1", "明日はご来所の日です")
	reminder.Kind = outbox.KindReminder
	reminder.FacilityID, offer.FacilityID = e.facility, e.facility
	e.enqueue(t, offer)
	e.enqueue(t, reminder)
	w.Notify()
	waitFor(t, slowMachine, "LINE to refuse a push for the monthly limit", func() bool {
		return len(e.sim.LimitedRequests()) > 0
	})
	// LINE has refused before the worker has heard the 429: wait for that.
	waitFor(t, slowMachine, "the worker kept to reminders after a monthly-limit 429", watcher.RemindersOnly)
	// The offer may have been claimed with the reminder, before anyone knew
	// the month was spent; a push on its way when the limit is raised
	// rightly goes through. Raise it only once the offer met the limit or
	// waits unclaimed (from now on only reminders are claimed).
	offerKey := outbox.RetryKey(e.facility, offer.DedupeKey)
	waitFor(t, slowMachine, "the offer refused, or waiting unclaimed", func() bool {
		for _, l := range e.sim.LimitedRequests() {
			if l.RetryKey == offerKey {
				return true
			}
		}
		p, err := e.out.Find(ctx, offer.DedupeKey)
		if err != nil {
			t.Fatal(err)
		}
		return p.Attempts == 0
	})

	// One more message this month: the reminder gets it, though the offer
	// was waiting as long.
	e.sim.SetMonthlyLimit(2)
	if got := e.finished(t, reminder.DedupeKey); got.Status != outbox.StatusSent || got.Attempts != 1 {
		t.Fatalf("reminder: %s after %d counted attempts; want sent after 1", got.Status, got.Attempts)
	}
	// The month is spent again, and the offer waits, no attempt counted
	// (whether it met the limit or was never claimed).
	waitFor(t, slowMachine, "the offer to wait for the limit", func() bool {
		p, err := e.out.Find(ctx, offer.DedupeKey)
		if err != nil {
			t.Fatal(err)
		}
		return watcher.RemindersOnly() && p.Status == outbox.StatusPending && p.Attempts == 0
	})

	e.sim.SetMonthlyLimit(10)
	if got := e.finished(t, offer.DedupeKey); got.Status != outbox.StatusSent || got.Attempts != 1 {
		t.Fatalf("offer: %s after %d counted attempts; want sent after 1", got.Status, got.Attempts)
	}
	texts := e.sim.Texts(e.user)
	if want := []string{"お返事です", "明日はご来所の日です", "空きが出ました"}; !slices.Equal(texts, want) {
		t.Fatalf("delivered %q, want %q", texts, want)
	}
	waitFor(t, slowMachine, "a reading with room", func() bool { return !watcher.RemindersOnly() })
	if r := e.sim.Rejected(); len(r) != 0 {
		t.Fatalf("the sim refused requests: %+v", r)
	}
}

// A 429 for the rate limit without Retry-After: postponed by Backoff, not
// counted.
func TestWorkerWaitsOutARateLimit(t *testing.T) {
	e := setup(t)
	e.sim.FailNext(pushPath, http.StatusTooManyRequests, 2)
	e.run(t, e.fast())
	e.enqueue(t, e.push("k", "お返事です"))

	got := e.finished(t, "k")
	if got.Status != outbox.StatusSent || got.Attempts != 1 {
		t.Fatalf("%s after %d counted attempts; want sent, the 429s not counted", got.Status, got.Attempts)
	}
	if sent := e.sim.Sent(e.user); len(sent) != 1 {
		t.Fatalf("delivered %d times, want once", len(sent))
	}
}
