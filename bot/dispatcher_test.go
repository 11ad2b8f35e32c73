package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mamasroom/clock"
	"mamasroom/inbox"
	"mamasroom/line"
	"mamasroom/logcheck"
	"mamasroom/metrics"
	"mamasroom/postgres"
	"mamasroom/postgres/pgtest"
)

// dispatchRig runs a dispatcher over a real inbox with a handler the test
// scripts, and records what it handled and gave up, in order.
type dispatchRig struct {
	t       *testing.T
	d       *Dispatcher
	inbox   *postgres.Inbox
	clock   *clock.Fake
	events  chan string // every handling, as "handled:id" or "gave_up:id"
	metrics *metrics.Registry

	mu   sync.Mutex
	fail map[string]func() error // what handling an event does; nil succeeds
	down error                   // while set, giving up (the push) fails with it
}

func newDispatchRig(t *testing.T) *dispatchRig {
	t.Helper()
	pool := pgtest.Pool(t)
	f, err := postgres.NewStore(pool).FacilityBySlug(context.Background(), "mamasroom")
	if err != nil {
		t.Fatal(err)
	}
	r := &dispatchRig{t: t, metrics: metrics.NewRegistry(), inbox: postgres.NewInbox(pool, f.ID), events: make(chan string, 100),
		clock: clock.NewFake(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)), fail: map[string]func() error{}}
	r.d = &Dispatcher{
		inbox: r.inbox,
		handle: func(ctx context.Context, ev inbox.Pending) error {
			r.mu.Lock()
			fail := r.fail[ev.EventID]
			r.mu.Unlock()
			if fail != nil {
				if err := fail(); err != nil {
					return err
				}
			}
			r.events <- "handled:" + ev.EventID
			return nil
		},
		giveUp: func(ctx context.Context, ev inbox.Pending) error {
			r.mu.Lock()
			down := r.down
			r.mu.Unlock()
			if down != nil {
				return down
			}
			r.events <- "gave_up:" + ev.EventID
			return nil
		},
		clock:   r.clock,
		log:     slog.New(slog.NewTextHandler(logcheck.Writer(io.Discard), nil)),
		workers: 4,
		wake:    make(chan struct{}, 1),
		outcome: r.metrics.NewCounter("events_total", "", "outcome"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.d.Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *dispatchRig) add(ids ...string) {
	r.t.Helper()
	var events []inbox.Event
	for i, id := range ids {
		at := r.clock.Now().Add(time.Duration(i) * time.Millisecond)
		events = append(events, inbox.Event{EventID: id, LineUserID: "Ua", Payload: []byte(`{}`), OccurredAt: at, ReceivedAt: at})
	}
	if _, err := r.inbox.Add(context.Background(), events); err != nil {
		r.t.Fatal(err)
	}
	r.d.Wake()
}

func (r *dispatchRig) failWith(id string, fail func() error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail[id] = fail
}

// rigWait bounds a wait for what takes milliseconds: a test that waits so
// long has failed, and on a busy CI machine (the race detector, process
// tests of other packages alongside) 10 s was seen to be too short.
const rigWait = 30 * time.Second

// next waits for the next thing the dispatcher did with an event.
func (r *dispatchRig) next() string {
	r.t.Helper()
	select {
	case e := <-r.events:
		return e
	case <-time.After(rigWait):
		r.t.Fatal("the dispatcher did nothing more")
		return ""
	}
}

// waitUntil waits, event by event, until cond holds.
func (r *dispatchRig) waitUntil(what string, cond func() bool) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), rigWait)
	defer cancel()
	for {
		changed := r.d.changes()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			r.d.mu.Lock()
			st := fmt.Sprintf("%+v inflight=%d", r.d.pause, r.d.inFlight)
			r.d.mu.Unlock()
			r.t.Fatalf("waited in vain for %s; now %s, clock %s", what, st, r.clock.Now())
		}
	}
}

func (r *dispatchRig) paused() bool { return r.d.Ready() != nil }

// pausedAndSettled: paused, and the event that met the outage is back in
// the inbox. The pause begins before the event is put back, so a test that
// moved the clock on the pause alone could overtake the put-back.
func (r *dispatchRig) pausedAndSettled() bool {
	r.d.mu.Lock()
	inFlight := r.d.inFlight
	r.d.mu.Unlock()
	return r.paused() && inFlight == 0
}

// retries is how many times an event was put back to be tried again.
func (r *dispatchRig) retries() int {
	var b strings.Builder
	r.metrics.WriteTo(&b)
	n := 0
	for _, line := range strings.Split(b.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, `events_total{outcome="retry"} `); ok {
			n, _ = strconv.Atoi(rest)
		}
	}
	return n
}

func TestPanickingEventIsGivenUpAtOnceAndHerNextIsHandled(t *testing.T) {
	r := newDispatchRig(t)
	r.failWith("forged", func() error { panic("index out of range") })
	r.add("forged", "quit")
	if got := r.next(); got != "gave_up:forged" {
		t.Fatalf("first = %s, want the panicking event given up at once", got)
	}
	if got := r.next(); got != "handled:quit" {
		t.Fatalf("then %s, want her next message handled", got)
	}
}

func TestEventFailingByItselfIsGivenUpAfterAFewTries(t *testing.T) {
	r := newDispatchRig(t)
	r.failWith("bad", func() error { return errors.New("a bug") }) // Postgres and Redis answer
	r.add("bad", "next")
	for i := range maxFailures - 1 {
		r.waitUntil("a retry", func() bool { return r.retries() == i+1 })
		r.clock.Advance(failureDelay)
		r.d.Wake()
	}
	if got := r.next(); got != "gave_up:bad" {
		t.Fatalf("got %s, want the event given up after %d tries", got, maxFailures)
	}
	if got := r.next(); got != "handled:next" {
		t.Fatalf("then %s, want her next message handled", got)
	}
	if err := r.d.Ready(); err != nil {
		t.Errorf("a failing event paused everyone: %v", err)
	}
}

func TestLINEOutagePausesKeepsTheEventAndResumes(t *testing.T) {
	r := newDispatchRig(t)
	var once sync.Once
	r.failWith("e1", func() (err error) {
		once.Do(func() { err = &line.Error{Endpoint: "reply", Status: http.StatusUnauthorized} })
		return err
	})
	r.add("e1")
	r.waitUntil("a pause, with the event put back", r.pausedAndSettled)
	// However long it lasts, the event is neither given up nor handled
	// before the pause is over, even by a claim made as the pause began.
	select {
	case e := <-r.events:
		t.Fatalf("during the pause: %s, want nothing done", e)
	default:
	}
	r.clock.Advance(firstPause)
	r.d.Wake()
	if got := r.next(); got != "handled:e1" {
		t.Fatalf("after the outage: %s, want e1 handled", got)
	}
	r.waitUntil("the end of the pause", func() bool { return !r.paused() })
}

func TestOutageWhileGivingUpKeepsTheEvent(t *testing.T) {
	r := newDispatchRig(t)
	r.mu.Lock()
	r.down = &line.Error{Endpoint: "push", Status: http.StatusServiceUnavailable}
	r.mu.Unlock()
	r.failWith("forged", func() error { panic("boom") })
	r.add("forged")
	r.waitUntil("a pause, with the event put back", r.pausedAndSettled)
	r.mu.Lock()
	r.down = nil
	r.mu.Unlock()
	r.clock.Advance(firstPause)
	r.d.Wake()
	if got := r.next(); got != "gave_up:forged" {
		t.Fatalf("after the outage: %s, want the event given up with its message", got)
	}
}
