package postgres_test

import (
	"context"
	"testing"
	"time"

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

func event(id, user string, at time.Time) postgres.InboxEvent {
	return postgres.InboxEvent{EventID: id, LineUserID: user, Payload: []byte(`{"webhookEventId":"` + id + `"}`), OccurredAt: at, ReceivedAt: at}
}

func ids(events []postgres.PendingEvent) []string {
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

	added, err := in.Add(ctx, []postgres.InboxEvent{event("e1", "Ua", now), event("e2", "Ua", now)})
	if err != nil || added != 2 {
		t.Fatalf("first delivery: added %d, %v", added, err)
	}
	added, err = in.Add(ctx, []postgres.InboxEvent{event("e1", "Ua", now), event("e2", "Ua", now)})
	if err != nil || added != 0 {
		t.Fatalf("redelivery: added %d, %v; want 0", added, err)
	}
}

func TestInboxOffersOneEventPerUserInOrder(t *testing.T) {
	ctx := context.Background()
	in := inboxAt(t)
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if _, err := in.Add(ctx, []postgres.InboxEvent{
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
	if _, err := in.Add(ctx, []postgres.InboxEvent{event("e1", "Ua", now)}); err != nil {
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
	if _, err := in.Add(ctx, []postgres.InboxEvent{event("done", "Ua", now), event("open", "Ub", now)}); err != nil {
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
	if _, err := in.Add(ctx, []postgres.InboxEvent{event("second", "Ua", now.Add(time.Second))}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Add(ctx, []postgres.InboxEvent{event("first", "Ua", now)}); err != nil {
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
	if _, err := in.Add(ctx, []postgres.InboxEvent{e, event("ok", "Ub", now)}); err != nil {
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
