package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mamasroom/inbox"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

func inboxAt(t *testing.T) *postgres.Inbox {
	t.Helper()
	pool := pgtest.Pool(t)
	f, err := postgres.NewStore(pool).FacilityBySlug(context.Background(), "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	return postgres.NewInbox(pool, f.ID)
}

func event(id, user string, at time.Time) inbox.Event {
	return inbox.Event{EventID: id, LineUserID: user, Payload: []byte(`{"webhookEventId":"` + id + `"}`), OccurredAt: at, ReceivedAt: at}
}

func ids(events []inbox.Pending) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.EventID)
	}
	return out
}

func TestInboxDropsRedeliveries(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

	added, err := in.Add(ctx, []inbox.Event{event("e1", "Ua", now), event("e2", "Ua", now)})
	if err != nil || added != 2 {
		t.Fatalf("first delivery: added %d, %v", added, err)
	}
	added, err = in.Add(ctx, []inbox.Event{event("e1", "Ua", now), event("e2", "Ua", now)})
	if err != nil || added != 0 {
		t.Fatalf("redelivery: added %d, %v; want 0", added, err)
	}
}

func TestInboxOffersOneEventPerUserInOrder(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []inbox.Event{
		event("a1", "Ua", now), event("b1", "Ub", now), event("a2", "Ua", now), event("b2", "Ub", now),
	}); err != nil {
		t.Fatal(err)
	}

	first, err := in.Claim(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(first); len(got) != 2 || got[0] != "a1" || got[1] != "b1" {
		t.Fatalf("first claim = %v, want each user's oldest: [a1 b1]", got)
	}
	// While a1 and b1 are in hand, nothing else of theirs may start.
	if more, _ := in.Claim(ctx, now, time.Minute, 10); len(more) != 0 {
		t.Fatalf("claimed %v while the earlier events were unfinished", ids(more))
	}
	if err := in.Done(ctx, "a1", now); err != nil {
		t.Fatal(err)
	}
	next, err := in.Claim(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(next); len(got) != 1 || got[0] != "a2" {
		t.Fatalf("after a1 is done: claimed %v, want [a2]", got)
	}
}

func TestInboxRetriesAnEventWhoseWorkerVanished(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []inbox.Event{event("e1", "Ua", now)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := in.Claim(ctx, now, time.Minute, 10); len(got) != 1 {
		t.Fatalf("claimed %d, want 1", len(got))
	}
	// The worker crashed: no Done. After the lease the event is offered again.
	if got, _ := in.Claim(ctx, now.Add(30*time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatal("offered again before its lease ran out")
	}
	got, err := in.Claim(ctx, now.Add(61*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v, want e1 on its second attempt", got)
	}
}

func TestInboxPruneKeepsUnfinishedEvents(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []inbox.Event{event("done", "Ua", now), event("open", "Ub", now)}); err != nil {
		t.Fatal(err)
	}
	if err := in.Done(ctx, "done", now); err != nil {
		t.Fatal(err)
	}
	n, err := in.Prune(ctx, now.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want the one finished event", n, err)
	}
	if pending, _ := in.Pending(ctx); pending != 1 {
		t.Errorf("pending = %d after prune, want 1", pending)
	}
}

func TestInboxFollowsLINEsTimestampsNotArrival(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	// Her second message's delivery arrived first.
	if _, err := in.Add(ctx, []inbox.Event{event("second", "Ua", now.Add(time.Second))}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Add(ctx, []inbox.Event{event("first", "Ua", now)}); err != nil {
		t.Fatal(err)
	}
	got, err := in.Claim(ctx, now.Add(time.Minute), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := ids(got); len(ids) != 1 || ids[0] != "first" {
		t.Errorf("claimed %v, want [first]", ids)
	}
}

func TestInboxKeepsPayloadsJSONBRefuses(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	e := event("nul", "Ua", now)
	e.Payload = []byte(`{"webhookEventId":"nul","message":{"text":"a\u0000b"}}`)
	if _, err := in.Add(ctx, []inbox.Event{e, event("ok", "Ub", now)}); err != nil {
		t.Fatalf("a NUL escape in one event failed the delivery: %v", err)
	}
	got, err := in.Claim(ctx, now, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[0].Payload) != string(e.Payload) {
		t.Errorf("claimed %d events, first payload %s; want both, the first unchanged", len(got), got[0].Payload)
	}
}

func TestInboxHandlesEventsWithoutAUser(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []inbox.Event{event("g1", "", now), event("g2", "", now.Add(time.Second))}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"g1", "g2"} {
		got, err := in.Claim(ctx, now, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		if ids := ids(got); len(ids) != 1 || ids[0] != want {
			t.Fatalf("claimed %v, want [%s]", ids, want)
		}
		if err := in.Done(ctx, want, now); err != nil {
			t.Fatal(err)
		}
	}
	if pending, _ := in.Pending(ctx); pending != 0 {
		t.Errorf("pending = %d, want 0", pending)
	}
}

func TestInboxRetryKeepsHerLaterEventsWaiting(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []inbox.Event{event("a1", "Ua", now), event("a2", "Ua", now.Add(time.Second))}); err != nil {
		t.Fatal(err)
	}
	if got, _ := in.Claim(ctx, now, time.Minute, 10); len(got) != 1 {
		t.Fatalf("claimed %v, want [a1]", ids(got))
	}
	if err := in.RetryAt(ctx, "a1", now.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, _ := in.Claim(ctx, now.Add(5*time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed %v before a1's retry was due", ids(got))
	}
	got, err := in.Claim(ctx, now.Add(10*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].EventID != "a1" || got[0].Attempts != 2 {
		t.Fatalf("claimed %+v, want a1 on its second attempt", got)
	}
	if err := in.GiveUp(ctx, "a1", now); err != nil {
		t.Fatal(err)
	}
	got, err = in.Claim(ctx, now.Add(10*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := ids(got); len(ids) != 1 || ids[0] != "a2" {
		t.Fatalf("after a1 was given up: claimed %v, want [a2]", ids)
	}
}

func TestInboxPostponeDoesNotCountTheAttempt(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []inbox.Event{event("e1", "Ua", now)}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := in.Claim(ctx, now, time.Minute, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("claimed %v, %v; want e1", ids(got), err)
		}
		if got[0].Attempts != 1 {
			t.Fatalf("attempts = %d after postponements, want 1", got[0].Attempts)
		}
		if err := in.Postpone(ctx, "e1", now); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInboxTakesANewEventAfterHerQueueEmptied(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, id := range []string{"e1", "e2"} {
		if _, err := in.Add(ctx, []inbox.Event{event(id, "Ua", now)}); err != nil {
			t.Fatal(err)
		}
		got, err := in.Claim(ctx, now, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].EventID != id {
			t.Fatalf("claimed %v, %v; want [%s]", ids(got), err, id)
		}
		if err := in.Done(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		// Done twice, as a worker whose lease ran out might: no harm.
		if err := in.Done(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInboxPrunesInBatches(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	const n = 2500 // more than two of the prune's batches
	var events []inbox.Event
	for i := range n {
		events = append(events, event(fmt.Sprintf("e%d", i), fmt.Sprintf("U%d", i), now))
	}
	if _, err := in.Add(ctx, events); err != nil {
		t.Fatal(err)
	}
	for {
		got, err := in.Claim(ctx, now, time.Minute, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			break
		}
		for _, e := range got {
			if err := in.Done(ctx, e.EventID, now); err != nil {
				t.Fatal(err)
			}
		}
	}
	pruned, err := in.Prune(ctx, now.Add(time.Hour))
	if err != nil || pruned != n {
		t.Fatalf("pruned %d, %v; want %d", pruned, err, n)
	}
}

// Several workers claiming at once still see each user's events in order,
// and every event exactly once.
func TestInboxConcurrentClaimsKeepEachUsersOrder(t *testing.T) {
	in := inboxAt(t)
	const users, perUser = 20, 10
	fillInbox(t, in, users, perUser)
	checkDrain(t, drain(t, in, 8), users, perUser)
}
