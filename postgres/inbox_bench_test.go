package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"mamasroom/inbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

// BenchmarkInboxDrain fills the inbox with a backlog, as after an outage or
// a busy evening, and drains it with concurrent workers doing Claim and
// Done (the handler does nothing). It reports events answered per second,
// which must stay flat as the backlog grows, and fails if any user's events
// come out of order.
//
//	scripts/test ./postgres/ -run '^$' -bench BenchmarkInboxDrain -benchtime 1x
func BenchmarkInboxDrain(b *testing.B) {
	for _, events := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprintf("events=%d", events), func(b *testing.B) {
			users := events / 10
			pool := pgtest.Pool(b)
			f, err := postgres.NewStore(pool).FacilityBySlug(context.Background(), "mamasroom")
			if err != nil {
				b.Fatal(err)
			}
			in := postgres.NewInbox(pool, f.ID)
			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				fillInbox(b, in, users, 10)
				b.StartTimer()
				start := time.Now()
				order := drain(b, in, drainWorkers)
				elapsed += time.Since(start)
				b.StopTimer()
				checkDrain(b, order, users, 10)
				if _, err := in.Prune(context.Background(), time.Now().Add(time.Hour)); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(events*b.N)/elapsed.Seconds(), "events/s")
		})
	}
}

// drainWorkers is how many workers claim at once, as the dispatcher's
// default pool does.
const drainWorkers = 8

// fillInbox stores perUser events for each of users users, her events a
// second apart by LINE's clock, in deliveries of many users each, as LINE
// sends them.
func fillInbox(tb testing.TB, in *postgres.Inbox, users, perUser int) {
	tb.Helper()
	ctx := context.Background()
	base := time.Now().Add(-time.Hour)
	var delivery []inbox.Event
	for i := range perUser {
		for u := range users {
			id := fmt.Sprintf("U%06d-%04d", u, i)
			at := base.Add(time.Duration(i) * time.Second)
			delivery = append(delivery, inbox.Event{
				EventID: id, LineUserID: fmt.Sprintf("U%06d", u),
				Payload: []byte(`{"type":"message"}`), OccurredAt: at, ReceivedAt: at,
			})
			if len(delivery) == 500 {
				if _, err := in.Add(ctx, delivery); err != nil {
					tb.Fatal(err)
				}
				delivery = delivery[:0]
			}
		}
	}
	if len(delivery) > 0 {
		if _, err := in.Add(ctx, delivery); err != nil {
			tb.Fatal(err)
		}
	}
}

// drain runs workers that claim and finish events until none is left, and
// returns the event ids in the order each user's were finished.
func drain(tb testing.TB, in *postgres.Inbox, workers int) map[string][]string {
	tb.Helper()
	ctx := context.Background()
	var (
		mu    sync.Mutex
		order = map[string][]string{}
		wg    sync.WaitGroup
		errs  = make(chan error, workers)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				events, err := in.Claim(ctx, time.Now(), time.Minute, 4)
				if err != nil {
					errs <- err
					return
				}
				if len(events) == 0 {
					// Nothing due: finished, or every queue left is in
					// another worker's hands.
					n, err := in.Pending(ctx)
					if err != nil {
						errs <- err
						return
					}
					if n == 0 {
						return
					}
					continue
				}
				for _, e := range events {
					mu.Lock()
					order[e.LineUserID] = append(order[e.LineUserID], e.EventID)
					mu.Unlock()
					if err := in.Done(ctx, e.EventID, time.Now()); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return order
}

// checkDrain fails unless every user's events were each handled once, in
// the order she sent them.
func checkDrain(tb testing.TB, order map[string][]string, users, perUser int) {
	tb.Helper()
	if len(order) != users {
		tb.Fatalf("%d users' events handled, want %d", len(order), users)
	}
	for user, got := range order {
		if len(got) != perUser {
			tb.Fatalf("user %s: %d events handled, want %d: %v", user, len(got), perUser, got)
		}
		for i, id := range got {
			if want := fmt.Sprintf("%s-%04d", user, i); id != want {
				tb.Fatalf("user %s: handled %s as number %d, want %s: order broken: %s", user, id, i+1, want, strings.Join(got, " "))
			}
		}
	}
}
