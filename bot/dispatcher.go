package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"mamasroom/clock"
	"mamasroom/inbox"
	"mamasroom/line"
	"mamasroom/metrics"
)

// Dispatcher takes events from the inbox and has the engine handle them:
// one user's events strictly in order, different users in parallel.
//
// A failed event is one of two kinds, and they are treated apart:
//
//   - A failure of this event alone (a panic, a request LINE refuses as
//     wrong, bad data, a bug): trying again will not help, and her next
//     message must not wait behind it. A panic or a refusal gives it up at
//     once; any other error of its own gets maxFailures attempts a few
//     seconds apart. Giving up sends her the kind 「うまくいきませんでした」.
//   - An outage of something every event needs (Postgres, Redis, or LINE
//     answering 401/403/429/5xx or not at all): the event is not at fault.
//     It is put back without counting the attempt, and claiming pauses for
//     everyone, with backoff up to maxPause, while /readyz, the log and
//     mamasroom_dispatcher_paused say so. After each pause one event is
//     tried as a probe; when it gets through, work resumes by itself.
//
// The rule for an error that names neither: when Postgres and Redis answer
// a ping right after it, the event is at fault (it counts as an attempt);
// when either does not, it is an outage. So a bug cannot pause everyone,
// and an outage with an unexpected error text cannot cost her the event.
type Dispatcher struct {
	inbox   inbox.Store
	handle  func(context.Context, inbox.Pending) error
	giveUp  func(context.Context, inbox.Pending) error
	clock   clock.Clock
	log     *slog.Logger
	workers int
	wake    chan struct{}
	outcome *metrics.Counter
	// pingRedis checks Redis when an error names no culprit; nil skips it.
	pingRedis func(context.Context) error

	mu       sync.Mutex
	pause    pauseState
	inFlight int
	changed  chan struct{} // closed and replaced whenever an event is finished
}

// pauseState is the dispatcher's view of an outage. Times are by the
// dispatcher's clock, so tests move through a pause by moving the clock.
type pauseState struct {
	on      bool
	cause   string // what is out, for /readyz and the log: no personal data
	since   time.Time
	until   time.Time // no claim before then
	backoff time.Duration
	probing bool // one event is out to see whether the outage is over
}

const (
	// eventLease is how long a claimed event is left to its worker before
	// another may take it: what a crash costs her. The worker renews it
	// every leaseRenewal while it handles the event, so a slow turn keeps
	// its event and a dead worker's event comes back within the lease,
	// well within the reply token's minute, so that the retry can still
	// reply. Handling is cut off after handleTimeout.
	eventLease    = 15 * time.Second
	leaseRenewal  = eventLease / 3
	handleTimeout = time.Minute
	// maxFailures is how many attempts an event that fails by itself gets;
	// with failureDelay between them it is given up within a minute.
	maxFailures  = 3
	failureDelay = 10 * time.Second
	// maxAttempts counts claims that never finished (the worker died with
	// the event in hand): an event that kills the process is given up
	// unhandled. Outages do not count.
	maxAttempts = 5
	// An outage pauses claiming for firstPause, doubling to maxPause.
	firstPause     = 2 * time.Second
	maxPause       = time.Minute
	pollInterval   = time.Second
	claimBatchSize = 32
	// Handled events are deleted after inboxRetention, checked every pruneEvery.
	inboxRetention = 7 * 24 * time.Hour
	pruneEvery     = time.Hour
)

// observe wires what the dispatcher reports and checks beyond the inbox:
// the paused gauge and a ping of Redis.
func (d *Dispatcher) observe(reg *metrics.Registry, pingRedis func(context.Context) error) {
	d.pingRedis = pingRedis
	reg.GaugeFunc("mamasroom_dispatcher_paused", "1 while an outage of LINE, Postgres or Redis pauses event handling.", func() float64 {
		if d.Ready() != nil {
			return 1
		}
		return 0
	})
}

// Ready is nil unless an outage has paused the dispatcher; for /readyz.
func (d *Dispatcher) Ready() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pause.on {
		return fmt.Errorf("event handling paused since %s: %s is out", d.pause.since.Format(time.RFC3339), d.pause.cause)
	}
	return nil
}

// Wake tells the dispatcher new events are in the inbox. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// changes is closed when the next event is finished, however it ended,
// or a pause ends.
func (d *Dispatcher) changes() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.changed == nil {
		d.changed = make(chan struct{})
	}
	return d.changed
}

// Run handles events until ctx ends, then waits for the events in hand.
func (d *Dispatcher) Run(ctx context.Context) {
	slots := make(chan struct{}, d.workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.pruneEveryHour(ctx)
	}()
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		if limit, probe := d.claimLimit(d.workers - len(slots)); limit > 0 {
			events, err := d.inbox.Claim(ctx, d.clock.Now(), eventLease, limit)
			if err != nil && ctx.Err() == nil {
				d.outage(ctx, "Postgres", err, probe)
			} else if probe && len(events) == 0 {
				d.probed(ctx) // the database answers and nothing is waiting
			}
			for i, ev := range events {
				slots <- struct{}{}
				d.started()
				wg.Add(1)
				go func() {
					defer wg.Done()
					d.process(ctx, ev, probe && i == 0)
					d.finished()
					<-slots
					d.Wake() // the user's next event may now be due
				}()
			}
			if !probe && len(events) == limit {
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

// claimLimit is how many events to claim now: none while paused, one as a
// probe once the pause is over, else as many as there are free workers.
func (d *Dispatcher) claimLimit(free int) (limit int, probe bool) {
	if free <= 0 {
		return 0, false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.pause.on {
		return min(free, claimBatchSize), false
	}
	if d.pause.probing || d.clock.Now().Before(d.pause.until) {
		return 0, false
	}
	d.pause.probing = true
	return 1, true
}

func (d *Dispatcher) started() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inFlight++
}

func (d *Dispatcher) finished() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inFlight--
	d.notifyLocked()
}

// notifyLocked closes the channel changes handed out; d.mu is held.
func (d *Dispatcher) notifyLocked() {
	if d.changed != nil {
		close(d.changed)
	}
	d.changed = make(chan struct{})
}

// outage pauses claiming, or, when the probe failed, pauses longer.
func (d *Dispatcher) outage(ctx context.Context, cause string, err error, probe bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.clock.Now()
	switch {
	case !d.pause.on:
		d.pause = pauseState{on: true, cause: cause, since: now, backoff: firstPause, until: now.Add(firstPause)}
		d.log.ErrorContext(ctx, "event handling paused: an outage", "cause", cause, "error", err)
	case probe:
		d.pause.probing = false
		d.pause.cause = cause
		d.pause.backoff = min(2*d.pause.backoff, maxPause)
		d.pause.until = now.Add(d.pause.backoff)
		d.log.WarnContext(ctx, "outage goes on", "cause", cause, "error", err, "next_try_in", d.pause.backoff.String())
	}
}

func (d *Dispatcher) paused() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pause.on
}

// probed ends a pause whose probe met no outage.
func (d *Dispatcher) probed(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.pause.on {
		return
	}
	d.log.InfoContext(ctx, "event handling resumed", "cause", d.pause.cause, "paused_for", d.clock.Now().Sub(d.pause.since).String())
	d.pause = pauseState{}
	// A pause can end in the claim loop, with no event finishing (a probe
	// that found nothing waiting): whoever waits on changes hears of it.
	d.notifyLocked()
	d.Wake()
}

func (d *Dispatcher) process(ctx context.Context, ev inbox.Pending, probe bool) {
	ctx = logEvent(ctx, ev) // its lines name the event and her keyed hash (log_identity.go)
	// Bookkeeping outlives a shutdown that began meanwhile, so a handled
	// event is not handled again.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if !probe && d.paused() {
		// Claimed just before another worker met an outage: it waits for
		// the pause's probe like the rest, its attempt not counted.
		if err := d.inbox.Postpone(bctx, ev.EventID, d.clock.Now()); err != nil {
			d.log.ErrorContext(bctx, "put event back", "error", err) // its lease brings it back
		}
		return
	}
	if ev.Attempts > maxAttempts {
		d.fail(bctx, ev, probe, errors.New("claimed too often without finishing: it may crash the worker"))
		return
	}
	err := d.handleSafely(ctx, ev)
	if err == nil {
		d.outcome.Inc("done")
		if err := d.inbox.Done(bctx, ev.EventID, d.clock.Now()); err != nil {
			d.outage(bctx, "Postgres", fmt.Errorf("mark event done: %w", err), probe)
			return
		}
		if probe {
			d.probed(bctx)
		}
		return
	}
	var (
		p     *panicError
		cause = d.outageCause(bctx, err)
	)
	switch {
	case cause != "":
		d.outcome.Inc("retry")
		d.log.WarnContext(bctx, "event kept for after the outage", "cause", cause, "error", err)
		d.postpone(bctx, ev, cause, err, probe)
		return
	case errors.As(err, &p) || line.IsRefused(err) || ev.Attempts >= maxFailures:
		d.fail(bctx, ev, probe, err)
	default:
		d.outcome.Inc("retry")
		d.log.WarnContext(bctx, "event will be retried", "error", err, "attempts", ev.Attempts)
		if err := d.inbox.RetryAt(bctx, ev.EventID, d.clock.Now().Add(failureDelay)); err != nil {
			d.outage(bctx, "Postgres", fmt.Errorf("reschedule event: %w", err), probe)
			return
		}
	}
	if probe {
		d.probed(bctx) // no outage met
	}
}

// fail gives an event up and tells her so. When the message cannot reach
// her for an outage, the event is kept: it will fail again, and be given
// up with its message, once the outage is over.
func (d *Dispatcher) fail(ctx context.Context, ev inbox.Pending, probe bool, err error) {
	d.log.ErrorContext(ctx, "event failed for good", "error", err, "attempts", ev.Attempts)
	if err := d.giveUp(ctx, ev); err != nil {
		if cause := d.outageCause(ctx, err); cause != "" {
			d.outcome.Inc("retry")
			d.postpone(ctx, ev, cause, fmt.Errorf("tell user of failure: %w", err), probe)
			return
		}
		d.log.ErrorContext(ctx, "tell user of failure", "error", err)
	}
	d.outcome.Inc("gave_up")
	if err := d.inbox.GiveUp(ctx, ev.EventID, d.clock.Now()); err != nil {
		d.outage(ctx, "Postgres", fmt.Errorf("give up event: %w", err), probe)
	}
}

// postpone keeps an event that an outage stopped, uncounted, and pauses.
func (d *Dispatcher) postpone(ctx context.Context, ev inbox.Pending, cause string, err error, probe bool) {
	d.outage(ctx, cause, err, probe)
	if err := d.inbox.Postpone(ctx, ev.EventID, d.clock.Now()); err != nil {
		d.log.ErrorContext(ctx, "put event back", "error", err) // its lease brings it back
	}
}

// outageCause names what is out when err comes from an outage, and is ""
// when the event itself is at fault. See the rule on Dispatcher.
func (d *Dispatcher) outageCause(ctx context.Context, err error) string {
	var (
		le *line.Error
		p  *panicError
	)
	switch {
	case line.IsOutage(err) && errors.As(err, &le):
		if le.Status == 0 {
			return "LINE (unreachable)"
		}
		return fmt.Sprintf("LINE (status %d)", le.Status)
	case errors.As(err, &p) || line.IsRefused(err):
		return ""
	case isPostgresDown(err):
		return "Postgres"
	case isRedisDown(err):
		return "Redis"
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.inbox.Ping(pctx); err != nil {
		return "Postgres"
	}
	if d.pingRedis != nil {
		if err := d.pingRedis(pctx); err != nil {
			return "Redis"
		}
	}
	return ""
}

// isPostgresDown recognises errors that say the database, not the query,
// failed: no connection, the server shutting down or out of resources. A
// connection lost midway says nothing sure; the pings then decide.
func isPostgresDown(err error) bool {
	var (
		ce  *pgconn.ConnectError
		pge *pgconn.PgError
	)
	switch {
	case errors.As(err, &ce):
		return true
	case errors.As(err, &pge):
		for _, class := range []string{"08", "53", "57P", "58"} {
			if strings.HasPrefix(pge.Code, class) {
				return true
			}
		}
	}
	return false
}

// isRedisDown recognises errors that say Redis, not the command, failed.
func isRedisDown(err error) bool {
	return errors.Is(err, redis.ErrClosed) || errors.Is(err, redis.ErrPoolTimeout) ||
		errors.Is(err, redis.ErrPoolExhausted) || redis.IsLoadingError(err) ||
		redis.IsReadOnlyError(err) || redis.IsMasterDownError(err) ||
		redis.IsClusterDownError(err) || redis.IsTryAgainError(err) || redis.IsMaxClientsError(err)
}

// panicError is a handler that panicked: a bug met by this event.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("handler panicked: %v", e.value) }

// handleSafely runs the handler to its end even when shutdown begins, so a
// turn is not cut between its database write and its session save, and
// turns a panic into an error, so one bad event cannot stop the others.
func (d *Dispatcher) handleSafely(ctx context.Context, ev inbox.Pending) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{p}
		}
	}()
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
	defer cancel()
	stop := d.keepLease(hctx, ev)
	defer stop()
	return d.handle(hctx, ev)
}

// keepLease renews the event's lease until stop is called, which waits for
// the renewal to end, so nothing renews an event once it is settled. A
// renewal that fails (Postgres is out) is tried again at the next tick;
// if the lease runs out meanwhile, another worker may take the event, and
// the turn is safe to repeat.
func (d *Dispatcher) keepLease(ctx context.Context, ev inbox.Pending) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ticker := time.NewTicker(leaseRenewal)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
			mine, err := d.inbox.Extend(ctx, ev.EventID, ev.Attempts, d.clock.Now().Add(eventLease))
			switch {
			case err != nil && ctx.Err() == nil:
				d.log.WarnContext(ctx, "renew an event's lease", "error", err)
			case err == nil && !mine:
				return // settled, or taken by another worker after a lapse
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// pruneEveryHour deletes handled events past their retention, away from
// the claim loop, so a large prune never delays an answer.
func (d *Dispatcher) pruneEveryHour(ctx context.Context) {
	ticker := time.NewTicker(pruneEvery)
	defer ticker.Stop()
	for {
		if _, err := d.inbox.Prune(ctx, d.clock.Now().Add(-inboxRetention)); err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "prune inbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
