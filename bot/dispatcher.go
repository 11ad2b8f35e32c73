package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"mamasroom/clock"
	"mamasroom/metrics"
	"mamasroom/postgres"
)

// Dispatcher takes events from the inbox and has the engine handle them:
// one user's events strictly in order, different users in parallel.
type Dispatcher struct {
	inbox   *postgres.Inbox
	handle  func(context.Context, postgres.PendingEvent) error
	giveUp  func(context.Context, postgres.PendingEvent) error
	clock   clock.Clock
	log     *slog.Logger
	workers int
	wake    chan struct{}
	outcome *metrics.Counter
}

const (
	// eventLease is how long a claimed event is left to its worker before
	// another may take it (the worker crashed). Handling is cut off sooner.
	eventLease    = 2 * time.Minute
	handleTimeout = time.Minute
	// An event is retried for as long as its answer still helps her (a LINE
	// outage of an hour is answered late rather than never), and at most
	// maxAttempts times, so one that crashes the process cannot loop.
	retryFor       = 6 * time.Hour
	maxAttempts    = 40
	pollInterval   = time.Second
	claimBatchSize = 32
	// Handled events are deleted after inboxRetention, checked every pruneEvery.
	inboxRetention = 7 * 24 * time.Hour
	pruneEvery     = time.Hour
)

// retryDelay spaces retries out: a LINE or database outage is usually short.
func retryDelay(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt-1, 8)
	return min(d, 10*time.Minute)
}

// Wake tells the dispatcher new events are in the inbox. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run handles events until ctx ends, then waits for the events in hand.
func (d *Dispatcher) Run(ctx context.Context) {
	slots := make(chan struct{}, d.workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	var lastPrune time.Time
	for {
		if now := d.clock.Now(); now.Sub(lastPrune) >= pruneEvery {
			lastPrune = now
			if _, err := d.inbox.Prune(ctx, now.Add(-inboxRetention)); err != nil && ctx.Err() == nil {
				d.log.ErrorContext(ctx, "prune inbox", "error", err)
			}
		}
		free := d.workers - len(slots)
		if free > 0 {
			events, err := d.inbox.Claim(ctx, d.clock.Now(), eventLease, min(free, claimBatchSize))
			if err != nil && ctx.Err() == nil {
				d.log.ErrorContext(ctx, "claim inbox events", "error", err)
			}
			for _, ev := range events {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.process(ctx, ev)
					<-slots
					d.Wake() // the user's next event may now be due
				}()
			}
			if len(events) == free {
				continue // there may be more waiting
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-ticker.C:
		}
	}
}

func (d *Dispatcher) process(ctx context.Context, ev postgres.PendingEvent) {
	var err error
	if ev.Attempts > maxAttempts {
		err = errors.New("too many attempts")
	} else {
		err = d.handleSafely(ctx, ev)
	}
	// Bookkeeping outlives a shutdown that began meanwhile, so a handled
	// event is not handled again.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := d.clock.Now()
	switch {
	case err == nil:
		d.outcome.Inc("done")
		if err := d.inbox.Done(bctx, ev.EventID, now); err != nil {
			d.log.ErrorContext(bctx, "mark event done", "error", err)
		}
	case isPermanent(err) || ev.Attempts >= maxAttempts || now.Sub(ev.ReceivedAt) > retryFor:
		d.outcome.Inc("gave_up")
		d.log.ErrorContext(bctx, "event failed for good", "error", err, "attempts", ev.Attempts)
		if err := d.giveUp(bctx, ev); err != nil {
			d.log.ErrorContext(bctx, "tell user of failure", "error", err)
		}
		if err := d.inbox.GiveUp(bctx, ev.EventID, now); err != nil {
			d.log.ErrorContext(bctx, "give up event", "error", err)
		}
	default:
		d.outcome.Inc("retry")
		d.log.WarnContext(bctx, "event will be retried", "error", err, "attempts", ev.Attempts)
		if err := d.inbox.RetryAt(bctx, ev.EventID, now.Add(retryDelay(ev.Attempts))); err != nil {
			d.log.ErrorContext(bctx, "reschedule event", "error", err)
		}
	}
}

// handleSafely runs the handler to its end even when shutdown begins, so a
// turn is not cut between its database write and its session save, and
// turns a panic into an error, so one bad event cannot stop the others.
func (d *Dispatcher) handleSafely(ctx context.Context, ev postgres.PendingEvent) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
	defer cancel()
	return d.handle(hctx, ev)
}
